import type { AuditSink } from "../util/audit_sink.ts";
import { adminText, auditTime, jobText } from "./audit_line.ts";
import { AuditFile, type AuditFileOptions } from "./audit_file.ts";

/** Actions that are never written (`audit.md` §6); the call returns "". */
const EXCLUDED = new Set([
  "_check_session",
  "_commands",
  "__aux_command__",
  "scheduler.check_resource",
]);
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * A site's audit trail (`audit.md` §1, §7): `<workspace>/audit.log` for every event, and for job
 * events also `<workspace>/<job_id>/audit.log` (an independent chain, opened on demand). Every call
 * returns the new event id; after `close()` calls return "" and write nothing.
 */
export class SiteAuditor implements AuditSink {
  readonly #workspace: string;
  readonly #site: AuditFile;
  readonly #jobs = new Map<string, Promise<AuditFile>>();
  readonly #opts: AuditFileOptions;
  #closed = false;

  private constructor(workspace: string, site: AuditFile, opts: AuditFileOptions) {
    this.#workspace = workspace;
    this.#site = site;
    this.#opts = opts;
  }

  /** Opens (or continues) the site's `audit.log` in `workspace`. */
  static async open(workspace: string, opts: AuditFileOptions = {}): Promise<SiteAuditor> {
    return new SiteAuditor(workspace, await AuditFile.open(`${workspace}/audit.log`, opts), opts);
  }

  /** Head hash and line count of the site log (for anchoring at the server). */
  get head(): { hash: string; lines: number } {
    return { hash: this.#site.head, lines: this.#site.lines };
  }

  async addEvent(e: { user: string; action: string; ref?: string; msg?: string }): Promise<string> {
    if (this.#closed || EXCLUDED.has(e.action.split(" ")[0]!)) return "";
    const id = crypto.randomUUID();
    await this.#site.append(adminText({
      id,
      time: auditTime(),
      user: e.user,
      action: e.action,
      ...(e.ref ? { ref: e.ref } : {}),
      ...(e.msg !== undefined ? { msg: e.msg } : {}),
    }));
    return id;
  }

  async addJobEvent(e: {
    jobId: string;
    scope?: string;
    taskName?: string;
    taskId?: string;
    ref?: string;
    msg?: string;
  }): Promise<string> {
    if (this.#closed) return "";
    if (!JOB_ID.test(e.jobId)) {
      throw new TypeError(`Job id "${e.jobId}" cannot name an audit folder`);
    }
    const id = crypto.randomUUID();
    const text = jobText({
      id,
      time: auditTime(),
      jobId: e.jobId,
      ...(e.ref ? { ref: e.ref } : {}),
      ...(e.scope !== undefined ? { scope: e.scope } : {}),
      ...(e.taskName !== undefined || e.taskId !== undefined
        ? { task: `${e.taskName ?? "?"}#${e.taskId ?? "?"}` }
        : {}),
      ...(e.msg !== undefined ? { msg: e.msg } : {}),
    });
    let job = this.#jobs.get(e.jobId);
    if (!job) {
      job = AuditFile.open(`${this.#workspace}/${e.jobId}/audit.log`, this.#opts);
      this.#jobs.set(e.jobId, job);
    }
    await Promise.all([this.#site.append(text), (await job).append(text)]);
    return id;
  }

  /** Closes a finished job's audit file. */
  async closeJob(jobId: string): Promise<void> {
    const job = this.#jobs.get(jobId);
    this.#jobs.delete(jobId);
    await (await job)?.close();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#jobs.keys()]) await this.closeJob(id);
    await this.#site.close();
  }
}
