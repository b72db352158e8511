import { ResourceError } from "./resource_error.ts";
import type { ResourceManager, ResourceRequest } from "./resource_manager.ts";
import { toHex } from "../util/to_hex.ts";

interface Held {
  jobId: string;
  holds: Map<ResourceManager, unknown>;
  /** Unix ms after which an unallocated reservation is released. */
  expiresAt: number;
  allocated: boolean;
}

/**
 * The reservation protocol of one site (`resources-and-cc.md` §2, §5): all-or-nothing across the
 * managers, at most `maxConcurrentJobs` jobs counting allocations and live reservations, expiry of
 * unallocated reservations (checked on every operation and by the caller's timer through
 * `sweep()`). State is in memory: a restart releases everything.
 */
export class Reservations {
  readonly #managers: ResourceManager[];
  readonly #maxJobs: number;
  readonly #held = new Map<string, Held>();
  readonly #now: () => number;

  constructor(
    managers: ResourceManager[],
    options: { maxConcurrentJobs: number; now?: () => number },
  ) {
    this.#managers = managers;
    this.#maxJobs = options.maxConcurrentJobs;
    this.#now = options.now ?? Date.now;
  }

  /** Holds capacity for a job in every manager; returns the reservation token (hex of 16 bytes). */
  reserve(jobId: string, request: ResourceRequest = {}): string {
    this.sweep();
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      throw new ResourceError(
        "RESOURCE_SPEC_INVALID",
        `Resource request for job "${jobId}" must be an object`,
      );
    }
    const known = new Set(this.#managers.flatMap((m) => m.keys));
    for (const key of Object.keys(request)) {
      if (!known.has(key)) {
        throw new ResourceError(
          "RESOURCE_KEY_UNKNOWN",
          `Resource key "${key}" is unknown at this site`,
        );
      }
    }
    if (this.#held.size >= this.#maxJobs) {
      throw new ResourceError(
        "RESOURCES_BUSY",
        `This site already holds ${this.#held.size} jobs (max_concurrent_jobs ${this.#maxJobs})`,
      );
    }
    const holds = new Map<ResourceManager, unknown>();
    try {
      for (const m of this.#managers) holds.set(m, m.reserve(request));
    } catch (err) {
      for (const [m, h] of holds) m.release(h);
      throw err;
    }
    const expiry = Math.min(...this.#managers.map((m) => m.expirationSeconds), Infinity);
    const token = toHex(crypto.getRandomValues(new Uint8Array(16)));
    this.#held.set(token, {
      jobId,
      holds,
      expiresAt: this.#now() + (Number.isFinite(expiry) ? expiry : 30) * 1000,
      allocated: false,
    });
    return token;
  }

  cancel(token: string, jobId?: string): void {
    this.sweep();
    const h = this.#held.get(token);
    if (h && !h.allocated && (jobId === undefined || h.jobId === jobId)) this.#release(token, h);
  }

  /** Turns a live reservation into an allocation: what each manager holds for the job. */
  allocate(token: string, jobId?: string): unknown[] {
    this.sweep();
    const h = this.#held.get(token);
    // A token made for another job is no reservation of this one.
    if (!h || (jobId !== undefined && h.jobId !== jobId)) {
      throw new ResourceError("RESERVATION_EXPIRED", "The reservation expired or does not exist");
    }
    h.allocated = true;
    return [...h.holds.values()];
  }

  /** Releases an allocation when the job ends at this site. */
  free(token: string): void {
    const h = this.#held.get(token);
    if (h) this.#release(token, h);
  }

  /** Releases unallocated reservations past their expiry. */
  sweep(): void {
    const now = this.#now();
    for (const [token, h] of this.#held) {
      if (!h.allocated && h.expiresAt <= now) this.#release(token, h);
    }
  }

  /** What the site holds now, for `report_resources` (`authorization.md` §6). */
  report(): { max_concurrent_jobs: number; jobs: { job_id: string; allocated: boolean }[] } {
    this.sweep();
    return {
      max_concurrent_jobs: this.#maxJobs,
      jobs: [...this.#held.values()].map((h) => ({ job_id: h.jobId, allocated: h.allocated })),
    };
  }

  /** Jobs counted against `max_concurrent_jobs`. */
  get count(): number {
    return this.#held.size;
  }

  #release(token: string, h: Held): void {
    this.#held.delete(token);
    for (const [m, held] of h.holds) m.release(held);
  }
}
