import { createHash } from "node:crypto";

/** The chain value before a new file's first line, when nothing precedes it. */
export const ZERO_HASH = "0".repeat(64);

// Control characters are exactly what this pattern is for.
// deno-lint-ignore no-control-regex
const C0 = /[\u0000-\u001f\u007f]/g;

/** Escapes a message (`audit.md` §2): `\`, CR, LF and other C0 controls and DEL. */
export function escapeMessage(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(
    C0,
    (c) =>
      c === "\n"
        ? "\\n"
        : c === "\r"
        ? "\\r"
        : `\\u00${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** Escapes a header value: as a message, plus `[` and `]`, so no value can forge a header. */
export function escapeHeader(s: string): string {
  return escapeMessage(s).replace(/\[/g, "\\u005b").replace(/\]/g, "\\u005d");
}

/** UTC `YYYY-MM-DD HH:MM:SS.ffffff` with microseconds from the high-resolution clock. */
export function auditTime(
  epochMicros: number = Math.floor((performance.timeOrigin + performance.now()) * 1000),
): string {
  const d = new Date(Math.floor(epochMicros / 1000));
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${
      p(epochMicros % 1_000_000, 6)
    }`;
}

/** An admin event (`audit.md` §2), before hashing. */
export interface AdminEvent {
  id: string;
  ref?: string;
  time: string;
  user: string;
  action: string;
  msg?: string;
}

/** A job event, before hashing. */
export interface JobEvent {
  id: string;
  ref?: string;
  time: string;
  scope?: string;
  jobId: string;
  /** `<task_name>#<task_id>`, or `?` parts when unknown. */
  task?: string;
  msg?: string;
}

/** `text_n`: the line without its hash. The action is cut to 100 characters before escaping. */
export function adminText(e: AdminEvent): string {
  return `[E:${escapeHeader(e.id)}]` + (e.ref ? `[R:${escapeHeader(e.ref)}]` : "") +
    `[T:${e.time}][U:${escapeHeader(e.user)}][A:${escapeHeader(e.action.slice(0, 100))}]` +
    escapeMessage(e.msg ?? "");
}

export function jobText(e: JobEvent): string {
  return `[E:${escapeHeader(e.id)}]` + (e.ref ? `[R:${escapeHeader(e.ref)}]` : "") +
    `[T:${e.time}]` + (e.scope !== undefined ? `[S:${escapeHeader(e.scope)}]` : "") +
    `[J:${escapeHeader(e.jobId)}]` + (e.task !== undefined ? `[A:${escapeHeader(e.task)}]` : "") +
    escapeMessage(e.msg ?? "");
}

/** H_n = lowercase hex SHA-256 of the 64 characters of H_(n−1) followed by the UTF-8 of text_n. */
export function chainHash(prev: string, text: string): string {
  return createHash("sha256").update(prev).update(text).digest("hex");
}

const HEAD = String
  .raw`\[E:[^\[\]]+\](?:\[R:[^\[\]]+\])?\[T:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\]`;
const ADMIN = new RegExp(`^${HEAD}\\[U:[^\\[\\]]*\\]\\[A:[^\\[\\]]*\\]`);
const JOB = new RegExp(`^${HEAD}(?:\\[S:[^\\[\\]]*\\])?\\[J:[^\\[\\]]+\\](?:\\[A:[^\\[\\]]*\\])?`);
const HASH = /\[H:([0-9a-f]{64})\]$/;

/** One parsed line: its kind, text (without hash), the hash, the action (admin events). */
export interface ParsedLine {
  kind: "admin" | "job";
  text: string;
  hash: string;
  action?: string;
  message: string;
}

/**
 * Parses a line by the grammar: only the headers the event type allows, in order; everything
 * between them and `[H:` is the message. Returns the failure reason instead when it does not parse.
 */
export function parseLine(line: string): ParsedLine | "malformed_line" | "missing_hash" {
  const admin = ADMIN.exec(line);
  const job = admin ? null : JOB.exec(line);
  const head = admin ?? job;
  if (!head) return "malformed_line";
  const h = HASH.exec(line);
  if (!h || h.index < head[0].length) return "missing_hash";
  const text = line.slice(0, h.index);
  const action = admin ? /\[A:([^\[\]]*)\]$/.exec(head[0])![1] : undefined;
  return {
    kind: admin ? "admin" : "job",
    text,
    hash: h[1]!,
    ...(action !== undefined ? { action } : {}),
    message: text.slice(head[0].length),
  };
}
