/**
 * Text from the server and the sites (file contents from `cat`/`grep`, job names, failure reasons)
 * made safe to print on a terminal: control characters other than newline and tab are shown in
 * caret notation (`ESC` → `^[`, DEL → `^?`, C1 controls as `M-^[`…, as `cat -v` does), so a log line
 * cannot move the cursor, rewrite earlier output, retitle the window or write to the clipboard.
 * A carriage return that ends a line (CRLF files) is dropped rather than shown.
 */
export function terminalSafe(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\r(?=\n|$)/g, "").replace(/[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x7f) return "^?";
    if (code >= 0x80) return `M-^${String.fromCharCode((code - 0x80) ^ 0x40)}`;
    return `^${String.fromCharCode(code ^ 0x40)}`;
  });
}
