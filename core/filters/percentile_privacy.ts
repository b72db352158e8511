import type { FilterContext, FilterOutcome } from "./filter.ts";
import { ArgReader, type Args } from "./_args.ts";
import { percentile } from "./_percentile.ts";
import { applied, prepare, type ValueFilterRules } from "./_value_filter.ts";

/**
 * PercentilePrivacy (`privacy-and-filters.md` §6), a heuristic truncation without formal DP:
 * Δ = x/T; elements with |Δ| below the `percentile` (default 10) of |Δ| become 0, the rest are
 * clamped to ±`gamma` (default 0.01) and multiplied by T. No budget spend.
 */
export class PercentilePrivacy {
  readonly name = "PercentilePrivacy";
  readonly warnings: string[] = [];
  readonly percentile: number;
  readonly gamma: number;
  readonly #rules: ValueFilterRules;

  constructor(args: Args = {}) {
    const a = new ArgReader(this.name, args, ["percentile", "gamma", "data_kinds", "non_float"]);
    this.percentile = a.number("percentile", 10, (v) => v >= 0 && v <= 100, "a number 0 to 100");
    this.gamma = a.number("gamma", 0.01, (v) => v > 0, "a number > 0");
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
    const { g, steps } = p;
    const x = g.x;
    const n = x.length;
    if (n === 0) return applied(g, x, ["no elements to process"]);
    const abs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = x[i]! / steps;
      abs[i] = Math.abs(x[i]!);
    }
    const cutoff = percentile(abs, this.percentile);
    const gamma = this.gamma;
    for (let i = 0; i < n; i++) {
      const d = x[i]!;
      // Equality with the cutoff survives.
      const kept = d > -cutoff && d < cutoff ? 0 : d;
      x[i] = (kept > gamma ? gamma : kept < -gamma ? -gamma : kept) * steps;
    }
    return applied(g, x, [`cutoff ${cutoff}`, "formal_dp: false"]);
  }
}
