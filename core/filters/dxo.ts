import { Tensor, type TypedArray } from "../wire/mod.ts";

/** A value of a DXO's `data`: a tensor, a flat typed array, a scalar or a nested DXO. */
export type DxoValue = Tensor | TypedArray | number | Dxo;

/**
 * A data exchange object (`privacy-and-filters.md` §5): `kind` (`WEIGHTS`, `WEIGHT_DIFF`,
 * `COLLECTION`, …), `data` by name, and `meta` (`NUM_STEPS_CURRENT_ROUND`, `_filter_provenance`, …).
 */
export interface Dxo {
  kind: string;
  data: Record<string, DxoValue>;
  meta: Record<string, unknown>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Whether `value` has the shape of a DXO: a string `kind`, a plain-object `data` and `meta`. */
export function isDxo(value: unknown): value is Dxo {
  return isPlainObject(value) && typeof value.kind === "string" && isPlainObject(value.data) &&
    isPlainObject(value.meta);
}
