/**
 * Capped exponential backoff with jitter (`transport.md` §5): each failure doubles the ceiling
 * from `initialMs` up to `maxMs`; the wait is drawn from [ceiling/2, ceiling], so many sites that
 * lost the same server do not return in lockstep.
 */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  #failures = 0;

  constructor(options: { initialMs?: number; maxMs?: number } = {}) {
    this.#initial = options.initialMs ?? 500;
    this.#max = options.maxMs ?? 30_000;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** The next wait in milliseconds; counts one failure. */
  next(): number {
    const ceiling = Math.min(this.#max, this.#initial * 2 ** this.#failures);
    this.#failures++;
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  reset(): void {
    this.#failures = 0;
  }
}
