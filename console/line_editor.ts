/**
 * Line input of the admin console REPL: history, Emacs-style editing and Tab completion on a
 * terminal, plain line reading on a pipe (scripts feed the console through stdin). Written here
 * rather than taken from `node:readline` so the console controls raw mode itself: the terminal is
 * raw only while a line is being read, and cooked while the caller prints a command's reply.
 *
 * @module
 */

// Kept importable from here for `console/main.ts`, which imported it from this file first.

/** Options of {@link LineEditor}. */
export interface LineEditorOptions {
  /** Bytes typed or piped in; the editor owns it from now on and cancels it on `close()`. */
  readonly input: ReadableStream<Uint8Array>;
  /** Writes to the terminal; awaited, so a slow terminal applies back-pressure. */
  readonly output: (s: string) => void | Promise<void>;
  /** Raw mode and editing only when true; otherwise lines are read as they come, without echo. */
  readonly terminal: boolean;
  /** Switches the terminal's raw mode, e.g. `(r) => Deno.stdin.setRaw(r)`; used only on a terminal. */
  readonly setRaw?: (raw: boolean) => void;
  /** Candidates for the word at `cursor` (a UTF-16 index into `line`). */
  readonly complete: (line: string, cursor: number) => readonly string[];
  /** Initial history, oldest first (e.g. loaded from a file); blank lines are dropped. */
  readonly history?: readonly string[];
  /** Most lines kept; the oldest go first. Default 500. */
  readonly historyLimit?: number;
}

type Action =
  | "enter"
  | "backspace"
  | "delete"
  | "left"
  | "right"
  | "home"
  | "end"
  | "up"
  | "down"
  | "tab"
  | "interrupt"
  | "eof"
  | "killStart"
  | "killEnd"
  | "killWord"
  | "redraw"
  | "pasteStart"
  | "pasteEnd";

/** Key sequences the editor understands; any other control or escape sequence is ignored. */
const ACTIONS: ReadonlyMap<string, Action> = new Map<string, Action>([
  ["\r", "enter"],
  ["\n", "enter"],
  ["\x7f", "backspace"],
  ["\b", "backspace"],
  ["\x1b[3~", "delete"],
  ["\x1b[D", "left"],
  ["\x1bOD", "left"],
  ["\x02", "left"],
  ["\x1b[C", "right"],
  ["\x1bOC", "right"],
  ["\x06", "right"],
  ["\x1b[H", "home"],
  ["\x1bOH", "home"],
  ["\x1b[1~", "home"],
  ["\x1b[7~", "home"],
  ["\x01", "home"],
  ["\x1b[F", "end"],
  ["\x1bOF", "end"],
  ["\x1b[4~", "end"],
  ["\x1b[8~", "end"],
  ["\x05", "end"],
  ["\x1b[A", "up"],
  ["\x1bOA", "up"],
  ["\x10", "up"],
  ["\x1b[B", "down"],
  ["\x1bOB", "down"],
  ["\x0e", "down"],
  ["\t", "tab"],
  ["\x03", "interrupt"],
  ["\x04", "eof"],
  ["\x15", "killStart"],
  ["\x0b", "killEnd"],
  ["\x17", "killWord"],
  ["\x0c", "redraw"],
  ["\x1b[200~", "pasteStart"],
  ["\x1b[201~", "pasteEnd"],
]);

const SPACE = /\s/;
const BELL = "\x07";

/**
 * Reads lines from a terminal or a pipe. One `readLine()` at a time; lines that arrive together
 * (a paste, a piped script) are kept for the following calls, so no input is lost.
 *
 * On a terminal, columns are counted as one per code point: wide (CJK) characters and lines longer
 * than the terminal are not laid out exactly, which command lines of the console do not need.
 */
