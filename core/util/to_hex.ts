/** Lowercase hex of bytes: ids, fingerprints, tokens and nonces in logs and maps. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
