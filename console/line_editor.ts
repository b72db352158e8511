/** Options of {@linkcode LineEditor}. */
export interface LineEditorOptions {
  input: ReadableStream<Uint8Array>;
  output: (text: string) => void;
  /** Edit in raw mode (arrows, history, completion); otherwise read plain lines. */
  terminal: boolean;
  setRaw?: (raw: boolean) => void;
  /** Candidates for the word before the cursor. */
  complete: (line: string, cursor: number) => string[];
  history?: string[];
  historyLimit?: number;
}

const ESC_KEYS: Record<string, string> = {
  "[A": "up",
  "[B": "down",
  "[C": "right",
  "[D": "left",
  "[H": "home",
  "[F": "end",
  "[1~": "home",
  "[4~": "end",
  "[3~": "delete",
  OA: "up",
  OB: "down",
  OC: "right",
  OD: "left",
  OH: "home",
  OF: "end",
};

/**
 * The console's line input: in a terminal, raw-mode editing with history (up/down), tab
 * completion (a second tab lists the candidates), Ctrl-A/E/U/K/W, Ctrl-C to clear the line and
 * Ctrl-D to leave; elsewhere plain lines. Input past the current line (a paste) is kept for the
 * next `readLine()`. Raw mode is on only while a line is being read, so command output prints
 * normally.
 */
export class LineEditor {
  readonly #o: LineEditorOptions;
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly #history: string[];
  #pending = "";
  #eof = false;

  constructor(options: LineEditorOptions) {
    this.#o = options;
    this.#reader = options.input.pipeThrough(new TextDecoderStream()).getReader();
    this.#history = [...options.history ?? []];
  }

  /** Lines entered so far, oldest first. */
  get history(): readonly string[] {
    return this.#history;
  }

  /** Reads one line; null at the end of input (or Ctrl-D on an empty line). */
  async readLine(prompt: string): Promise<string | null> {
    const line = this.#o.terminal ? await this.#edit(prompt) : await this.#plain(prompt);
    if (line !== null && line.trim() !== "" && this.#history.at(-1) !== line) {
      this.#history.push(line);
      this.#history.splice(0, Math.max(0, this.#history.length - (this.#o.historyLimit ?? 500)));
    }
    return line;
  }

  close(): void {
    if (this.#o.terminal) this.#o.setRaw?.(false);
    void this.#reader.cancel().catch(() => {});
  }

  /** More input, or false at its end. */
  async #more(): Promise<boolean> {
    if (this.#eof) return false;
    const { value, done } = await this.#reader.read();
    if (done) {
      this.#eof = true;
      return false;
    }
    this.#pending += value;
    return true;
  }

  async #plain(prompt: string): Promise<string | null> {
    this.#o.output(prompt);
    for (;;) {
      const nl = this.#pending.indexOf("\n");
      if (nl >= 0) {
        const line = this.#pending.slice(0, nl).replace(/\r$/, "");
        this.#pending = this.#pending.slice(nl + 1);
        return line;
      }
      if (!await this.#more()) {
        const last = this.#pending;
        this.#pending = "";
        return last === "" ? null : last;
      }
    }
  }

