import { encodeCanonical } from "../wire/mod.ts";
import type { LABELS } from "./labels.ts";

/**
 * TBS(x): the core deterministic CBOR encoding of `[label, ...fields]`, the bytes that are signed.
 * Byte strings stay byte strings, so `["a", b"x"]` and `["a", "x"]` never collide.
 */
export function tbs(
  label: typeof LABELS[keyof typeof LABELS],
  ...fields: (string | number | Uint8Array)[]
): Uint8Array<ArrayBuffer> {
  return encodeCanonical([label, ...fields]);
}
