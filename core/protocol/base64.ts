import { Buffer } from "node:buffer";

/** base64url without padding, as tokens, nonces and signatures travel in headers. */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/** Strict base64url decoding: undefined for anything that is not canonical unpadded base64url. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Buffer.from(text, "base64url"));
  // Reject non-canonical encodings (stray low bits), so one value has one spelling.
  return toBase64Url(bytes) === text ? bytes : undefined;
}

/** Standard base64 with padding (RFC 9530 digests, signature.json). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
