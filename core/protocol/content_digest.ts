import { toBase64 } from "./base64.ts";

/** SHA-256 of a body (the empty body hashes the empty string). */
export async function sha256(body: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>));
}

/** The RFC 9530 `Content-Digest` value for a SHA-256 hash: `sha-256=:<base64>:`. */
export function contentDigest(hash: Uint8Array): string {
  return `sha-256=:${toBase64(hash)}:`;
}
