import { basename, dirname } from "node:path";
import { adminText, auditTime, chainHash, parseLine, ZERO_HASH } from "./audit_line.ts";

const OPEN = new Set<string>();
const enc = new TextEncoder();

/** Options of `AuditFile.open()`. */
export interface AuditFileOptions {
  /** Size after which the file is rotated (`audit_max_bytes`, default 104857600). */
  maxBytes?: number;
  /** How often dirty data is synced to disk (default 1000 ms). */
  syncMs?: number;
}

/**
 * One audit file with its hash chain (`audit.md` §1–3): the only writer of that file (in this
 * process, and across processes through an exclusive lock). Lines are appended in call order and
 * never interleave; data is synced at least once a second and on close. A file found ending in a
 * partial line (a crash mid-write) gets a newline and an `_audit_recover` event; a file past
 * `maxBytes` is renamed `audit.log.<n>` and a new chain starts from its last hash.
 */
export class AuditFile {
  readonly path: string;
  #file: Deno.FsFile;
  #size: number;
  #head: string;
  #lines: number;
  readonly #maxBytes: number;
  /** Lines hashed but not written yet; `null` marks a rotation point. */
  #pending: (Uint8Array | null)[] = [];
  /** Bytes of the current file once everything pending is written. */
  #projected: number;
  #flushing: Promise<void> | undefined;
  #dirty = false;
  readonly #timer: ReturnType<typeof setInterval>;
  #closed = false;

  private constructor(
    path: string,
    file: Deno.FsFile,
    size: number,
    head: string,
    lines: number,
    opts: AuditFileOptions,
  ) {
    this.path = path;
    this.#file = file;
    this.#size = size;
    this.#projected = size;
    this.#head = head;
    this.#lines = lines;
    this.#maxBytes = opts.maxBytes ?? 104_857_600;
    this.#timer = setInterval(() => void this.#sync(), opts.syncMs ?? 1000);
  }

  /** The hash of the last line written (the chain head). */
  get head(): string {
    return this.#head;
  }

  /** Lines in the current file. */
  get lines(): number {
    return this.#lines;
  }

  static async open(path: string, opts: AuditFileOptions = {}): Promise<AuditFile> {
    await Deno.mkdir(dirname(path), { recursive: true });
    const key = `${await Deno.realPath(dirname(path))}/${basename(path)}`;
    if (OPEN.has(key)) throw new Error(`Audit file "${path}" already has a writer in this process`);
    OPEN.add(key);
    try {
      const file = await Deno.open(path, { read: true, append: true, create: true });
      try {
        await file.lock(true).catch((cause) => {
          throw new Error(`Audit file "${path}" is locked by another writer`, { cause });
        });
        const size = (await file.stat()).size;
        const af = new AuditFile(key, file, size, ZERO_HASH, 0, opts);
        if (size === 0) await af.#start(ZERO_HASH);
        else await af.#resume();
        return af;
      } catch (err) {
        file.close();
        throw err;
      }
    } catch (err) {
      OPEN.delete(key);
      throw err;
    }
  }

