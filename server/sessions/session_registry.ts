import type { Certificate } from "../../core/pki/mod.ts";

/** A live site or console session: what the request checks compare against. */
export interface LiveSession {
  typ: "site" | "admin";
  name: string;
  org: string;
  role?: string;
  sid: Uint8Array;
  sidHex: string;
  certificate: Certificate;
  fingerprint: Uint8Array;
  /** Unix ms. */
  expiresAt: number;
  lastSeen: number;
  /** Peer address at registration, for status displays. */
  address: string;
}

/**
 * The current session per name (one per site, one per admin): a new registration or login
 * replaces the old session at once, so a stolen older token is worthless. Disabled sites stay
 * disabled across registrations.
 */
export class SessionRegistry {
  readonly #live = new Map<string, LiveSession>();
  readonly #disabled = new Set<string>();
  readonly #onEnd: (s: LiveSession) => void;

  constructor(options: { onEnd?: (s: LiveSession) => void } = {}) {
    this.#onEnd = options.onEnd ?? (() => {});
  }

  #key(typ: string, name: string): string {
    return `${typ}:${name}`;
  }

  /** Starts a session, ending any previous one under the same name. */
  start(session: LiveSession): void {
    this.end(session.typ, session.name);
    this.#live.set(this.#key(session.typ, session.name), session);
  }

  get(typ: "site" | "admin", name: string): LiveSession | undefined {
    return this.#live.get(this.#key(typ, name));
  }

  end(typ: "site" | "admin", name: string): void {
    const key = this.#key(typ, name);
    const old = this.#live.get(key);
    if (old) {
      this.#live.delete(key);
      this.#onEnd(old);
    }
  }

  /** Live site sessions (not expired at `now`). */
  sites(now: number = Date.now()): LiveSession[] {
    return [...this.#live.values()].filter((s) => s.typ === "site" && s.expiresAt > now);
  }

  isDisabled(site: string): boolean {
    return this.#disabled.has(site);
  }

  disable(site: string): void {
    this.#disabled.add(site);
    this.end("site", site);
  }

  enable(site: string): void {
    this.#disabled.delete(site);
  }
}
