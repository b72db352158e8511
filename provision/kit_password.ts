const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A kit archive password: 26 Crockford base32 characters (130 random bits). */
export function generateKitPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(17));
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      bits -= 5;
      out += CROCKFORD[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/**
 * Normalizes a typed password the Crockford way: case-insensitive, `I`/`L` read as `1`, `O` as
 * `0`, hyphens and spaces ignored.
 */
export function normalizeKitPassword(text: string): string {
  return text.trim().toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
}
