import type { PrivacyPolicy } from "../../core/filters/mod.ts";
import { type LogLevel, processInfo } from "../../core/launch/mod.ts";
import { isShellCommand, parseShellCommand, runShellCommand } from "../../core/shell/mod.ts";
import { CommandRefusal } from "../../policies/mod.ts";
import { FINAL_STATUSES, type JobRecord } from "../jobs/job_record.ts";
import type { JobScheduler } from "../jobs/job_scheduler.ts";
import type { JobStore } from "../jobs/job_store.ts";
import type { LiveSession, SessionRegistry } from "../sessions/session_registry.ts";
import type { ConsoleReply } from "./console_service.ts";

/** What the server's own part of console commands reaches. */
export interface ServerCommandsOptions {
  store: JobStore;
  scheduler: JobScheduler;
  sessions: SessionRegistry;
  /** The server workspace (its kit folder): job audit logs live here; the shell's jail. */
  workspace: string;
  serverName: string;
  privacy: () => PrivacyPolicy | undefined;
  /** The server process's log level (`configure_site_log server`). */
  logLevel: { value: LogLevel };
  maxJobs: number;
  started: Date;
  /** Stops the server after the reply went out; `restart` asks its supervisor to start it again. */
  stop?: (restart: boolean) => void;
}

const ok = (message: string, data?: unknown): ConsoleReply => ({
  ok: true,
  message,
  ...(data === undefined ? {} : { data }),
});

/**
 * The server's part of each console command, after the command was looked up, its arguments
 * checked and the server's policy consulted (`ConsoleService`). Refusals come back as `ok: false`.
 */
export class ServerCommands {
  readonly #o: ServerCommandsOptions;

  constructor(options: ServerCommandsOptions) {
    this.#o = options;
  }

  async run(
    name: string,
    args: string[],
    job: JobRecord | undefined,
    session: LiveSession,
  ): Promise<ConsoleReply> {
    try {
      return await this.#run(name, args, job, session);
    } catch (err) {
      if (err instanceof CommandRefusal) return { ok: false, code: err.code, message: err.message };
      if (err instanceof Deno.errors.NotFound) {
        return { ok: false, code: "FILE_NOT_FOUND", message: err.message };
      }
      throw err;
    }
  }

