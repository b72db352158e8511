import { Writer } from "./_writer.ts";

/**
 * Encodes a value with RFC 8949 §4.2.1 core deterministic encoding (shortest heads and floats,
 * map keys in bytewise order of their encoding). Used for everything that is signed (`TBS`), so
 * both sides produce the same bytes for the same value. Accepts the same values as `encode`.
 */
export function encodeCanonical(value: unknown): Uint8Array<ArrayBuffer> {
  const w = new Writer({ canonical: true });
  w.value(value);
  return w.finish();
}
