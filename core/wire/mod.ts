/**
 * The strict wire codec of Stockade (`wire-and-auth.md` §1–2): CBOR limited to the types and tags
 * a federated job needs, decoded with limits checked before allocation, typed arrays and tensors
 * as views on the received bytes, and a registry of message kinds with schemas.
 *
 * ```ts
 * import { decode, encode, Tensor } from "./mod.ts";
 * const bytes = encode({ kind: "task.result", v: 1, weights: new Tensor([2, 2], new Float32Array(4)) });
 * const back = decode(bytes); // back.weights.data.buffer === bytes.buffer
 * ```
 *
 * @module
 */
export { decode, type DecodeOptions } from "./decode.ts";
export { encode } from "./encode.ts";
export { encodeCanonical } from "./encode_canonical.ts";
export { type DecodeLimits, DEFAULT_LIMITS, LIMIT_NAMES } from "./limits.ts";
export { Tensor, type TypedArray } from "./tensor.ts";
export { WireError, type WireErrorCode, type WireErrorDetail } from "./wire_error.ts";
export { type KindDef, KindRegistry, type Message, WIRE_VERSION } from "./kind_registry.ts";
export * as s from "./schema.ts";
export type { Infer, ObjectOf, Schema } from "./schema.ts";
