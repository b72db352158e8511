import type { AuditSink } from "../server_context.ts";

/**
 * Audits TLS-layer refusals (failed handshakes, certificates refused by the code-level check)
 * with a budget, so a scanner cannot flood the audit log: beyond `perMinute` events a minute,
 * refusals are counted and reported in one line when the next minute starts.
 */
export class TlsRefusals {
  readonly #audit: AuditSink;
  readonly #perMinute: number;
  #windowStart = 0;
  #inWindow = 0;
  #suppressed = 0;
  /** Every refusal ever seen, for status and tests. */
  count = 0;

  constructor(audit: AuditSink, perMinute = 60) {
    this.#audit = audit;
    this.#perMinute = perMinute;
  }

  /**
   * The `tlsClientError` handler of a TLS server. The platform reports only "no certificate"
   * distinctly; every other rejection of the client certificate (foreign root, expired, wrong
   * usage) arrives as a reset and is recorded as `bad_chain`.
   */
  onClientError(
    log: (level: "debug", message: string) => void,
  ): (
    err: Error & { code?: string },
    socket?: { remoteAddress?: string; remotePort?: number },
  ) => void {
    return (err, socket) => {
      const reason = err.code === "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE"
        ? "no_client_cert"
        : "bad_chain";
      log(
        "debug",
        `TLS handshake refused from ${socket?.remoteAddress}: ${err.code} ${err.message}`,
      );
      void this.record(reason, `${socket?.remoteAddress}:${socket?.remotePort}`);
    };
  }

  async record(
    reason: string,
    peer: string,
    claimed = "?",
    now: number = Date.now(),
  ): Promise<void> {
    this.count++;
    if (now - this.#windowStart >= 60_000) {
      if (this.#suppressed > 0) {
        await this.#audit.addEvent({
          user: "?",
          action: "_auth_failed",
          msg: `reason=tls_refusals_suppressed count=${this.#suppressed} route=tls`,
        });
      }
      this.#windowStart = now;
      this.#inWindow = 0;
      this.#suppressed = 0;
    }
    if (this.#inWindow >= this.#perMinute) {
      this.#suppressed++;
      return;
    }
    this.#inWindow++;
    await this.#audit.addEvent({
      user: claimed,
      action: "_auth_failed",
      msg: `reason=${reason} route=tls peer=${peer}`,
    });
  }
}
