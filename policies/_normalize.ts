/**
 * Policy normalization (`authorization.md` §2): lower-cased, trimmed, inner whitespace runs
 * collapsed to one space. Plain lowercase ASCII without spaces, the usual case, is returned as is
 * without running the regular expressions (this sits on the `authorize()` hot path).
 */
export function normalize(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c >= 127 || (c >= 65 && c <= 90)) {
      return s.toLowerCase().trim().replace(/\s+/g, " ");
    }
  }
  return s;
}

/** A JSON path segment: `.key`, or `["key"]` when the key is not a plain word. */
export function pathSegment(key: string): string {
  return /^[A-Za-z0-9_*-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
