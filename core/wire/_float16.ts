// IEEE 754 binary16 conversions (CBOR half floats), exact in both directions where representable.

export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** The half-float bits of `v` if the conversion is exact, else -1. */
export function numberToHalfExact(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  if (a < 2 ** -24 || a > 65504) return -1;
  if (a < 2 ** -14) {
    const frac = a * 2 ** 24;
    return Number.isInteger(frac) ? sign | frac : -1;
  }
  const exp = Math.floor(Math.log2(a));
  // log2 can be off by one near powers of two.
  const e = a >= 2 ** (exp + 1) ? exp + 1 : a < 2 ** exp ? exp - 1 : exp;
  const mant = a / 2 ** e - 1;
  const frac = mant * 1024;
  if (!Number.isInteger(frac) || e + 15 < 1 || e + 15 > 30) return -1;
  return sign | ((e + 15) << 10) | frac;
}
