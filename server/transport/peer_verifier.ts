import { CertificateError, checkCertificate, parseCertificate } from "../../core/pki/mod.ts";
import type { Certificate } from "../../core/pki/mod.ts";
import { AuthenticationError } from "../../core/protocol/authentication_error.ts";
import { fingerprintBytes } from "../_fingerprint_bytes.ts";
import { toHex } from "../../core/util/to_hex.ts";

/** A TLS client certificate that passed the code-level check. */
export interface VerifiedPeer {
  fingerprint: Uint8Array;
  certificate: Certificate;
}

const REASONS = {
  CERT_EXPIRED: "cert_expired",
  CERT_NOT_YET_VALID: "cert_expired",
  CERT_WRONG_USAGE: "wrong_eku",
} as const;

/**
 * Re-verifies every TLS client certificate in code against OUR root (`transport.md` §1): the
 * platform shares session-resumption state between TLS servers of one process, so a resumed
 * session can report "authorized" for a certificate another server's CA issued. Results are
 * cached per certificate for a short time; a failure is never cached as a success.
 */
export class PeerVerifier {
  readonly #root: Certificate;
  readonly #cache = new Map<string, { peer: VerifiedPeer; until: number }>();
  readonly #ttlMs: number;

  constructor(root: Certificate, options: { ttlMs?: number } = {}) {
    this.#root = root;
    this.#ttlMs = options.ttlMs ?? 60_000;
  }

  /** @throws {AuthenticationError} `no_client_cert`, `bad_chain`, `cert_expired`, `wrong_eku` */
  async verify(der: Uint8Array | undefined, now: number = Date.now()): Promise<VerifiedPeer> {
    if (der === undefined || der.length === 0) {
      throw new AuthenticationError("no_client_cert", "The TLS peer presented no certificate");
    }
    const fp = fingerprintBytes(der);
    const key = toHex(fp);
    const hit = this.#cache.get(key);
    if (hit && hit.until > now && hit.peer.certificate.notAfter.getTime() > now) return hit.peer;
    let certificate: Certificate;
    try {
      certificate = parseCertificate(der);
      await checkCertificate(certificate, this.#root, { usage: "clientAuth", at: new Date(now) });
    } catch (err) {
      const reason = err instanceof CertificateError
        ? REASONS[err.code as keyof typeof REASONS] ?? "bad_chain"
        : "bad_chain";
      throw new AuthenticationError(
        reason,
        `TLS client certificate refused: ${(err as Error).message}`,
      );
    }
    const peer = { fingerprint: fp, certificate };
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(key, { peer, until: now + this.#ttlMs });
    return peer;
  }
}
