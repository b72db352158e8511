import assert from "node:assert/strict";
import { LineEditor, type LineEditorOptions } from "./line_editor.ts";
import { completeCommand } from "./complete_command.ts";

const encoder = new TextEncoder();
const UP = "\x1b[A";
const DOWN = "\x1b[B";
const RIGHT = "\x1b[C";
const LEFT = "\x1b[D";
const HOME = "\x1b[H";
const END = "\x1b[F";
const DEL = "\x1b[3~";

/** An editor on an input the test feeds chunk by chunk, with its output and raw-mode calls. */
function harness(options: Partial<LineEditorOptions> = {}) {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const input = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  let out = "";
  const raw: boolean[] = [];
  const editor = new LineEditor({
    input,
    output: (s) => {
      out += s;
    },
    terminal: true,
    setRaw: (r) => raw.push(r),
    complete: () => [],
    ...options,
  });
  return {
    editor,
    raw,
    /** Each argument is one chunk, read separately by the editor. */
    send(...chunks: (string | number[])[]) {
      for (const c of chunks) {
        controller?.enqueue(typeof c === "string" ? encoder.encode(c) : new Uint8Array(c));
      }
    },
    end() {
      controller?.close();
    },
    /** Output since the last call. */
    take() {
      const s = out;
      out = "";
      return s;
    },
  };
}

/** Whether `p` settles within a few turns of the event loop. */
async function settles(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => done = true, () => done = true);
  await new Promise((r) => setTimeout(r, 20));
  return done;
}

Deno.test("LineEditor echoes typed text, returns it on Enter and is raw only while reading", async () => {
  const h = harness();
  h.send("ab\r");
  assert.equal(await h.editor.readLine("> "), "ab");
  assert.equal(h.take(), "> \r> ab\x1b[K\r\n");
  assert.deepEqual(h.raw, [true, false]);
  h.send("c", "\n");
  assert.equal(await h.editor.readLine("$ "), "c");
  assert.equal(h.take(), "$ \r$ c\x1b[K\r\n");
  assert.deepEqual(h.raw, [true, false, true, false]);
  assert.deepEqual(h.editor.history, ["ab", "c"]);
});

Deno.test("LineEditor redraws the whole line and moves the cursor back after it", async () => {
  const h = harness();
  h.send("abc", LEFT + LEFT, "\r");
  assert.equal(await h.editor.readLine("> "), "abc");
  // Enter from the middle of the line first moves the cursor to its end.
  assert.equal(h.take(), "> \r> abc\x1b[K\r> abc\x1b[K\x1b[2D\x1b[2C\r\n");
});

Deno.test("LineEditor edits: insert, Backspace, Delete, arrows, Home/End, Ctrl-A/E", async () => {
  const h = harness();
  h.send("helo", LEFT, "l", HOME, "\x7f", DEL, "H", END, "!", "\r");
  assert.equal(await h.editor.readLine("> "), "Hello!");
  h.send("bcd", "\x01", "a", "\x05", "\x08", "\x1b[1~", RIGHT, "X", "\x1b[4~", "e", "\r");
  assert.equal(await h.editor.readLine("> "), "aXbce");
  // Movement stops at both ends; unknown sequences (Ctrl-Right, Alt-b, F5) are ignored.
  h.send("ab", RIGHT, RIGHT, "\x1b[1;5C", "\x1bb", "\x1b[15~", HOME, LEFT, LEFT, "\x7f", "x\r");
  assert.equal(await h.editor.readLine("> "), "xab");
});

Deno.test("LineEditor kills: Ctrl-U to the start, Ctrl-K to the end, Ctrl-W the previous word", async () => {
  const h = harness();
  h.send("abc def", LEFT + LEFT + LEFT, "\x15", "\r");
  assert.equal(await h.editor.readLine("> "), "def");
  h.send("abc def", HOME, RIGHT, "\x0b", "\r");
  assert.equal(await h.editor.readLine("> "), "a");
  h.send("abc def  ", "\x17", "\r");
  assert.equal(await h.editor.readLine("> "), "abc ");
  h.send("one two three", LEFT.repeat(5), "\x17", "\r");
  assert.equal(await h.editor.readLine("> "), "one three");
});

Deno.test("LineEditor joins escape sequences and UTF-8 characters split across chunks", async () => {
  const h = harness();
  const line = h.editor.readLine("> ");
  // "a", "é" (C3 A9) and "😀" (F0 9F 98 80) split across chunks, then Left split in three.
  h.send([0x61, 0xc3], [0xa9, 0xf0, 0x9f], [0x98], [0x80], "\x1b", "[");
  assert.equal(await settles(line), false);
  h.send("D", "x");
  assert.equal(await settles(line), false);
  h.send("\r");
  assert.equal(await line, "aéx😀");
  // The cursor moves by code points: one column back over the emoji.
  assert.ok(h.take().includes("\r> aéx😀\x1b[K\x1b[1D"));
  h.send("😀é", "\x7f", "\x7f", "b", "\x1bO", "D", "\x1b", "[3~", "\r");
  assert.equal(await h.editor.readLine("> "), "");
});

