/**
 * Wakes a site's held poll (`task.get` with `wait_ms`) when work for it arrives, so a task or
 * command reaches an idle site at once instead of after its poll interval.
 */
export class Doorbell {
  readonly #waiting = new Map<string, Set<() => void>>();

  /** Resolves true when `ring(site)` is called, false after `ms` or when `signal` aborts. */
  wait(site: string, ms: number, signal?: AbortSignal): Promise<boolean> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const set = this.#waiting.get(site) ?? new Set();
      this.#waiting.set(site, set);
      const done = (rang: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        set.delete(wake);
        if (set.size === 0) this.#waiting.delete(site);
        resolve(rang);
      };
      const wake = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      signal?.addEventListener("abort", onAbort, { once: true });
      set.add(wake);
    });
  }

  ring(site: string): void {
    for (const wake of [...this.#waiting.get(site) ?? []]) wake();
  }

  /** Wakes every held poll (server shutting down). */
  ringAll(): void {
    for (const site of [...this.#waiting.keys()]) this.ring(site);
  }
}
