import { ResourceError } from "./resource_error.ts";
import type { ResourceManager, ResourceRequest } from "./resource_manager.ts";

const num = (v: unknown, key: string, dflt: number, integer: boolean): number => {
  const x = v ?? dflt;
  if (typeof x !== "number" || !Number.isFinite(x) || x < 0 || (integer && !Number.isInteger(x))) {
    throw new ResourceError(
      "RESOURCE_SPEC_INVALID",
      `Resource request "${key}" must be ${
        integer ? "an integer" : "a number"
      } of at least 0, got ${JSON.stringify(x)}`,
    );
  }
  return x;
};

/** CPU slots and memory (`resources-and-cc.md` §3). */
export class SlotResourceManager implements ResourceManager {
  readonly keys = ["num_of_cpus", "mem_in_GiB"] as const;
  readonly expirationSeconds: number;
  readonly #cpus: number;
  readonly #mem: number;
  #usedCpus = 0;
  #usedMem = 0;

  constructor(args: { num_of_cpus: number; mem_in_GiB: number; expiration_period?: number }) {
    this.#cpus = args.num_of_cpus;
    this.#mem = args.mem_in_GiB;
    this.expirationSeconds = args.expiration_period ?? 30;
  }

  reserve(request: ResourceRequest): { cpus: number; mem: number } {
    const cpus = num(request.num_of_cpus, "num_of_cpus", 1, true);
    const mem = num(request.mem_in_GiB, "mem_in_GiB", 1, false);
    if (cpus > this.#cpus || mem > this.#mem) {
      throw new ResourceError(
        "RESOURCES_NEVER",
        `Request of ${cpus} CPUs and ${mem} GiB exceeds this site's total of ${this.#cpus} CPUs and ${this.#mem} GiB`,
      );
    }
    if (this.#usedCpus + cpus > this.#cpus || this.#usedMem + mem > this.#mem) {
      throw new ResourceError(
        "RESOURCES_BUSY",
        `Not enough free CPUs or memory for ${cpus} CPUs and ${mem} GiB`,
      );
    }
    this.#usedCpus += cpus;
    this.#usedMem += mem;
    return { cpus, mem };
  }

  release(held: unknown): void {
    const h = held as { cpus: number; mem: number };
    this.#usedCpus -= h.cpus;
    this.#usedMem -= h.mem;
  }

  /** Free capacity, for status displays. */
  get free(): { cpus: number; mem: number } {
    return { cpus: this.#cpus - this.#usedCpus, mem: this.#mem - this.#usedMem };
  }
}
