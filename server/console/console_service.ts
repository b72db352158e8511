import {
  type AuthorizationDecision,
  AuthorizationError,
  type AuthorizationRequest,
  type ConsoleCommand,
  lookupCommand,
} from "../../policies/mod.ts";
import type { JobRecord } from "../jobs/job_record.ts";
import type { JobScheduler } from "../jobs/job_scheduler.ts";
import type { JobStore } from "../jobs/job_store.ts";
import type { AuditSink } from "../server_context.ts";
import type { LiveSession } from "../sessions/session_registry.ts";

/** The answer to one console command (`admin.reply`). */
export interface ConsoleReply {
  ok: boolean;
  message: string;
  code?: string;
  data?: unknown;
}

/** What the console commands reach on the server. */
export interface ConsoleDeps {
  store: JobStore;
  scheduler: JobScheduler;
  audit: AuditSink;
  authorize: (request: AuthorizationRequest) => AuthorizationDecision;
  siteOrg: string;
}

/** A refusal with its code, turned into an `ok: false` reply. */
class Refusal extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

type Handler = (
  session: LiveSession,
  args: string[],
  job: JobRecord | undefined,
) => Promise<ConsoleReply>;

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

/**
 * Console commands the server answers (`authorization.md` §6): looks the command up in the table
 * (`UNKNOWN_COMMAND` otherwise), authorizes it against the server's own policy with the job's
 * recorded submitter for job commands, audits the command line (`denied: <code>` on refusal), and
 * runs it.
 */
export class ConsoleService {
  readonly #d: ConsoleDeps;
  readonly #handlers = new Map<string, Handler>();

  constructor(deps: ConsoleDeps) {
    this.#d = deps;
    this.#handlers.set("list_jobs", (_s, args) => this.#listJobs(args));
    this.#handlers.set("get_job_meta", (_s, _a, job) => {
      const summary = this.#summary(job!);
      return Promise.resolve({
        ok: true,
        message: JSON.stringify(summary, null, 2),
        data: { ...summary, meta: job!.meta },
      });
    });
    this.#handlers.set("abort_job", async (s, _a, job) => {
      const done = await this.#d.scheduler.abort(job!.job_id, `aborted by ${s.name}`);
      if (!done) throw new Refusal("JOB_NOT_RUNNING", `job ${job!.job_id} is ${job!.status}`);
      return { ok: true, message: `Abort requested for job ${job!.job_id}` };
    });
  }

  async run(session: LiveSession, name: string, args: string[]): Promise<ConsoleReply> {
    const line = [name, ...args].join(" ").slice(0, 100);
    const user = { name: session.name, org: session.org, role: session.role ?? "" };
    try {
      const command = lookupCommand(name);
      const handler = this.#handlers.get(name);
      if (!handler) {
        throw new Refusal("NOT_IMPLEMENTED", `Command "${name}" is not served by this server yet`);
      }
      // Job commands (first argument `<job_id>` in the table) are authorized with the job's
      // recorded submitter.
      const job = command.usage.split(" ")[1] === "<job_id>" ? this.#job(args[0]) : undefined;
      this.#authorize(command, user, job);
      await this.#d.audit.addEvent({ user: session.name, action: line });
      return await handler(session, args, job);
    } catch (err) {
      if (err instanceof Refusal || err instanceof AuthorizationError) {
        await this.#d.audit.addEvent({
          user: session.name,
          action: line,
          msg: `denied: ${err.code}`,
        });
        return { ok: false, code: err.code, message: err.message };
      }
      throw err;
    }
  }

  /** A job's summary with the live progress of its controller while it runs. */
  #summary(job: JobRecord): Record<string, unknown> {
    const progress = this.#d.scheduler.runner(job.job_id)?.progress;
    return { ...jobSummary(job), ...(progress ? { progress } : {}) };
  }

  #job(id: string | undefined): JobRecord {
    if (!id) throw new Refusal("BAD_COMMAND_ARGS", "a job id is required");
    const job = this.#d.store.get(id);
    if (!job) throw new Refusal("JOB_NOT_FOUND", `no job "${id}"`);
    return job;
  }

  #authorize(
    command: ConsoleCommand,
    user: { name: string; org: string; role: string },
    job: JobRecord | undefined,
  ): void {
    const decision = this.#d.authorize({
      right: command.right,
      user,
      submitter: job ? job.submitter : null,
      siteOrg: this.#d.siteOrg,
    });
    if (!decision.allowed) {
      const e = AuthorizationError.notAuthorized(user.name, command.right);
      throw new AuthorizationError("NOT_AUTHORIZED", `Authorization Error: ${e.message}`);
    }
  }

  #listJobs(args: string[]): Promise<ConsoleReply> {
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
      else if (a.startsWith("-")) throw new Refusal("BAD_COMMAND_ARGS", `unknown option "${a}"`);
      else prefix = a;
    }
    if (!(max > 0)) throw new Refusal("BAD_COMMAND_ARGS", "-m needs a positive number");
    let jobs = this.#d.store.list().filter((j) =>
      (!prefix || j.job_id.startsWith(prefix)) && (!name || j.name.startsWith(name))
    );
    if (reverse) jobs = jobs.reverse();
    jobs = jobs.slice(0, max);
    const rows = jobs.map((j) => this.#summary(j));
    return Promise.resolve({
      ok: true,
      message: jobs.length === 0
        ? "No jobs."
        : jobs.map((j) => `${j.job_id}  ${j.status.padEnd(28)} ${j.name}  (${j.submitter.name})`)
          .join("\n"),
      data: rows,
    });
  }
}
