import { pathSegment } from "./_normalize.ts";

const MAX_DEPTH = 64;

/**
 * The first object key repeated in JSON `text`, which `JSON.parse` silently collapses to the
 * last value. `text` must already have passed `JSON.parse`. Returns the path of the object and the
 * key, or `undefined`; throws `RangeError` past 64 levels of nesting (no policy is that deep).
 */
export function findDuplicateJsonKey(text: string): { path: string; key: string } | undefined {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const readString = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const readValue = (path: string, depth: number): { path: string; key: string } | undefined => {
    if (depth > MAX_DEPTH) throw new RangeError(`nested deeper than ${MAX_DEPTH} levels`);
    skipSpace();
    const c = text[i];
    if (c === "{" || c === "[") {
      const isObject = c === "{";
      const seen = new Set<string>();
      i++;
      skipSpace();
      if (text[i] === (isObject ? "}" : "]")) {
        i++;
        return undefined;
      }
      for (let n = 0;; n++) {
        let at = `${path}[${n}]`;
        if (isObject) {
          skipSpace();
          const key = readString();
          if (seen.has(key)) {
            return { path: path === "" ? "the top level" : path.replace(/^\./, ""), key };
          }
          seen.add(key);
          at = `${path}${pathSegment(key)}`;
          skipSpace();
          i++; // ':'
        }
        const found = readValue(at, depth + 1);
        if (found) return found;
        skipSpace();
        if (text[i++] !== ",") return undefined; // '}' or ']'
      }
    }
    if (c === '"') readString();
    else {
      while (i < text.length && !",]} \t\n\r".includes(text[i]!)) i++;
    }
    return undefined;
  };
  return readValue("", 0);
}