export class LineEditor {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  readonly #output: (s: string) => void | Promise<void>;
  readonly #terminal: boolean;
  readonly #setRaw: ((raw: boolean) => void) | undefined;
  readonly #complete: (line: string, cursor: number) => readonly string[];
  readonly #limit: number;
  readonly #history: string[];
  /** Decoded input not consumed yet: the rest of a paste, or half an escape sequence. */
  #pending = "";
  #eof = false;
  #closed = false;
  #reading = false;
  #raw = false;
  /** The last key was CR, so an LF right after it (CRLF) is the same Enter. */
  #afterCr = false;
  /** Inside a bracketed paste, where Tab and control keys are text, not commands. */
  #pasting = false;
  // State of the line being edited.
  #prompt = "";
  #line = "";
  #cursor = 0;
  /** Index into history while walking it; `history.length` means the line being edited. */
  #browse = 0;
  /** The line being edited, kept while walking history. */
  #draft = "";
  #lastTab = false;
  /** The screen no longer shows prompt + line + cursor as they are. */
  #dirty = false;
  /** Output collected while handling keys, written once per chunk of input. */
  #out = "";

  constructor(options: LineEditorOptions) {
    const limit = options.historyLimit ?? 500;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new RangeError(`LineEditor: historyLimit must be a whole number >= 0, got ${limit}`);
    }
    this.#reader = options.input.getReader();
    this.#output = options.output;
    this.#terminal = options.terminal;
    this.#setRaw = options.setRaw;
    this.#complete = options.complete;
    this.#limit = limit;
    const initial = (options.history ?? []).filter((l) => l.trim() !== "");
    this.#history = limit === 0 ? [] : initial.slice(-limit);
  }

  /** Lines entered (and the initial ones), oldest first: no blank lines, no consecutive repeats. */
  get history(): readonly string[] {
    return this.#history.slice();
  }

  /**
   * The next line, without its line end; `null` at end of input, on Ctrl-D on an empty line, or
   * once closed. Non-blank lines are added to the history.
   */
  async readLine(prompt: string): Promise<string | null> {
    if (this.#reading) throw new Error("LineEditor: readLine() is already in progress");
    if (this.#closed || (this.#eof && this.#pending === "")) return null;
    this.#reading = true;
    try {
      const line = this.#terminal ? await this.#readEdited(prompt) : await this.#readPlain(prompt);
      if (line !== null) this.#remember(line);
      return line;
    } finally {
      this.#reading = false;
    }
  }

  /**
   * Restores cooked mode and cancels the input; a pending `readLine()` then returns `null`.
   * Synchronous so that it can run from an exit path that cannot wait.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rawMode(false);
    // Cancelling only fails if the input already errored; the pending readLine() reports that.
    this.#reader.cancel().catch(() => {});
  }

  async #readPlain(prompt: string): Promise<string | null> {
    await this.#output(prompt);
    let from = 0;
    // Driven by input: each turn either returns or reads one more chunk.
    for (;;) {
      const nl = this.#pending.indexOf("\n", from);
      if (nl >= 0) {
        const line = this.#pending.slice(0, nl);
        this.#pending = this.#pending.slice(nl + 1);
        return stripCr(line);
      }
      if (this.#closed) return null;
      if (this.#eof) {
        const rest = this.#pending;
        this.#pending = "";
        return rest === "" ? null : stripCr(rest);
      }
      from = this.#pending.length;
      await this.#fill();
    }
  }

  async #readEdited(prompt: string): Promise<string | null> {
    this.#rawMode(true);
    try {
      this.#prompt = prompt;
      this.#line = "";
      this.#cursor = 0;
      this.#browse = this.#history.length;
      this.#draft = "";
      this.#lastTab = false;
      this.#dirty = false;
      this.#out = prompt;
      // Driven by input: each turn handles the buffered keys, then returns or reads one chunk.
      for (;;) {
        const done = this.#handleKeys();
        if (done) {
          await this.#flush();
          return done.line;
        }
        if (this.#closed) return null;
        if (this.#eof) {
          // The input ended without Enter: an unterminated line still counts, as on a pipe.
          const done = this.#finish(this.#line === "" ? null : this.#line);
          await this.#flush();
          return done.line;
        }
        await this.#flush();
        await this.#fill();
      }
    } finally {
      this.#rawMode(false);
    }
  }

  async #fill(): Promise<void> {
    const { done, value } = await this.#reader.read();
    if (done) {
      this.#eof = true;
      this.#pending += this.#decoder.decode();
    } else {
      this.#pending += this.#decoder.decode(value, { stream: true });
    }
  }

  /** Handles complete keys in `#pending` until one ends the line; keeps an unfinished sequence. */
  #handleKeys(): { line: string | null } | undefined {
    const s = this.#pending;
    let i = 0;
    let done: { line: string | null } | undefined;
    while (i < s.length && !done) {
      const n = keyLength(s, i, this.#eof);
      if (n === 0) break;
      done = this.#key(s.slice(i, i + n));
      i += n;
    }
    this.#pending = s.slice(i);
    return done;
  }

  #key(seq: string): { line: string | null } | undefined {
    if (seq === "\n" && this.#afterCr) {
      this.#afterCr = false;
      return undefined;
    }
    this.#afterCr = seq === "\r";
    const action = ACTIONS.get(seq);
    const again = this.#lastTab;
    this.#lastTab = action === "tab" && !this.#pasting;
    if (this.#pasting) {
      if (action === "pasteEnd") this.#pasting = false;
      else if (action === "enter") return this.#finish(this.#line);
      else if (seq === "\t") this.#insert(" ");
      else if (isPrintable(seq)) this.#insert(seq);
      return undefined;
    }
    const line = this.#line;
    const cursor = this.#cursor;
    switch (action) {
      case "enter":
        return this.#finish(line);
      case "eof":
        if (line === "") return this.#finish(null);
        this.#set(line.slice(0, cursor) + line.slice(cursor + charLengthAt(line, cursor)), cursor);
        break;
      case "delete":
        this.#set(line.slice(0, cursor) + line.slice(cursor + charLengthAt(line, cursor)), cursor);
        break;
      case "backspace": {
        const n = charLengthBefore(line, cursor);
        this.#set(line.slice(0, cursor - n) + line.slice(cursor), cursor - n);
        break;
      }
      case "left":
        this.#set(line, cursor - charLengthBefore(line, cursor));
        break;
      case "right":
        this.#set(line, cursor + charLengthAt(line, cursor));
        break;
      case "home":
        this.#set(line, 0);
        break;
      case "end":
        this.#set(line, line.length);
        break;
      case "killStart":
        this.#set(line.slice(cursor), 0);
        break;
      case "killEnd":
        this.#set(line.slice(0, cursor), cursor);
        break;
      case "killWord": {
        let start = cursor;
        while (start > 0 && SPACE.test(line.charAt(start - 1))) start--;
        while (start > 0 && !SPACE.test(line.charAt(start - 1))) start--;
        this.#set(line.slice(0, start) + line.slice(cursor), start);
        break;
      }
      case "up":
        if (this.#browse > 0) {
          if (this.#browse === this.#history.length) this.#draft = line;
          this.#browse--;
          const entry = this.#history[this.#browse] ?? "";
          this.#set(entry, entry.length);
        }
        break;
      case "down":
        if (this.#browse < this.#history.length) {
          this.#browse++;
          const entry = this.#history[this.#browse] ?? this.#draft;
          this.#set(entry, entry.length);
        }
        break;
      case "tab":
        this.#tab(again);
        break;
      case "interrupt":
        this.#moveToEnd();
        this.#out += "^C\r\n" + this.#prompt;
        this.#line = "";
        this.#cursor = 0;
        this.#browse = this.#history.length;
        this.#draft = "";
        break;
      case "redraw":
        this.#out += "\x1b[H\x1b[2J";
        this.#dirty = true;
        break;
      case "pasteStart":
        this.#pasting = true;
        break;
      case "pasteEnd":
        break;
      case undefined:
        if (isPrintable(seq)) this.#insert(seq);
        break;
    }
    return undefined;
  }

  /**
   * One candidate replaces the word at the cursor (plus a space, to type the next word at once);
   * several extend it to their common prefix, or are listed on a second Tab in a row.
   */
  #tab(again: boolean): void {
    const line = this.#line;
    const cursor = this.#cursor;
    let start = cursor;
    while (start > 0 && !SPACE.test(line.charAt(start - 1))) start--;
    let end = cursor;
    while (end < line.length && !SPACE.test(line.charAt(end))) end++;
    const found = [...new Set(this.#complete(line, cursor))];
    const [only] = found;
    if (only === undefined) {
      this.#out += BELL;
    } else if (found.length === 1) {
      const spaced = end < line.length;
      const next = line.slice(0, start) + only + (spaced ? "" : " ") + line.slice(end);
      this.#set(next, start + only.length + 1);
    } else {
      const typed = line.slice(start, cursor);
      const prefix = commonPrefix(found);
      if (prefix.length > typed.length && prefix.startsWith(typed)) {
        this.#set(line.slice(0, start) + prefix + line.slice(cursor), start + prefix.length);
      } else if (!again) {
        this.#out += BELL;
      } else {
        this.#moveToEnd();
        this.#out += "\r\n" + found.join(" ") + "\r\n";
        this.#cursor = cursor;
        this.#dirty = true;
      }
    }
  }

  #insert(text: string): void {
    const c = this.#cursor;
    this.#set(this.#line.slice(0, c) + text + this.#line.slice(c), c + text.length);
  }

  #set(line: string, cursor: number): void {
    if (line === this.#line && cursor === this.#cursor) return;
    this.#line = line;
    this.#cursor = cursor;
    this.#dirty = true;
  }

  /** Ends the line: the cursor goes after it, so the caller's output starts on the next line. */
  #finish(line: string | null): { line: string | null } {
    this.#moveToEnd();
    this.#out += "\r\n";
    return { line };
  }

  #moveToEnd(): void {
    const tail = codePoints(this.#line.slice(this.#cursor));
    this.#cursor = this.#line.length;
    if (this.#dirty) this.#render();
    else if (tail > 0) this.#out += `\x1b[${tail}C`;
  }

  /** Whole-line redraw: simple, and right whatever the edit was. */
  #render(): void {
    const tail = codePoints(this.#line.slice(this.#cursor));
    this.#out += "\r" + this.#prompt + this.#line + "\x1b[K" + (tail > 0 ? `\x1b[${tail}D` : "");
    this.#dirty = false;
  }

  async #flush(): Promise<void> {
    if (this.#dirty) this.#render();
    const s = this.#out;
    this.#out = "";
    if (s !== "") await this.#output(s);
  }

  #rawMode(on: boolean): void {
    if (this.#setRaw === undefined || this.#raw === on) return;
    this.#setRaw(on);
    this.#raw = on;
  }

  #remember(line: string): void {
    if (line.trim() === "" || this.#history.at(-1) === line) return;
    this.#history.push(line);
    if (this.#history.length > this.#limit) {
      this.#history.splice(0, this.#history.length - this.#limit);
    }
  }
}

/**
 * Length of the key at `s[i]`: one code point, or a whole escape sequence (CSI `ESC [ … final`,
 * SS3 `ESC O x`; an Alt-key `ESC x` is swallowed). 0 when the sequence may continue in the next
 * chunk; at end of input whatever is there counts, so nothing waits forever.
 */
function keyLength(s: string, i: number, eof: boolean): number {
  if (s.charCodeAt(i) !== 0x1b) return charLengthAt(s, i);
  const rest = s.length - i;
  if (rest < 2) return eof ? 1 : 0;
  const next = s.charAt(i + 1);
  if (next === "\x1b") return 1;
  if (next === "O") return rest >= 3 ? 3 : eof ? rest : 0;
  if (next !== "[") return 1 + charLengthAt(s, i + 1);
  for (let j = i + 2; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c >= 0x40 && c <= 0x7e) return j - i + 1;
    // Not a parameter or intermediate byte: a broken sequence, dropped up to here.
    if (c < 0x20 || c > 0x3f) return j - i;
  }
  return eof ? rest : 0;
}

function isPrintable(seq: string): boolean {
  const c = seq.codePointAt(0) ?? 0;
  return seq.length === charLengthAt(seq, 0) && c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c < 0xa0);
}

/** UTF-16 length of the code point at `i` (0 at the end), so a cursor never splits a pair. */
function charLengthAt(s: string, i: number): number {
  if (i >= s.length) return 0;
  return (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
}

function charLengthBefore(s: string, i: number): number {
  if (i <= 0) return 0;
  const low = s.charCodeAt(i - 1);
  const high = s.charCodeAt(i - 2);
  return i >= 2 && low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? 2 : 1;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i += charLengthAt(s, i)) n++;
  return n;
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? "";
  for (const w of words) {
    let n = 0;
    while (n < prefix.length && n < w.length && prefix.charCodeAt(n) === w.charCodeAt(n)) n++;
    prefix = prefix.slice(0, n);
  }
  // Never end on half a surrogate pair.
  const last = prefix.charCodeAt(prefix.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? prefix.slice(0, -1) : prefix;
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
