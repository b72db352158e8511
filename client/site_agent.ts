import type { LoadedKit } from "../core/kit/mod.ts";
import { parseCertificate, PrivateKey } from "../core/pki/mod.ts";
import { ApiClient } from "../core/protocol/api_client.ts";
import { ApiError, TransportError } from "../core/protocol/api_error.ts";
import { K, ROUTES } from "../core/protocol/api_kinds.ts";
import { establishSession, type Session } from "../core/protocol/establish_session.ts";
import { abortableSleep } from "../core/util/abortable_sleep.ts";
import { Backoff } from "../core/util/backoff.ts";

/** Options of a site agent. */
export interface SiteAgentOptions {
  kit: LoadedKit;
  log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
  /** Heartbeat period (default 30 s). */
  heartbeatMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** Dial this `host:port` instead of the kit's target (tests). */
  target?: string;
}

/** What a running agent has done, for status displays and tests. */
export interface SiteAgentStats {
  registrations: number;
  polls: number;
  heartbeats: number;
  failures: number;
  /** Whether a session is open now. */
  registered: boolean;
}

/** A refusal that retrying cannot fix (a 4xx other than an ended session or a rate limit). */
export class FatalRefusal extends Error {
  override name = "FatalRefusal";
}

const RETRY_REASONS = new Set(["token_expired", "session_replaced"]);

/**
 * A site's connection to the server (`transport.md` §5): registers, heartbeats, and polls with
 * the interval the server sets; retries connection errors, 5xx and 429 forever with capped
 * backoff and jitter; registers again when its session ends. Pull only: it never listens.
 */
export class SiteAgent {
  readonly #opts: SiteAgentOptions;
  readonly #api: ApiClient;
  readonly #backoff: Backoff;
  #session: Session | undefined;
  #lastHeartbeat = 0;
  #lastRetryLog = 0;
  readonly stats: SiteAgentStats = {
    registrations: 0,
    polls: 0,
    heartbeats: 0,
    failures: 0,
    registered: false,
  };

  constructor(opts: SiteAgentOptions) {
    this.#opts = opts;
    const kit = opts.kit;
    this.#api = new ApiClient({
      target: opts.target ?? kit.target,
      security: kit.connectionSecurity,
      caPem: kit.connectionSecurity === "tls" && kit.customRootCaPem
        ? kit.customRootCaPem
        : kit.rootCaPem,
      certPem: kit.certificatePem,
      keyPem: kit.keyPem,
    });
    this.#backoff = new Backoff(opts.backoff);
  }

  /** Runs until `signal` aborts. Throws FatalRefusal when the server refuses for good. */
  async run(signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted) {
        try {
          if (this.#session === undefined) await this.#register();
          const wait = await this.#step();
          this.#backoff.reset();
          await abortableSleep(wait, signal);
        } catch (err) {
          if (signal.aborted) break;
          await abortableSleep(this.#onFailure(err), signal);
        }
      }
    } finally {
      this.#api.close();
    }
  }

  async #register(): Promise<void> {
    const kit = this.#opts.kit;
    this.#session = await establishSession(this.#api, {
      role: "site",
      name: kit.name,
      project: kit.project,
      serverIdentity: kit.serverIdentity,
      certificate: parseCertificate(kit.certificatePem),
      key: PrivateKey.fromPem(kit.keyPem),
      rootCa: parseCertificate(kit.rootCaPem),
    });
    this.stats.registrations++;
    this.stats.registered = true;
    this.#lastHeartbeat = Date.now();
    this.#opts.log(
      "info",
      `registered with "${kit.serverIdentity}" at ${this.#opts.target ?? kit.target}`,
    );
  }

  /** One heartbeat (when due) and one poll; returns how long to wait before the next. */
  async #step(): Promise<number> {
    const session = this.#session!;
    const name = this.#opts.kit.name;
    if (Date.now() - this.#lastHeartbeat >= (this.#opts.heartbeatMs ?? 30_000)) {
      const hb = await this.#api.call(
        ROUTES.heartbeat,
        K.heartbeat.make({ client_name: name }),
        ["site.heartbeat_reply"],
        session,
      );
      if (typeof hb.token === "string") {
        session.token = hb.token;
        session.expiresAt = hb.expires_at as number;
      }
      this.#lastHeartbeat = Date.now();
      this.stats.heartbeats++;
    }
    const reply = await this.#api.call(
      ROUTES.taskGet,
      K.taskGet.make({ client_name: name }),
      ["task.none"],
      session,
    );
    this.stats.polls++;
    return reply.poll_ms as number;
  }

  /** Decides what a failure means; returns the wait before the next attempt. */
  #onFailure(err: unknown): number {
    this.stats.failures++;
    if (err instanceof ApiError) {
      if (err.reason !== undefined && RETRY_REASONS.has(err.reason)) {
        this.#opts.log("info", `session ended (${err.reason}); registering again`);
        this.#session = undefined;
        this.stats.registered = false;
        return 0;
      }
      if (err.status < 500 && err.status !== 429) {
        throw new FatalRefusal(`The server refused site "${this.#opts.kit.name}": ${err.message}`, {
          cause: err,
        });
      }
    } else if (!(err instanceof TransportError)) {
      throw err;
    }
    // The server may have restarted: its next answer tells whether the session still exists.
    const wait = this.#backoff.next();
    const now = Date.now();
    if (this.#backoff.failures === 1 || now - this.#lastRetryLog > 30_000) {
      this.#lastRetryLog = now;
      this.#opts.log(
        "warn",
        `${(err as Error).message}; retry ${this.#backoff.failures} in ${Math.round(wait)} ms`,
      );
    }
    return wait;
  }
}
