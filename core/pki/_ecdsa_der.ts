import {
  der,
  derUnsignedInteger,
  readDerChildren,
  readDerExact,
  readUnsignedInteger,
  TAG,
} from "./_der.ts";

/** Converts WebCrypto's IEEE P1363 `r || s` to a DER `Ecdsa-Sig-Value`. */
export function p1363ToDer(sig: Uint8Array): Uint8Array<ArrayBuffer> {
  const half = sig.length / 2;
  return der(
    TAG.SEQUENCE,
    derUnsignedInteger(sig.subarray(0, half)),
    derUnsignedInteger(sig.subarray(half)),
  );
}

/**
 * Converts a strict DER `Ecdsa-Sig-Value` back to `r || s` of `size`-byte halves; throws
 * `SyntaxError` for anything that is not canonical DER (BER variants, P1363, trailing bytes).
 */
export function derToP1363(sig: Uint8Array, size: number): Uint8Array {
  const seq = readDerExact(sig);
  if (seq.tag !== TAG.SEQUENCE) throw new SyntaxError("ECDSA signature is not a DER SEQUENCE");
  const parts = readDerChildren(seq.content);
  if (parts.length !== 2) throw new SyntaxError("ECDSA signature must hold exactly r and s");
  const out = new Uint8Array(2 * size);
  parts.forEach((node, i) => {
    const mag = readUnsignedInteger(node);
    if (mag.length > size || mag.every((b) => b === 0)) {
      throw new SyntaxError("ECDSA signature value is out of range");
    }
    out.set(mag, i * size + size - mag.length);
  });
  return out;
}
