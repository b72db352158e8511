import { resolve } from "node:path";
import { verifyAuditFiles } from "../core/audit/mod.ts";
import { type JobFile, stripSignatures, verifyJobFiles } from "../core/jobs/mod.ts";
import { parseCertificate } from "../core/pki/mod.ts";
import { COMMANDS } from "../policies/mod.ts";
import type { AdminReply, AdminSession } from "./admin_session.ts";
import { renderWatch, type WatchedJob } from "./render_watch.ts";
import { terminalSafe } from "./terminal_safe.ts";
import { pathExists } from "../core/util/path_exists.ts";

/** Commands the console answers itself (`authorization.md` §6). */
export const LOCAL_COMMANDS: Readonly<Record<string, string>> = {
  bye: "bye: log out and leave",
  help: "help [command]: the commands, or one command's usage",
  "?": "?: same as help",
  lpwd: "lpwd: the console's local folder",
  info: "info: who is logged in, to which server",
  timeout: "timeout [seconds]: show or set how long watch_job waits (default 3600)",
  watch_job: "watch_job <job_id>: follow a job until it ends",
};

/** Every command name, for completion. */
export const COMMAND_NAMES: readonly string[] = [
  ...Object.keys(LOCAL_COMMANDS),
  ...[...COMMANDS.values()].filter((c) => !c.hidden).map((c) => c.name),
].sort();

const FINAL = /^FINISHED|^FAILED/;

/** Where the console writes, and how. */
export interface ConsoleOutput {
  /** One line or block for people (stdout). */
  print(text: string): void;
  /** Writes raw text (in-place updates). */
  write(text: string): void;
  /** Whether stdout is a terminal (in-place watch updates). */
  terminal: boolean;
}

/**
 * The console's commands (`authorization.md` §6) over one logged-in session: the local ones, the
 * composite ones (`submit_job --watch`, `watch_job`, `clone_job`, `download_job`) and every other
 * command sent to the server as typed. With `json`, every reply is one JSON line.
 */
export class ConsoleApp {
  readonly #s: AdminSession;
  readonly #o: { json: boolean; out: ConsoleOutput; downloadDir: string; pollMs?: number };
  #timeoutS = 3600;

  constructor(
    session: AdminSession,
    options: { json: boolean; out: ConsoleOutput; downloadDir: string; pollMs?: number },
  ) {
    this.#s = session;
    this.#o = options;
  }

  /** Runs one command line (already split); true when it succeeded. */
  async run(words: string[]): Promise<boolean> {
    const [command, ...args] = words;
    if (!command) return true;
    const reply = await this.#dispatch(command, args);
    if (reply) this.#show(reply);
    return reply?.ok ?? true;
  }

  #show(reply: AdminReply): void {
    if (this.#o.json) return this.#o.out.print(JSON.stringify(reply, jsonBytes));
    // Messages carry site files and job names: never let them drive the terminal.
    const text = reply.ok ? reply.message : `${reply.code}: ${reply.message}`;
    this.#o.out.print(terminalSafe(text));
  }