  async #run(
    name: string,
    args: string[],
    job: JobRecord | undefined,
    session: LiveSession,
  ): Promise<ConsoleReply> {
    const o = this.#o;
    const { store, scheduler } = o;
    if (isShellCommand(name)) {
      const output = await runShellCommand(o.workspace, parseShellCommand(name, args));
      return ok(output, { output });
    }
    switch (name) {
      case "check_status":
      case "admin_check_status": {
        const sites = o.sessions.sites().map((s) => ({
          name: s.name,
          org: s.org,
          address: s.address,
          last_seen: new Date(s.lastSeen).toISOString(),
        }));
        const running = store.withStatus("RUNNING", "DISPATCHED").map((j) => j.job_id);
        return ok(
          `server ${o.serverName}: running since ${o.started.toISOString()}, ` +
            `${sites.length} site(s) connected: ${
              sites.map((s) => s.name).join(", ") || "none"
            }; ` +
            `${running.length} job(s) running`,
          { server: o.serverName, status: "running", sites, running_jobs: running },
        );
      }
      case "show_scopes": {
        const p = o.privacy();
        const scopes = p ? [...p.scopes.keys()] : [];
        return ok(
          p ? `scopes: ${scopes.join(", ")} (default ${p.defaultScope ?? "none"})` : "no scopes",
          { scopes, ...(p?.defaultScope ? { default_scope: p.defaultScope } : {}) },
        );
      }
      case "list_jobs":
        return this.#listJobs(args);
      case "get_job_meta": {
        const summary = this.#summary(job!);
        return ok(JSON.stringify(summary, null, 2), { ...summary, meta: job!.meta });
      }
      case "show_stats": {
        const summary = this.#summary(job!);
        return ok(JSON.stringify(summary), summary);
      }
      case "show_errors": {
        const runner = scheduler.runner(job!.job_id);
        const errors = runner ? [...runner.errors] : [];
        const refusals = Object.entries(job!.sites ?? {}).filter(([, s]) => s.reason)
          .map(([site, s]) => ({ site, error: s.reason! }));
        return ok(
          [...(job!.failure ? [job!.failure] : []), ...errors.map((e) => `${e.site}: ${e.error}`)]
            .join("\n") || "no errors",
          { errors, refusals, ...(job!.failure ? { failure: job!.failure } : {}) },
        );
      }
      case "reset_errors": {
        const runner = scheduler.runner(job!.job_id);
        const n = runner?.errors.length ?? 0;
        runner?.errors.splice(0);
        return ok(`${n} error(s) reset`, { reset: n });
      }
      case "list_job": {
        const files = (await store.files(job!.job_id)).map((f) => ({
          path: f.path,
          size: f.data.length,
          mode: f.mode,
        }));
        return ok(files.map((f) => `${String(f.size).padStart(10)}  ${f.path}`).join("\n"), {
          ...this.#summary(job!),
          files,
        });
      }
      case "clone_job": {
        const files = await store.files(job!.job_id);
        return ok(`${files.length} file(s) of job ${job!.job_id}`, { name: job!.name, files });
      }
      case "abort_job": {
        if (FINAL_STATUSES.has(job!.status)) {
          throw new CommandRefusal("JOB_NOT_RUNNING", `job ${job!.job_id} is ${job!.status}`);
        }
        const done = await scheduler.abort(job!.job_id, `aborted by ${session.name}`);
        if (!done) {
          throw new CommandRefusal("JOB_NOT_RUNNING", `job ${job!.job_id} is ${job!.status}`);
        }
        return ok(`Abort requested for job ${job!.job_id}`);
      }
      case "delete_job": {
        if (!FINAL_STATUSES.has(job!.status)) {
          throw new CommandRefusal(
            "JOB_RUNNING",
            `job ${job!.job_id} is ${job!.status}; abort it first`,
          );
        }
        await store.delete(job!.job_id);
        return ok(`Deleted job ${job!.job_id}`);
      }
      case "delete_workspace": {
        if (!FINAL_STATUSES.has(job!.status)) {
          throw new CommandRefusal(
            "JOB_RUNNING",
            `job ${job!.job_id} is ${job!.status}; abort it first`,
          );
        }
        await Deno.remove(store.runDir(job!.job_id), { recursive: true }).catch((err) => {
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        });
        return ok(`Deleted the server workspace of job ${job!.job_id} (its audit log stays)`);
      }
      case "configure_job_log": {
        const runner = scheduler.runner(job!.job_id);
        if (!runner) {
          throw new CommandRefusal("JOB_NOT_RUNNING", `job ${job!.job_id} is ${job!.status}`);
        }
        runner.logLevel = args[0] as LogLevel; // a level: ConsoleService checked it
        return ok(`job ${job!.job_id} logs at ${runner.logLevel}`, { log_level: runner.logLevel });
      }
      case "configure_site_log":
        o.logLevel.value = args[0] as LogLevel; // a level: ConsoleService checked it
        return ok(`server logs at ${o.logLevel.value}`, { log_level: o.logLevel.value });
      case "download_job":
        return await this.#download(job!);
      case "download_job_file": {
        const run = store.runDir(job!.job_id);
        if (!args[0]) {
          const files = await listFiles(run);
          return ok(files.join("\n"), { files });
        }
        return ok(args[0], { path: args[0], data: await readRunFile(job!.job_id, run, args[0]) });
      }
      case "download_job_components": {
        const files = await store.files(job!.job_id);
        const wanted = args[0] ? files.filter((f) => f.path === safePath(args[0]!)) : files;
        if (args[0] && wanted.length === 0) {
          throw new CommandRefusal("FILE_NOT_FOUND", `job ${job!.job_id} has no file "${args[0]}"`);
        }
        return ok(`${wanted.length} file(s)`, { files: wanted });
      }
      case "app_command":
        throw new CommandRefusal(
          "APP_COMMAND_UNSUPPORTED",
          `the controller of job ${job!.job_id} takes no app commands (topic "${args[0] ?? ""}")`,
        );
      case "sys_info":
        return ok(
          `${Deno.build.os}/${Deno.build.arch}, Deno ${Deno.version.deno}`,
          processInfo(o.started),
        );
      case "report_resources": {
        const running = store.withStatus("RUNNING", "DISPATCHED").length;
        return ok(`${running} of ${o.maxJobs} job slots in use`, {
          max_jobs: o.maxJobs,
          running_jobs: running,
        });
      }
      case "report_env":
        return ok(`server ${o.serverName}`, {
          server: o.serverName,
          workspace: o.workspace,
          deno: Deno.version.deno,
        });
      case "shutdown":
      case "restart":
        if (!o.stop) throw new CommandRefusal("NOT_SUPPORTED", `this server cannot ${name} itself`);
        setTimeout(() => o.stop!(name === "restart"), 200);
        return ok(`server ${name} requested`);
      case "remove_client":
      case "dead": {
        const site = siteArg(args);
        o.sessions.end("site", site);
        return ok(`Ended the session of site ${site}; it may register again`);
      }
      case "disable_client": {
        const site = siteArg(args);
        o.sessions.disable(site);
        return ok(`Site ${site} is disabled until enable_client`);
      }
      case "enable_client": {
        const site = siteArg(args);
        o.sessions.enable(site);
        return ok(`Site ${site} is enabled`);
      }
      case "list_sessions": {
        const sites = o.sessions.sites().map((s) => s.name);
        return ok(`sites: ${sites.join(", ") || "none"}`, { sites });
      }
      default:
        throw new CommandRefusal("UNKNOWN_COMMAND", `"${name}" is not served by the server`);
    }
  }

  /** The job's result and the server's audit log of the job (an independent chain). */
  async #download(job: JobRecord): Promise<ConsoleReply> {
    const read = (path: string) =>
      Deno.readFile(path).catch((err) => {
        if (err instanceof Deno.errors.NotFound) return undefined;
        throw err;
      });
    const result = await read(`${this.#o.store.runDir(job.job_id)}/result.cbor`);
    const audit = await read(`${this.#o.workspace}/${job.job_id}/audit.log`);
    return ok(`job ${job.job_id}: ${job.status}`, {
      ...this.#summary(job),
      ...(result ? { result } : {}),
      ...(audit ? { audit_log: audit } : {}),
    });
  }

  /** A job's summary with the live progress of its controller while it runs. */
  #summary(job: JobRecord): Record<string, unknown> {
    const runner = this.#o.scheduler.runner(job.job_id);
    return {
      ...jobSummary(job),
      ...(runner?.progress ? { progress: runner.progress } : {}),
      ...(runner ? { tasks: { ...runner.tasks } } : {}),
    };
  }

  #listJobs(args: string[]): ConsoleReply {
    let prefix: string | undefined;
    let name: string | undefined;
    let max = Infinity;
    let reverse = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === "-n") name = args[++i];
      else if (a === "-m") max = Number(args[++i]);
      else if (a === "-r") reverse = true;
      else if (a === "-d" || a === "-u") continue;
      else if (a.startsWith("-")) {
        throw new CommandRefusal("BAD_COMMAND_ARGS", `unknown option "${a}"`);
      } else prefix = a;
    }
    if (!(max > 0)) throw new CommandRefusal("BAD_COMMAND_ARGS", "-m needs a positive number");
    let jobs = this.#o.store.list().filter((j) =>
      (!prefix || j.job_id.startsWith(prefix)) && (!name || j.name.startsWith(name))
    );
    if (reverse) jobs = jobs.reverse();
    jobs = jobs.slice(0, max);
    return ok(
      jobs.length === 0
        ? "No jobs."
        : jobs.map((j) => `${j.job_id}  ${j.status.padEnd(28)} ${j.name}  (${j.submitter.name})`)
          .join("\n"),
      jobs.map((j) => this.#summary(j)),
    );
  }
}

