// numpy's "linear" percentile (`privacy-and-filters.md` §5) by selection instead of a full sort:
// the same two order statistics, in linear expected time for 25M-element models.

/** The `k`-th smallest value (0-based) of `a[from..to)`, reordering that range in place. */
function select(a: Float64Array, k: number, from: number, to: number): number {
  let lo = from;
  let hi = to - 1;
  let rounds = 0;
  while (hi > lo) {
    // Adversarial orders can defeat middle pivots; after enough rounds sort what remains.
    if (++rounds > 64) {
      a.subarray(lo, hi + 1).sort();
      return a[k]!;
    }
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Percentile `p` (0–100) of `values` (finite, non-empty), numpy "linear": h = (n−1)·p/100,
 * lo = floor(h), t = h − lo, hi = min(lo+1, n−1), d = v[hi] − v[lo]; v[hi] − d·(1−t) if t ≥ 0.5,
 * else v[lo] + d·t. `values` is reordered.
 */
export function percentile(values: Float64Array, p: number): number {
  const n = values.length;
  if (n === 0) throw new RangeError("Cannot take a percentile of no values");
  const h = (n - 1) * (p / 100);
  const lo = Math.floor(h);
  const t = h - lo;
  const hi = Math.min(lo + 1, n - 1);
  const vLo = select(values, lo, 0, n);
  let vHi = vLo;
  if (hi !== lo) {
    // After selection every element right of `lo` is ≥ v[lo]; the next order statistic is their min.
    vHi = Infinity;
    for (let i = lo + 1; i < n; i++) if (values[i]! < vHi) vHi = values[i]!;
  }
  const d = vHi - vLo;
  return t >= 0.5 ? vHi - d * (1 - t) : vLo + d * t;
}
