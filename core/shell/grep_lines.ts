/** Lines of a text, without the empty string after a final newline. */
export function splitLines(text: string): string[] {
  const out = text.split("\n");
  if (out.at(-1) === "") out.pop();
  return out;
}

/**
 * `grep` on a file's bytes: matching lines, each prefixed by `N:` (`-n`, 1-based) then the line's
 * byte offset (`-b`). Pure and synchronous; `runShellCommand` runs it in a worker with a time limit
 * because a pattern can backtrack for hours.
 */
export function grepLines(
  bytes: Uint8Array,
  pattern: { source: string; flags: string },
  flags: ReadonlySet<string>,
): string {
  // A fresh RegExp without g/y: `test()` must not carry `lastIndex` from line to line.
  const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""));
  const encoder = new TextEncoder();
  const out: string[] = [];
  let offset = 0;
  splitLines(new TextDecoder().decode(bytes)).forEach((line, i) => {
    if (re.test(line)) {
      out.push(
        (flags.has("n") ? `${i + 1}:` : "") + (flags.has("b") ? `${offset}:` : "") + line,
      );
    }
    offset += encoder.encode(line).length + 1;
  });
  return out.join("\n");
}