  async #dispatch(command: string, args: string[]): Promise<AdminReply | undefined> {
    const s = this.#s;
    switch (command) {
      case "help":
      case "?":
        return help(args[0]);
      case "lpwd":
        return { ok: true, message: Deno.cwd(), data: { cwd: Deno.cwd() } };
      case "info":
        return {
          ok: true,
          message:
            `${s.user.name} (${s.user.org}, ${s.user.role}) on ${s.kit.project} at ${s.kit.target}`,
          data: { user: s.user, project: s.kit.project, server: s.kit.target },
        };
      case "timeout": {
        if (args[0] !== undefined) {
          const n = Number(args[0]);
          if (!(Number.isInteger(n) && n > 0)) {
            return bad(`timeout "${args[0]}" is not a whole number of seconds`);
          }
          this.#timeoutS = n;
        }
        return {
          ok: true,
          message: `timeout ${this.#timeoutS} s`,
          data: { timeout: this.#timeoutS },
        };
      }
      case "submit_job": {
        const watch = args.includes("--watch");
        const rest = args.filter((a) => a !== "--watch");
        if (rest.length !== 1) return bad("usage: submit_job <folder> [--watch]");
        const reply = await s.submitFolder(resolve(rest[0]!));
        if (!reply.ok || !watch) return reply;
        this.#show(reply);
        return await this.#watch((reply.data as { job_id: string }).job_id);
      }
      case "watch_job":
        if (args.length !== 1) return bad("usage: watch_job <job_id>");
        return await this.#watch(args[0]!);
      case "clone_job":
        if (args.length !== 1) return bad("usage: clone_job <job_id>");
        return await this.#clone(args[0]!);
      case "download_job":
        if (args.length < 1 || args.length > 2) return bad("usage: download_job <job_id> [dest]");
        return await this.#download(args[0]!, args[1]);
      default:
        return await s.command(command, args);
    }
  }

