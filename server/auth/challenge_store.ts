import { AuthenticationError } from "../../core/protocol/authentication_error.ts";
import { toHex } from "../../core/util/to_hex.ts";

/** An open registration or login exchange (`wire-and-auth.md` §3 step 2). */
export interface PendingChallenge {
  kind: "site" | "admin";
  name: string;
  project: string;
  nonceC: Uint8Array;
  nonceS: Uint8Array;
  expiresAt: number;
}

/**
 * Registration and login challenges: each lives 60 s and is used once; at most 10 open per
 * claimed name and 1,000 in total, so a flood of challenges costs the server bounded memory.
 */
export class ChallengeStore {
  readonly #open = new Map<string, PendingChallenge>();
  readonly #ttlMs: number;
  readonly #perName: number;
  readonly #total: number;

  constructor(options: { ttlMs?: number; perName?: number; total?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#perName = options.perName ?? 10;
    this.#total = options.total ?? 1000;
  }

  /** Opens a challenge and returns its id; throws `rate_limited` beyond the limits. */
  open(c: Omit<PendingChallenge, "expiresAt">, now: number = Date.now()): Uint8Array {
    this.#sweep(now);
    let forName = 0;
    for (const p of this.#open.values()) if (p.name === c.name && p.kind === c.kind) forName++;
    if (forName >= this.#perName || this.#open.size >= this.#total) {
      throw new AuthenticationError("rate_limited", "Too many open challenges, try again later", {
        claimed: c.name,
      });
    }
    const id = crypto.getRandomValues(new Uint8Array(16));
    this.#open.set(toHex(id), { ...c, expiresAt: now + this.#ttlMs });
    return id;
  }

  /**
   * Consumes a challenge. Throws `no_registration_session` (unknown or used) or
   * `registration_expired`.
   */
  take(id: Uint8Array, kind: "site" | "admin", now: number = Date.now()): PendingChallenge {
    const key = toHex(id);
    const c = this.#open.get(key);
    if (c === undefined || c.kind !== kind) {
      throw new AuthenticationError("no_registration_session", "No open challenge with this id");
    }
    this.#open.delete(key);
    if (c.expiresAt <= now) {
      throw new AuthenticationError("registration_expired", "The challenge has expired", {
        claimed: c.name,
      });
    }
    return c;
  }

  #sweep(now: number): void {
    for (const [k, c] of this.#open) if (c.expiresAt <= now) this.#open.delete(k);
  }
}