  async #edit(prompt: string): Promise<string | null> {
    const out = this.#o.output;
    this.#o.setRaw?.(true);
    let line = "";
    let cursor = 0;
    let walk = this.#history.length;
    let draft = "";
    let tabs = 0;
    const redraw = () => {
      const back = line.length - cursor;
      out(`\r${prompt}${line}\x1b[K${back > 0 ? `\x1b[${back}D` : ""}`);
    };
    const set = (text: string) => {
      line = text;
      cursor = text.length;
      redraw();
    };
    out(prompt);
    try {
      for (;;) {
        if (this.#pending === "" && !await this.#more()) return line === "" ? null : line;
        const ch = this.#pending[0]!;
        let used = 1;
        const wasTab = ch === "\t";
        if (ch === "\r" || ch === "\n") {
          if (ch === "\r" && this.#pending[1] === "\n") used = 2;
          this.#pending = this.#pending.slice(used);
          out("\r\n");
          return line;
        } else if (ch === "\x1b") {
          // An escape sequence may arrive split across reads.
          if (this.#pending.length < 3 && await this.#more() && this.#pending.length < 3) {
            await this.#more();
          }
          const seq = Object.keys(ESC_KEYS).find((k) => this.#pending.startsWith(k, 1));
          used = seq ? seq.length + 1 : 1;
          const key = seq ? ESC_KEYS[seq] : undefined;
          if (key === "left" && cursor > 0) cursor--;
          else if (key === "right" && cursor < line.length) cursor++;
          else if (key === "home") cursor = 0;
          else if (key === "end") cursor = line.length;
          else if (key === "delete") line = line.slice(0, cursor) + line.slice(cursor + 1);
          else if (key === "up" && walk > 0) {
            if (walk === this.#history.length) draft = line;
            walk--;
            set(this.#history[walk]!);
          } else if (key === "down" && walk < this.#history.length) {
            walk++;
            set(walk === this.#history.length ? draft : this.#history[walk]!);
          }
          redraw();
        } else if (ch === "\x7f" || ch === "\b") {
          if (cursor > 0) {
            line = line.slice(0, cursor - 1) + line.slice(cursor);
            cursor--;
          }
          redraw();
        } else if (ch === "\x03") {
          out("^C\r\n");
          line = "";
          cursor = 0;
          out(prompt);
        } else if (ch === "\x04") {
          if (line === "") {
            out("\r\n");
            this.#pending = this.#pending.slice(1);
            return null;
          }
          line = line.slice(0, cursor) + line.slice(cursor + 1);
          redraw();
        } else if (ch === "\x01") cursor = 0, redraw();
        else if (ch === "\x05") cursor = line.length, redraw();
        else if (ch === "\x15") line = line.slice(cursor), cursor = 0, redraw();
        else if (ch === "\x0b") line = line.slice(0, cursor), redraw();
        else if (ch === "\x17") {
          const start = line.slice(0, cursor).replace(/\S+\s*$/, "").length;
          line = line.slice(0, start) + line.slice(cursor);
          cursor = start;
          redraw();
        } else if (ch === "\x0c") out("\x1b[H\x1b[2J"), redraw();
        else if (wasTab) {
          tabs++;
          const word = /\S*$/.exec(line.slice(0, cursor))![0];
          const found = this.#o.complete(line, cursor);
          if (found.length === 0) out("\x07");
          else if (found.length === 1) {
            const insert = `${found[0]!.slice(word.length)} `;
            line = line.slice(0, cursor) + insert + line.slice(cursor);
            cursor += insert.length;
            redraw();
          } else {
            const common = commonPrefix(found);
            if (common.length > word.length) {
              const insert = common.slice(word.length);
              line = line.slice(0, cursor) + insert + line.slice(cursor);
              cursor += insert.length;
              redraw();
            } else if (tabs >= 2) {
              out(`\r\n${found.join("  ")}\r\n`);
              redraw();
            } else out("\x07");
          }
        } else if (ch >= " ") {
          line = line.slice(0, cursor) + ch + line.slice(cursor);
          cursor++;
          redraw();
        }
        if (!wasTab) tabs = 0;
        this.#pending = this.#pending.slice(used);
      }
    } finally {
      this.#o.setRaw?.(false);
    }
  }
}

function commonPrefix(words: string[]): string {
  let p = words[0] ?? "";
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Completes the command name (the first word) from `words`; later words get none. */
export function completeCommand(
  words: readonly string[],
): (line: string, cursor: number) => string[] {
  return (line, cursor) => {
    const before = line.slice(0, cursor);
    if (/^\s*\S*\s/.test(before)) return [];
    const word = before.trimStart();
    return [...new Set(words.filter((w) => w.startsWith(word)))].sort();
  };
}