Deno.test("LineEditor treats CRLF as one Enter, even split across chunks", async () => {
  const h = harness({ terminal: true });
  h.send("a\r\nb\r", "\nc\n", "\r\n", "\nd\r\n\ne\r");
  assert.equal(await h.editor.readLine("> "), "a");
  assert.equal(await h.editor.readLine("> "), "b");
  assert.equal(await h.editor.readLine("> "), "c");
  // LF ends "c"; the CRLF after it is one more Enter, on an empty line.
  assert.equal(await h.editor.readLine("> "), "");
  // Only one LF after a CR is swallowed: CR LF LF is two Enters.
  assert.equal(await h.editor.readLine("> "), "");
  assert.equal(await h.editor.readLine("> "), "d");
  assert.equal(await h.editor.readLine("> "), "");
  assert.equal(await h.editor.readLine("> "), "e");
  h.end();
  assert.equal(await h.editor.readLine("> "), null);
});

Deno.test("LineEditor walks history with Up/Down and restores the line being edited", async () => {
  const h = harness({ history: ["one", "", "two"] });
  h.send("dr", UP, UP);
  const line = h.editor.readLine("> ");
  await settles(line);
  assert.ok(h.take().endsWith("\r> one\x1b[K"));
  h.send(UP, DOWN, "\x1bO", "B", "aft\r");
  assert.equal(await line, "draft");
  h.send("\x1bOA", "\x1bOA", "!\r");
  assert.equal(await h.editor.readLine("> "), "two!");
  // Down at the newest entry and Up at the oldest do nothing.
  h.send("x", DOWN, UP.repeat(9), "\x10", "\r");
  assert.equal(await h.editor.readLine("> "), "one");
  assert.deepEqual(h.editor.history, ["one", "two", "draft", "two!", "one"]);
});

Deno.test("LineEditor records non-blank lines without consecutive repeats, up to the limit", async () => {
  const h = harness({ terminal: false, history: ["a", "b", "c"], historyLimit: 3 });
  assert.deepEqual(h.editor.history, ["a", "b", "c"]);
  h.send("c\nd\nd\n\n  \ne\nd\n");
  for (const want of ["c", "d", "d", "", "  ", "e", "d"]) {
    assert.equal(await h.editor.readLine(""), want);
  }
  assert.deepEqual(h.editor.history, ["d", "e", "d"]);
  const g = harness({ terminal: false, history: ["a"] });
  g.send("a\nb\nb\na\n");
  for (let i = 0; i < 4; i++) await g.editor.readLine("");
  assert.deepEqual(g.editor.history, ["a", "b", "a"]);
  assert.deepEqual(harness({ history: ["a"], historyLimit: 0 }).editor.history, []);
  assert.throws(() => harness({ historyLimit: -1 }), RangeError);
});

Deno.test("LineEditor Tab: one candidate replaces the word and adds a space", async () => {
  const calls: [string, number][] = [];
  const words = completeCommand(["status", "stop", "submit_job"]);
  const h = harness({
    complete: (line, cursor) => {
      calls.push([line, cursor]);
      return words(line, cursor);
    },
  });
  h.send("su", "\t", "x\r");
  assert.equal(await h.editor.readLine("> "), "submit_job x");
  assert.deepEqual(calls, [["su", 2]]);
  assert.ok(!h.take().includes("\x07"));
  // In the middle of a line: the word is replaced, the text after it kept, no second space.
  h.send("su y", HOME, RIGHT + RIGHT, "\t", "x\r");
  assert.equal(await h.editor.readLine("> "), "submit_job xy");
  assert.deepEqual(calls.at(-1), ["su y", 2]);
});

Deno.test("LineEditor Tab: several candidates extend to their common prefix, a second Tab lists them", async () => {
  const h = harness({ complete: completeCommand(["check_status", "check_resources", "abort"]) });
  h.send("ch", "\t");
  const line = h.editor.readLine("> ");
  await settles(line);
  assert.equal(h.take(), "> \r> ch\x1b[K\r> check_\x1b[K");
  h.send("\t");
  await settles(line);
  assert.equal(h.take(), "\r\ncheck_resources check_status\r\n\r> check_\x1b[K");
  h.send("s\t\r");
  assert.equal(await line, "check_status ");
});

Deno.test("LineEditor Tab: no progress rings the bell, then lists; no candidate rings the bell", async () => {
  const h = harness({ complete: completeCommand(["status", "stop", "submit_job"]) });
  h.send("st x", HOME, RIGHT + RIGHT, "\t");
  const line = h.editor.readLine("> ");
  await settles(line);
  assert.equal(h.take(), "> \r> st x\x1b[K\r> st x\x1b[K\x1b[4D\r> st x\x1b[K\x1b[2D\x07");
  // The listing starts after the line; the redraw puts the cursor back where it was.
  h.send("\t");
  await settles(line);
  assert.equal(h.take(), "\x1b[2C\r\nstatus stop\r\n\r> st x\x1b[K\x1b[2D");
  // A key between two Tabs starts over: bell again, no listing.
  h.send(LEFT + RIGHT, "\t");
  await settles(line);
  assert.equal(h.take(), "\r> st x\x1b[K\x1b[2D\x07");
  h.send("\r");
  assert.equal(await line, "st x");
  h.take();
  h.send("zz\t", "stop \t\t", "\r");
  assert.equal(await h.editor.readLine("> "), "zzstop ");
  assert.equal(h.take().split("\x07").length - 1, 3);
});

