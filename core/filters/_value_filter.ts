// The payload rules every value filter shares (`privacy-and-filters.md` §5): skips, kinds, T and
// gathering, so each filter only writes its arithmetic.
import { isDxo } from "./dxo.ts";
import { FilterError } from "./filter_error.ts";
import type { FilterContext, FilterOutcome } from "./filter.ts";
import { gather, type Gathered, type NonFloat } from "./_payload.ts";

export interface ValueFilterRules {
  filter: string;
  dataKinds: readonly string[];
  nonFloat: NonFloat;
  /** LocalGaussianDP: non-DXO payloads and other kinds are refused, not skipped. */
  strictKinds: boolean;
}

/** The gathered elements and T, or the reason to skip. */
export type Prepared = { skip: string } | { skip?: undefined; g: Gathered; steps: number };

export function prepare(payload: unknown, ctx: FilterContext, r: ValueFilterRules): Prepared {
  if (ctx.replyCode !== "OK") return { skip: `reply code is "${ctx.replyCode}"` };
  if (!isDxo(payload)) {
    if (r.strictKinds) {
      throw new FilterError(
        "PRIVACY_REFUSED",
        `Filter "${r.filter}" refused a payload that is not a DXO`,
        {
          reason: "kind",
          filter: r.filter,
        },
      );
    }
    return { skip: "payload is not a DXO" };
  }
  if (Object.keys(payload.data).length === 0) return { skip: "DXO data is empty" };
  if (payload.kind !== "COLLECTION" && !r.dataKinds.includes(payload.kind)) {
    if (r.strictKinds) {
      throw new FilterError(
        "PRIVACY_REFUSED",
        `Filter "${r.filter}" refused DXO kind "${payload.kind}": expected ${
          r.dataKinds.join(", ")
        }`,
        { reason: "kind", filter: r.filter },
      );
    }
    return { skip: `DXO kind "${payload.kind}" is not one of ${r.dataKinds.join(", ")}` };
  }
  const t = payload.meta.NUM_STEPS_CURRENT_ROUND;
  if (t !== undefined && !(typeof t === "number" && Number.isSafeInteger(t) && t > 0)) {
    throw new FilterError(
      "PRIVACY_REFUSED",
      `Filter "${r.filter}" refused NUM_STEPS_CURRENT_ROUND "${String(t)}": not a positive integer`,
      { reason: "num_steps", filter: r.filter, key: "NUM_STEPS_CURRENT_ROUND" },
    );
  }
  const g = gather(payload, {
    filter: r.filter,
    nonFloat: r.nonFloat,
    dataKinds: r.dataKinds,
    refuseOtherKinds: r.strictKinds,
  });
  return { g, steps: t ?? 1 };
}

export function applied(g: Gathered, y: Float64Array, notes: string[]): FilterOutcome {
  return { applied: true, payload: g.rebuild(y), notes: [...g.notes, ...notes] };
}
