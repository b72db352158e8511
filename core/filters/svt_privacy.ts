import { FilterError } from "./filter_error.ts";
import type { FilterContext, FilterOutcome } from "./filter.ts";
import { ArgReader, type Args } from "./_args.ts";
import { applied, prepare, type ValueFilterRules } from "./_value_filter.ts";

const MAX_PASSES = 1000;
const REL_TOL = 1e-12;

/** The SVT split of ε between threshold and queries when neither is given: ε_T = ε/(1 + (2c)^(2/3)). */
export function svtSplit(epsilon: number, c: number): { threshold: number; query: number } {
  const threshold = epsilon / (1 + Math.pow(2 * c, 2 / 3));
  return { threshold, query: epsilon - threshold };
}

/**
 * SVTPrivacy (`privacy-and-filters.md` §6): the sparse vector technique. About `fraction` of the
 * elements whose clamped |Δ| passes a noisy threshold are released with Laplace noise; all others
 * become 0. Spends ε_T + ε_Q + ε_R, δ = 0.
 */
export class SVTPrivacy {
  readonly name = "SVTPrivacy";
  readonly warnings: string[] = [];
  readonly fraction: number;
  readonly epsilon: number;
  readonly noiseVar: number;
  readonly gamma: number;
  readonly tau: number;
  readonly replace: boolean;
  readonly epsilonThreshold: number | undefined;
  readonly epsilonQuery: number | undefined;
  readonly epsilonRelease: number | undefined;
  readonly #rules: ValueFilterRules;

  constructor(args: Args = {}) {
    const a = new ArgReader(this.name, args, [
      "fraction",
      "epsilon",
      "noise_var",
      "gamma",
      "tau",
      "replace",
      "epsilon_threshold",
      "epsilon_query",
      "epsilon_release",
      "data_kinds",
      "non_float",
    ]);
    const pos = (v: number) => v > 0;
    this.fraction = a.number("fraction", 0.1, (v) => v > 0 && v <= 1, "a number in (0, 1]");
    this.epsilon = a.number("epsilon", 0.1, pos, "a number > 0");
    this.noiseVar = a.number("noise_var", 0.1, pos, "a number > 0");
    this.gamma = a.number("gamma", 1e-5, pos, "a number > 0");
    this.tau = a.number("tau", 1e-6, (v) => v >= 0, "a number ≥ 0");
    this.replace = a.boolean("replace", true);
    // Split values are only typed here; whether they are > 0 and sum to ε is a refusal (§6).
    const any = () => true;
    this.epsilonThreshold = a.optionalNumber("epsilon_threshold", any, "a number");
    this.epsilonQuery = a.optionalNumber("epsilon_query", any, "a number");
    this.epsilonRelease = a.optionalNumber("epsilon_release", pos, "a number > 0");
    if (this.epsilonRelease === undefined) {
      this.warnings.push(
        `Filter "SVTPrivacy" has no epsilon_release: it spends c·noise_var, which can be large`,
      );
    }
    this.#rules = {
      filter: this.name,
      dataKinds: a.dataKinds(["WEIGHTS", "WEIGHT_DIFF"]),
      nonFloat: a.nonFloat(),
      strictKinds: false,
    };
  }

  /** ε_T, ε_Q and ε_R for `c` selected elements; throws `PRIVACY_REFUSED` for a bad split. */
  budgetFor(c: number): { threshold: number; query: number; release: number; notes: string[] } {
    const eps = this.epsilon;
    let threshold: number;
    let query: number;
    const t = this.epsilonThreshold;
    const q = this.epsilonQuery;
    if (t === undefined && q === undefined) ({ threshold, query } = svtSplit(eps, c));
    else if (q === undefined) [threshold, query] = [t!, eps - t!];
    else if (t === undefined) [threshold, query] = [eps - q, q];
    else {
      [threshold, query] = [t, q];
      if (Math.abs(t + q - eps) > REL_TOL * eps) {
        throw this.#badSplit(
          `epsilon_threshold + epsilon_query = "${t + q}" is not epsilon "${eps}"`,
        );
      }
    }
    if (!(threshold > 0)) throw this.#badSplit(`epsilon_threshold "${threshold}" is not > 0`);
    if (!(query > 0)) throw this.#badSplit(`epsilon_query "${query}" is not > 0`);
    const notes: string[] = [];
    let release = this.epsilonRelease;
    if (release === undefined) {
      release = c * this.noiseVar;
      notes.push(`warning: epsilon_release defaults to c·noise_var = ${release}`);
    }
    return { threshold, query, release, notes };
  }

  #badSplit(why: string): FilterError {
    return new FilterError(
      "PRIVACY_REFUSED",
      `Filter "SVTPrivacy" refused its budget split: ${why}`,
      {
        reason: "epsilon_split",
        filter: this.name,
      },
    );
  }

  process(payload: unknown, ctx: FilterContext): FilterOutcome {
    const p = prepare(payload, ctx, this.#rules);
    if (p.skip !== undefined) return { applied: false, reason: p.skip };
    const { g, steps } = p;
    const x = g.x;
    const n = x.length;
    const c = Math.min(Math.ceil(n * this.fraction), n);
    if (c === 0) return applied(g, x, ["no elements: nothing released"]);
    const b = this.budgetFor(c);
    ctx.spend({ epsilon: b.threshold + b.query + b.release, delta: 0 });

    const gamma = this.gamma;
    // clamp(Δ, ±gamma), kept for the release step.
    for (let i = 0; i < n; i++) {
      const d = x[i]! / steps;
      x[i] = d > gamma ? gamma : d < -gamma ? -gamma : d;
    }
    const noise = ctx.noise;
    const rho = this.tau + noise.laplace(gamma / b.threshold);
    const queryScale = 2 * gamma * c / b.query;
    const accepted: number[] = [];
    let candidates = new Uint32Array(n);
    for (let i = 0; i < n; i++) candidates[i] = i;
    let passes = 0;
    while (accepted.length < c) {
      if (++passes > MAX_PASSES) {
        throw new FilterError(
          "PRIVACY_REFUSED",
          `Filter "SVTPrivacy" refused the payload: ${accepted.length} of ${c} elements accepted after ${MAX_PASSES} passes`,
          { reason: "svt_passes", filter: this.name },
        );
      }
      let kept = 0;
      for (let j = 0; j < candidates.length; j++) {
        const i = candidates[j]!;
        if (Math.abs(x[i]!) + noise.laplace(queryScale) >= rho) accepted.push(i);
        else candidates[kept++] = i;
      }
      candidates = candidates.subarray(0, kept);
    }

    const selected = new Uint8Array(n);
    if (this.replace) {
      for (let k = 0; k < c; k++) {
        selected[accepted[Math.floor(noise.uniform() * accepted.length)]!] = 1;
      }
    } else {
      // Partial Fisher–Yates: the first c of a uniform shuffle.
      for (let k = 0; k < c; k++) {
        const j = k + Math.floor(noise.uniform() * (accepted.length - k));
        const t = accepted[k]!;
        accepted[k] = accepted[j]!;
        accepted[j] = t;
        selected[accepted[k]!] = 1;
      }
    }
    const releaseScale = 2 * gamma * c / b.release;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (selected[i] === 1) {
        x[i] = (x[i]! + noise.laplace(releaseScale)) * steps;
        count++;
      } else x[i] = 0;
    }
    return applied(g, x, [
      ...b.notes,
      `epsilon_threshold ${b.threshold}`,
      `epsilon_query ${b.query}`,
      `epsilon_release ${b.release}`,
      `selected ${count} of ${n}`,
    ]);
  }
}