/** A summary of a job for listings and watchers. */
export function jobSummary(r: JobRecord): Record<string, unknown> {
  return {
    job_id: r.job_id,
    name: r.name,
    status: r.status,
    submitter: r.submitter,
    submit_time: r.submit_time,
    ...(r.start_time ? { start_time: r.start_time } : {}),
    ...(r.end_time ? { end_time: r.end_time } : {}),
    ...(r.failure ? { failure: r.failure } : {}),
    ...(r.sites ? { sites: r.sites } : {}),
    ...(r.progress ? { progress: r.progress } : {}),
  };
}

function siteArg(args: string[]): string {
  const site = args[0];
  if (!site || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(site) || args.length > 1) {
    throw new CommandRefusal(
      "BAD_COMMAND_ARGS",
      `one site name is required, got "${args.join(" ")}"`,
    );
  }
  return site;
}

/** A relative path inside a job folder: no absolute paths, no `..`. */
function safePath(path: string): string {
  if (path.startsWith("/") || path.split("/").some((s) => s === ".." || s === "")) {
    throw new CommandRefusal(
      "BAD_COMMAND_ARGS",
      `file "${path}" must be a relative path without ".."`,
    );
  }
  return path;
}

/**
 * A regular file of a job's run folder. The controller writes that folder, so the target is
 * resolved and must stay inside it: a link there cannot hand out the server's kit.
 */
async function readRunFile(jobId: string, run: string, path: string): Promise<Uint8Array> {
  const missing = () => new CommandRefusal("FILE_NOT_FOUND", `job ${jobId} has no file "${path}"`);
  const real = await Deno.realPath(`${run}/${safePath(path)}`).catch((err) => {
    if (err instanceof Deno.errors.NotFound) throw missing();
    throw err;
  });
  const root = await Deno.realPath(run);
  if (!real.startsWith(`${root}/`) || !(await Deno.stat(real)).isFile) {
    throw new CommandRefusal("BAD_COMMAND_ARGS", `file "${path}" is not a file of job ${jobId}`);
  }
  return await Deno.readFile(real);
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...await listFiles(`${dir}/${e.name}`, `${prefix}${e.name}/`));
    else if (e.isFile) out.push(`${prefix}${e.name}`);
  }
  return out.sort();
}
