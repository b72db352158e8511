/**
 * Nonces seen per session within a window (2 × the allowed clock skew): a nonce seen again inside
 * the window is a replay; an older one is refused by the timestamp check anyway.
 */
export class ReplayCache {
  readonly #windowMs: number;
  readonly #maxPerSession: number;
  readonly #sessions = new Map<string, Map<string, number>>();

  constructor(options: { windowMs: number; maxPerSession?: number }) {
    this.#windowMs = options.windowMs;
    this.#maxPerSession = options.maxPerSession ?? 100_000;
  }

  /**
   * Records `nonce` for session `sid`. Returns "ok", "replay", or "full" when the session holds
   * more live nonces than allowed (the caller answers 429).
   */
  check(sid: string, nonce: string, now: number = Date.now()): "ok" | "replay" | "full" {
    let seen = this.#sessions.get(sid);
    if (seen === undefined) {
      seen = new Map();
      this.#sessions.set(sid, seen);
    }
    const expiry = seen.get(nonce);
    if (expiry !== undefined && expiry > now) return "replay";
    if (seen.size >= this.#maxPerSession) {
      // Insertion order is time order: drop expired entries from the front.
      for (const [n, exp] of seen) {
        if (exp > now) break;
        seen.delete(n);
      }
      if (seen.size >= this.#maxPerSession) return "full";
    }
    seen.delete(nonce);
    seen.set(nonce, now + this.#windowMs);
    return "ok";
  }

  /** Forgets an ended session. */
  drop(sid: string): void {
    this.#sessions.delete(sid);
  }
}
