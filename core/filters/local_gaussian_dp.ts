import type { FilterContext, FilterOutcome } from "./filter.ts";
import { ArgReader, type Args } from "./_args.ts";
import { applied, prepare, type ValueFilterRules } from "./_value_filter.ts";

/** σ of the classic Gaussian mechanism: Δ·√(2·ln(1.25/δ))/ε. */
export function gaussianSigma(sensitivity: number, epsilon: number, delta: number): number {
  return sensitivity * Math.sqrt(2 * Math.log(1.25 / delta)) / epsilon;
}

/**
 * LocalGaussianDP (`privacy-and-filters.md` §6): clips the whole update to L2 norm
 * `clipping_norm`, adds N(0, σ²) with σ = `sensitivity`·√(2·ln(1.25/`delta`))/`epsilon` to every
 * element, and spends (ε, δ). Only `WEIGHT_DIFF` by default; other kinds are refused.
 */
export class LocalGaussianDP {
  readonly name = "LocalGaussianDP";
  readonly warnings: string[] = [];
  readonly clippingNorm: number;
  readonly sensitivity: number;
  readonly epsilon: number;
  readonly delta: number;
  readonly sigma: number;
  readonly #rules: ValueFilterRules;

  constructor(args: Args = {}) {
    const a = new ArgReader(this.name, args, [
      "clipping_norm",
      "sensitivity",
      "epsilon",
      "delta",
      "data_kinds",
      "non_float",
    ]);
    this.clippingNorm = a.number("clipping_norm", undefined, (v) => v > 0, "a number > 0");
    this.sensitivity = a.number("sensitivity", undefined, (v) => v > 0, "a number > 0");
    this.epsilon = a.number("epsilon", undefined, (v) => v > 0, "a number > 0");
    this.delta = a.number("delta", undefined, (v) => v > 0 && v < 1, "a number in (0, 1)");
    this.sigma = gaussianSigma(this.sensitivity, this.epsilon, this.delta);
    this.#rules = {
      filter: this.name,
      dataKinds: a.dataKinds(["WEIGHT_DIFF"]),
      nonFloat: a.nonFloat(),
      strictKinds: true,
    };
  }

  process(payload: unknown, ctx: FilterContext): FilterOutcome {
    const p = prepare(payload, ctx, this.#rules);
    if (p.skip !== undefined) return { applied: false, reason: p.skip };
    ctx.spend({ epsilon: this.epsilon, delta: this.delta });
    const x = p.g.x;
    const n = x.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i]! * x[i]!;
    const norm = Math.sqrt(sum);
    // A zero update has norm 0 ≤ C: scale 1, never a division.
    const scale = norm > this.clippingNorm ? this.clippingNorm / norm : 1;
    const sigma = this.sigma;
    const noise = ctx.noise;
    for (let i = 0; i < n; i++) x[i] = x[i]! * scale + sigma * noise.gaussian();
    const notes = [`norm ${norm}`, `scale ${scale}`, `sigma ${sigma}`];
    if (this.epsilon > 1) notes.push("classic_gaussian_bound_exceeded");
    return applied(p.g, x, notes);
  }
}
