import { Writer } from "./_writer.ts";

/**
 * Encodes a value as one CBOR message the strict decoder accepts: numbers, strings, booleans,
 * null, `Uint8Array` (byte string), little-endian typed arrays (RFC 8746 tags), {@linkcode Tensor}
 * (tag 40), arrays, and plain or null-prototype objects (map; keys whose value is `undefined` are
 * left out). Typed-array data is placed at an offset that is a multiple of its element size, so
 * the receiver can view it without a copy.
 *
 * @throws {WireError} `CBOR_TYPE_REJECTED` for anything else (bigint, Date, Map, class instances,
 *   undefined), `CBOR_KEY_REJECTED` for `__proto__`/`constructor`/`prototype` keys, `CBOR_LIMIT`
 *   for nesting deeper than 32 (which also stops cycles)
 */
export function encode(value: unknown): Uint8Array<ArrayBuffer> {
  const w = new Writer({ canonical: false });
  w.value(value);
  return w.finish();
}
