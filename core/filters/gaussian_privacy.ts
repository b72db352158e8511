import type { FilterContext, FilterOutcome } from "./filter.ts";
import { ArgReader, type Args } from "./_args.ts";
import { percentile } from "./_percentile.ts";
import { applied, prepare, type ValueFilterRules } from "./_value_filter.ts";

/**
 * GaussianPrivacy (`privacy-and-filters.md` §6), a heuristic without formal DP: σ = `sigma0`
 * (default 0.1) times the `max_percentile` (default 95) of |x| over the non-zero elements, and
 * N(0, σ²) added to every element. No budget spend.
 */
export class GaussianPrivacy {
  readonly name = "GaussianPrivacy";
  readonly warnings: string[] = [];
  readonly sigma0: number;
  readonly maxPercentile: number;
  readonly #rules: ValueFilterRules;

  constructor(args: Args = {}) {
    const a = new ArgReader(this.name, args, [
      "sigma0",
      "max_percentile",
      "data_kinds",
      "non_float",
    ]);
    this.sigma0 = a.number("sigma0", 0.1, (v) => v >= 0, "a number ≥ 0");
    this.maxPercentile = a.number(
      "max_percentile",
      95,
      (v) => v >= 0 && v <= 100,
      "a number 0 to 100",
    );
    if (this.sigma0 === 0) {
      this.warnings.push(`Filter "GaussianPrivacy" has sigma0 = 0: it adds no noise`);
    }
    this.#rules = {
      filter: this.name,
      dataKinds: a.dataKinds(["WEIGHTS", "WEIGHT_DIFF"]),
      nonFloat: a.nonFloat(),
      strictKinds: false,
    };
  }

  process(payload: unknown, ctx: FilterContext): FilterOutcome {
    const p = prepare(payload, ctx, this.#rules);
    if (p.skip !== undefined) return { applied: false, reason: p.skip };
    const x = p.g.x;
    const n = x.length;
    let nonZero = 0;
    for (let i = 0; i < n; i++) if (x[i] !== 0) nonZero++;
    if (this.sigma0 === 0) return applied(p.g, x, ["sigma0 = 0: no noise", "formal_dp: false"]);
    if (nonZero === 0) {
      return applied(p.g, x, ["no non-zero element: sigma = 0", "formal_dp: false"]);
    }
    const abs = new Float64Array(nonZero);
    for (let i = 0, j = 0; i < n; i++) if (x[i] !== 0) abs[j++] = Math.abs(x[i]!);
    const sigma = this.sigma0 * percentile(abs, this.maxPercentile);
    const noise = ctx.noise;
    for (let i = 0; i < n; i++) x[i] = x[i]! + sigma * noise.gaussian();
    return applied(p.g, x, [`sigma ${sigma}`, "formal_dp: false"]);
  }
}