  /** Follows a job until it ends: in place on a terminal, else one line (or JSON) per change. */
  async #watch(jobId: string): Promise<AdminReply> {
    const { out } = this.#o;
    const until = Date.now() + this.#timeoutS * 1000;
    let last = "";
    let drawn = 0;
    for (let i = 0; Date.now() < until; i++) {
      const r = await this.#s.command("get_job_meta", [jobId]);
      if (!r.ok) return r;
      const job = r.data as WatchedJob;
      const text = terminalSafe(renderWatch(job));
      if (text !== last) {
        if (this.#o.json) out.print(JSON.stringify({ watch: job }));
        else if (out.terminal) {
          // Back to the first line drawn last time, then redraw below it.
          out.write(`${drawn > 0 ? `\x1b[${drawn}A\r` : ""}\x1b[J${text}\n`);
          drawn = text.split("\n").length;
        } else out.print(text);
        last = text;
      }
      if (FINAL.test(job.status)) {
        return {
          ok: job.status === "FINISHED:COMPLETED",
          message: `job ${jobId} ${job.status}${job.failure ? `: ${job.failure}` : ""}`,
          ...(job.status === "FINISHED:COMPLETED" ? {} : { code: "JOB_NOT_COMPLETED" }),
          data: job,
        };
      }
      await new Promise((ok) => setTimeout(ok, this.#o.pollMs ?? 1000));
    }
    return {
      ok: false,
      code: "TIMEOUT",
      message: `job ${jobId} did not end within ${this.#timeoutS} s`,
    };
  }

  /**
   * Verifies the job's signatures against this console's own root, strips them, signs the
   * content as this user and submits it as a clone (`jobs.md` §5).
   */
  async #clone(jobId: string): Promise<AdminReply> {
    const r = await this.#s.command("clone_job", [jobId]);
    if (!r.ok) return r;
    const { name, files } = r.data as { name: string; files: JobFile[] };
    try {
      await verifyJobFiles(files, parseCertificate(this.#s.kit.rootCaPem));
    } catch (err) {
      return {
        ok: false,
        code: "CLONE_VERIFY_FAILED",
        message: `job ${jobId} does not verify, not cloned: ${(err as Error).message}`,
      };
    }
    const signed = await this.#s.sign(stripSignatures(files));
    const reply = await this.#s.submitFiles(name, signed, { cloneOf: jobId });
    return reply.ok
      ? { ...reply, message: `Cloned job ${jobId} as ${(reply.data as { job_id: string }).job_id}` }
      : reply;
  }

  /**
   * Fetches the job's result and its audit logs from the server and every site it ran at, writes
   * them under `<dest or download dir>/<job_id>/` (all or nothing: built in a side folder, renamed
   * into place, never over an existing folder) and verifies every log's chain.
   */
  async #download(jobId: string, dest: string | undefined): Promise<AdminReply> {
    const r = await this.#s.command("download_job", [jobId]);
    const data = r.data as
      | {
        server?: Record<string, unknown> & { result?: Uint8Array; audit_log?: Uint8Array };
        sites?: Record<
          string,
          { ok: boolean; code?: string; message: string; data?: { audit_log?: Uint8Array } }
        >;
      }
      | undefined;
    if (!data?.server) return r;
    const base = resolve(dest ?? this.#o.downloadDir);
    const target = `${base}/${jobId}`;
    if (await pathExists(target)) {
      return {
        ok: false,
        code: "DEST_EXISTS",
        message: `${target} exists; remove it or pick another dest`,
      };
    }
    const side = `${base}/.partial-${jobId}-${crypto.randomUUID().slice(0, 8)}`;
    const { result, audit_log, ...summary } = data.server;
    const logs: Record<string, Uint8Array> = {};
    if (audit_log) logs.server = audit_log;
    const refused: string[] = [];
    for (const [site, a] of Object.entries(data.sites ?? {})) {
      if (a.ok && a.data?.audit_log) logs[site] = a.data.audit_log;
      else refused.push(`${site}: ${a.code ?? "NO_LOG"} ${a.message}`);
    }
    try {
      await Deno.mkdir(`${side}/audit`, { recursive: true });
      await Deno.writeTextFile(`${side}/job.json`, JSON.stringify(summary, null, 2));
      if (result) await Deno.writeFile(`${side}/result.cbor`, result);
      for (const [who, bytes] of Object.entries(logs)) {
        await Deno.writeFile(`${side}/audit/${who}.log`, bytes);
      }
      await Deno.rename(side, target);
    } catch (err) {
      await Deno.remove(side, { recursive: true }).catch(() => {});
      return { ok: false, code: "DOWNLOAD_FAILED", message: `cannot write ${target}: ${err}` };
    }
    const verdicts: Record<string, string> = {};
    for (const who of Object.keys(logs)) {
      const v = await verifyAuditFiles([`${target}/audit/${who}.log`]);
      verdicts[who] = v.ok ? `ok (${v.lines} lines)` : `FAILED: ${v.reason} at line ${v.line}`;
    }
    const broken = Object.values(verdicts).some((v) => v.startsWith("FAILED"));
    const lines = [
      `Downloaded job ${jobId} to ${target}${result ? "" : " (no result)"}`,
      ...Object.entries(verdicts).map(([who, v]) => `  audit ${who}: ${v}`),
      ...refused.map((x) => `  not downloaded: ${x}`),
    ];
    return {
      ok: !broken && refused.length === 0,
      message: lines.join("\n"),
      ...(broken ? { code: "AUDIT_CHAIN_BROKEN" } : refused.length ? { code: "PARTIAL" } : {}),
      data: { path: target, result: Boolean(result), audit: verdicts, refused },
    };
  }
}

function bad(message: string): AdminReply {
  return { ok: false, code: "BAD_COMMAND_ARGS", message };
}

function help(command: string | undefined): AdminReply {
  if (command) {
    const local = LOCAL_COMMANDS[command];
    const c = COMMANDS.get(command);
    if (!local && !c) {
      return { ok: false, code: "UNKNOWN_COMMAND", message: `no command "${command}"` };
    }
    const text = local ??
      `${c!.usage}\n  needs right "${c!.right}"; checked ${c!.checkedAt}${
        c!.note ? ` (${c!.note})` : ""
      }`;
    return { ok: true, message: text, data: { command, usage: text } };
  }
  const rows = [
    ...[...COMMANDS.values()].filter((c) => !c.hidden).map((c) => c.usage),
    "submit_job <folder> --watch",
    ...Object.values(LOCAL_COMMANDS),
  ];
  return { ok: true, message: rows.join("\n"), data: { commands: COMMAND_NAMES } };
}

/** Bytes in JSON output as their length, not as a list of numbers. */
function jsonBytes(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { bytes: value.length } : value;
}
