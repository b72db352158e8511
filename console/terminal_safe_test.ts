import assert from "node:assert/strict";
import { terminalSafe } from "./terminal_safe.ts";

Deno.test("terminalSafe() keeps text, newlines and tabs", () => {
  assert.equal(terminalSafe("a\tb\nc é 日本\n"), "a\tb\nc é 日本\n");
});

Deno.test("terminalSafe() shows escape sequences and other controls instead of obeying them", () => {
  // Clear screen, move home, set the window title, OSC 52 clipboard write, bell, backspace.
  assert.equal(terminalSafe("\x1b[2J\x1b[H"), "^[[2J^[[H");
  assert.equal(terminalSafe("\x1b]0;pwned\x07"), "^[]0;pwned^G");
  assert.equal(terminalSafe("\x1b]52;c;aGk=\x07"), "^[]52;c;aGk=^G");
  assert.equal(terminalSafe("ok\bX\x00\x7f"), "ok^HX^@^?");
  // C1 controls: CSI (U+009B) and OSC (U+009D) act like ESC [ and ESC ] on some terminals.
  assert.equal(terminalSafe("\u009b2J\u009d0;x"), "M-^[2JM-^]0;x");
});

Deno.test("terminalSafe() drops the CR of CRLF lines but shows a lone CR that would overwrite", () => {
  assert.equal(terminalSafe("one\r\ntwo\r"), "one\ntwo");
  assert.equal(terminalSafe("fake ok\rERROR"), "fake ok^MERROR");
});