  /** Reads the end of the file: continues its chain, or recovers from a partial last line. */
  async #resume(): Promise<void> {
    const tail = await this.#readTail();
    const endsClean = tail.endsWith("\n");
    const body = endsClean ? tail.slice(0, -1) : tail.slice(0, tail.lastIndexOf("\n"));
    const partialAt = endsClean
      ? -1
      : this.#size - enc.encode(tail.slice(tail.lastIndexOf("\n") + 1)).length;
    const last = body.slice(body.lastIndexOf("\n") + 1);
    const parsed = last ? parseLine(last) : "malformed_line";
    if (typeof parsed === "string") {
      throw new Error(
        `Audit file "${this.path}" does not end in a valid line (${parsed}): run "deno task audit verify" on it and move it aside`,
      );
    }
    this.#head = parsed.hash;
    this.#lines = await this.#countLines();
    if (partialAt >= 0) {
      await this.#write(enc.encode("\n"));
      await this.append(adminText({
        id: crypto.randomUUID(),
        time: auditTime(),
        user: "system",
        action: "_audit_recover",
        msg: `partial line at byte ${partialAt} ignored`,
      }));
    }
  }

  /** The last complete line and anything after it (read backwards in growing chunks). */
  async #readTail(): Promise<string> {
    let chunk = 64 * 1024;
    for (;;) {
      const from = Math.max(0, this.#size - chunk);
      const buf = new Uint8Array(this.#size - from);
      await this.#file.seek(from, Deno.SeekMode.Start);
      for (let at = 0; at < buf.length;) {
        const n = await this.#file.read(buf.subarray(at));
        if (n === null) break;
        at += n;
      }
      const text = new TextDecoder().decode(buf);
      const trimmed = text.endsWith("\n")
        ? text.slice(0, -1)
        : text.slice(0, text.lastIndexOf("\n"));
      if (from === 0 || trimmed.lastIndexOf("\n") >= 0) return text;
      chunk *= 4;
    }
  }

  /** Complete lines in the file (anchors report the count). */
  async #countLines(): Promise<number> {
    await this.#file.seek(0, Deno.SeekMode.Start);
    const buf = new Uint8Array(1024 * 1024);
    let lines = 0;
    for (;;) {
      const n = await this.#file.read(buf);
      if (n === null) return lines;
      for (let i = 0; i < n; i++) if (buf[i] === 10) lines++;
    }
  }

  async #start(prev: string): Promise<void> {
    this.#head = prev;
    this.#lines = 0;
    await this.append(adminText({
      id: crypto.randomUUID(),
      time: auditTime(),
      user: "system",
      action: "_audit_start",
      msg: `prev=${prev} file=${basename(this.path)}`,
    }));
  }

  /**
   * Appends `text` (a line without its hash) to the chain; resolves once it is written. Lines are
   * hashed in call order at once; whatever is pending is written in one write call, and a
   * rotation point is fixed here, so the next file's `_audit_start` chains from the right line.
   */
  append(text: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#projected > this.#maxBytes && this.#projected > 0) {
      this.#pending.push(null);
      this.#projected = 0;
      this.#lines = 0;
      this.#push(adminText({
        id: crypto.randomUUID(),
        time: auditTime(),
        user: "system",
        action: "_audit_start",
        msg: `prev=${this.#head} file=${basename(this.path)}`,
      }));
    }
    this.#push(text);
    this.#flushing ??= this.#flush().finally(() => this.#flushing = undefined);
    return this.#flushing;
  }

  #push(text: string): void {
    const hash = chainHash(this.#head, text);
    this.#head = hash;
    const line = enc.encode(`${text}[H:${hash}]\n`);
    this.#pending.push(line);
    this.#projected += line.length;
    this.#lines++;
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      let run: Uint8Array[] = [];
      for (const item of batch) {
        if (item !== null) {
          run.push(item);
          continue;
        }
        await this.#writeAll(run);
        run = [];
        await this.#rotate();
      }
      await this.#writeAll(run);
    }
  }

  async #writeAll(lines: Uint8Array[]): Promise<void> {
    if (lines.length === 0) return;
    const total = lines.reduce((a, l) => a + l.length, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const l of lines) {
      buf.set(l, at);
      at += l.length;
    }
    await this.#write(buf);
  }

  async #write(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length;) at += await this.#file.write(bytes.subarray(at));
    this.#size += bytes.length;
    this.#dirty = true;
  }

  /** Renames the full file to `audit.log.<n>` and opens a new one (its first line is pending). */
  async #rotate(): Promise<void> {
    await this.#file.sync();
    let n = 1;
    while (await Deno.stat(`${this.path}.${n}`).then(() => true, () => false)) n++;
    await Deno.rename(this.path, `${this.path}.${n}`);
    this.#file.close();
    this.#file = await Deno.open(this.path, { read: true, append: true, createNew: true });
    await this.#file.lock(true);
    this.#size = 0;
  }

  async #sync(): Promise<void> {
    if (!this.#dirty || this.#closed) return;
    this.#dirty = false;
    await this.#file.sync().catch(() => {});
  }

  /** Waits for writes in progress, syncs, releases the file. Later appends write nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#flushing;
    await this.#file.sync().catch(() => {});
    this.#file.close();
    OPEN.delete(this.path);
  }
}
