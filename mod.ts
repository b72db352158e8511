/**
 * Stockade's public API: what job authors and integrators import.
 *
 * @module
 */
export {
  decode,
  type DecodeLimits,
  type DecodeOptions,
  encode,
  encodeCanonical,
  KindRegistry,
  s,
  Tensor,
  type TypedArray,
  WireError,
  type WireErrorCode,
} from "./core/wire/mod.ts";
