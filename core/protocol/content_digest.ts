import { createHash } from "node:crypto";
import { toBase64 } from "./base64.ts";

/**
 * SHA-256 of a body (the empty body hashes the empty string). node:crypto rather than
 * SubtleCrypto: measured 0.06 s against 0.19 s for 100 MB here, and every large task payload is
 * hashed on both sides.
 */
export function sha256(body: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return Promise.resolve(new Uint8Array(createHash("sha256").update(body).digest()));
}

/** The RFC 9530 `Content-Digest` value for a SHA-256 hash: `sha-256=:<base64>:`. */
export function contentDigest(hash: Uint8Array): string {
  return `sha-256=:${toBase64(hash)}:`;
}