Deno.test("LineEditor Ctrl-C clears the line, prints ^C and a new prompt, and keeps reading", async () => {
  const h = harness();
  h.send("abc", "\x03", "def\r");
  assert.equal(await h.editor.readLine("> "), "def");
  assert.equal(h.take(), "> \r> abc\x1b[K^C\r\n> \r> def\x1b[K\r\n");
  assert.deepEqual(h.editor.history, ["def"]);
  assert.deepEqual(h.raw, [true, false]);
});

Deno.test("LineEditor Ctrl-D returns null on an empty line and deletes otherwise", async () => {
  const h = harness();
  h.send("ab", HOME, "\x04", "\r");
  assert.equal(await h.editor.readLine("> "), "b");
  h.take();
  h.send("\x04");
  assert.equal(await h.editor.readLine("> "), null);
  assert.equal(h.take(), "> \r\n");
  assert.deepEqual(h.raw, [true, false, true, false]);
});

Deno.test("LineEditor keeps the rest of a multi-line paste for the next readLine calls", async () => {
  const h = harness();
  h.send("one\rtwo\r\nthree\rfo", "ur");
  h.end();
  assert.equal(await h.editor.readLine("> "), "one");
  assert.equal(await h.editor.readLine("> "), "two");
  assert.equal(await h.editor.readLine("> "), "three");
  // The input ends without Enter: the unterminated line still counts.
  assert.equal(await h.editor.readLine("> "), "four");
  assert.equal(await h.editor.readLine("> "), null);
  assert.equal(
    h.take(),
    "> \r> one\x1b[K\r\n> \r> two\x1b[K\r\n> \r> three\x1b[K\r\n> \r> fo\x1b[K\r> four\x1b[K\r\n",
  );
  assert.deepEqual(h.editor.history, ["one", "two", "three", "four"]);
});

Deno.test("LineEditor takes a bracketed paste as text: Tab is a space, controls are ignored", async () => {
  let completions = 0;
  const h = harness({
    complete: () => {
      completions++;
      return ["cde"];
    },
  });
  h.send("\x1b[200~a\tb\x03\x15", "\nc\x1b[20", "1~d\t\r");
  assert.equal(await h.editor.readLine("> "), "a b");
  assert.equal(await h.editor.readLine("> "), "cde ");
  assert.equal(completions, 1);
});

Deno.test("LineEditor waits for the rest of an escape sequence, and drops a lone ESC at the end", async () => {
  const h = harness();
  h.send("a", "\x1b");
  const line = h.editor.readLine("> ");
  assert.equal(await settles(line), false);
  h.end();
  assert.equal(await line, "a");
});

Deno.test("LineEditor Ctrl-L clears the screen and redraws the line", async () => {
  const h = harness();
  h.send("ab", "\x0c", "\r");
  assert.equal(await h.editor.readLine("> "), "ab");
  assert.equal(h.take(), "> \r> ab\x1b[K\x1b[H\x1b[2J\r> ab\x1b[K\r\n");
});

Deno.test("LineEditor reads plain lines when not a terminal: no echo, no raw mode", async () => {
  const h = harness({ terminal: false });
  h.send("first\r\nsec", "ond\n\x1b[A\t\x7fx\n", [0xc3], [0xa9, 0x0a], "last\r");
  h.end();
  assert.equal(await h.editor.readLine("> "), "first");
  assert.equal(await h.editor.readLine("> "), "second");
  assert.equal(await h.editor.readLine("> "), "\x1b[A\t\x7fx");
  assert.equal(await h.editor.readLine("> "), "é");
  assert.equal(await h.editor.readLine("> "), "last");
  assert.equal(await h.editor.readLine("> "), null);
  assert.equal(await h.editor.readLine("> "), null);
  assert.equal(h.take(), "> ".repeat(5));
  assert.deepEqual(h.raw, []);
  assert.deepEqual(h.editor.history, ["first", "second", "\x1b[A\t\x7fx", "é", "last"]);
  h.editor.close();
  assert.deepEqual(h.raw, []);
});

Deno.test("LineEditor close() restores cooked mode and ends a pending readLine with null", async () => {
  const h = harness();
  h.send("typed");
  const line = h.editor.readLine("> ");
  await settles(line);
  assert.deepEqual(h.raw, [true]);
  h.editor.close();
  assert.deepEqual(h.raw, [true, false]);
  assert.equal(await line, null);
  h.editor.close();
  assert.equal(await h.editor.readLine("> "), null);
  assert.deepEqual(h.raw, [true, false]);
});

Deno.test("LineEditor refuses a second readLine while one is pending", async () => {
  const h = harness();
  const line = h.editor.readLine("> ");
  await assert.rejects(h.editor.readLine("> "), /already in progress/);
  h.send("ok\r");
  assert.equal(await line, "ok");
});
