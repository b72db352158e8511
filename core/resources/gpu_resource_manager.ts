import { ResourceError } from "./resource_error.ts";
import type { ResourceManager, ResourceRequest } from "./resource_manager.ts";

/** GPU ids → GiB held on each. */
export type GpuHold = Record<number, number>;

/**
 * GPUs with per-GPU memory (`resources-and-cc.md` §4). Configured capacity is trusted (no hardware
 * probing). Each requested GPU takes the lowest-index GPU not yet chosen for this request whose free
 * memory suffices; several jobs may share a GPU while memory lasts.
 */
export class GpuResourceManager implements ResourceManager {
  readonly keys = ["num_of_gpus", "mem_per_gpu_in_GiB"] as const;
  readonly expirationSeconds: number;
  readonly #perGpu: number;
  readonly #used: number[];

  constructor(
    args: { num_of_gpus: number; mem_per_gpu_in_GiB: number; expiration_period?: number },
  ) {
    this.#perGpu = args.mem_per_gpu_in_GiB;
    this.#used = new Array(args.num_of_gpus).fill(0);
    this.expirationSeconds = args.expiration_period ?? 30;
  }

  reserve(request: ResourceRequest): GpuHold {
    const n = request.num_of_gpus ?? 0;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      throw new ResourceError(
        "RESOURCE_SPEC_INVALID",
        `"num_of_gpus" must be an integer of at least 0, got ${JSON.stringify(n)}`,
      );
    }
    if (n === 0) return {};
    const mem = request.mem_per_gpu_in_GiB;
    if (typeof mem !== "number" || !Number.isFinite(mem) || mem < 0) {
      throw new ResourceError(
        "RESOURCE_SPEC_INVALID",
        `"mem_per_gpu_in_GiB" is required when "num_of_gpus" is ${n}, got ${JSON.stringify(mem)}`,
      );
    }
    if (n > this.#used.length || mem > this.#perGpu) {
      throw new ResourceError(
        "RESOURCES_NEVER",
        `Request of ${n} GPUs with ${mem} GiB each exceeds this site's ${this.#used.length} GPUs of ${this.#perGpu} GiB`,
      );
    }
    const chosen: number[] = [];
    for (let i = 0; i < this.#used.length && chosen.length < n; i++) {
      if (this.#perGpu - this.#used[i]! >= mem) chosen.push(i);
    }
    if (chosen.length < n) {
      throw new ResourceError(
        "RESOURCES_BUSY",
        `Only ${chosen.length} of ${n} GPUs have ${mem} GiB free`,
      );
    }
    const hold: GpuHold = {};
    for (const i of chosen) {
      this.#used[i]! += mem;
      hold[i] = mem;
    }
    return hold;
  }

  release(held: unknown): void {
    for (const [i, mem] of Object.entries(held as GpuHold)) this.#used[Number(i)]! -= mem;
  }

  /** GiB held per GPU (only GPUs with something held), for status displays. */
  get reserved(): GpuHold {
    const out: GpuHold = {};
    this.#used.forEach((mem, i) => {
      if (mem > 0) out[i] = mem;
    });
    return out;
  }
}
