import { type LogLevel, logsAt } from "../../core/launch/log_level.ts";
import { resolveComponent } from "../../core/app_common/resolve_component.ts";
import type { AppConfig } from "../../core/jobs/mod.ts";
import { routeTask } from "../../core/jobs/mod.ts";
import { ExecutorProcess } from "../../core/sandbox/executor_process.ts";
import { SandboxError } from "../../core/sandbox/sandbox_error.ts";
import type { SandboxGrant } from "../../core/sandbox/sandbox_flags.ts";
import type { AuditSink } from "../../core/util/audit_sink.ts";
import {
  type BudgetLedger,
  FilterError,
  filterTaskPayload,
  type JobFilterChains,
} from "../../core/filters/mod.ts";
import type { AssignedTask } from "../site_agent.ts";

/** A job this site accepted and deployed: where its app is, what its executors may do. */
export interface DeployedJob {
  jobId: string;
  /** The deployed app folder (holds `config/` and maybe `custom/`). */
  appDir: string;
  /** The job's run folder, the only place its executors may write. */
  runDir: string;
  /** The validated client config of the app. */
  config: AppConfig;
  grant: SandboxGrant;
  taskWallTimeS: number;
  /** Granted data paths by property name (`data` in the task context). */
  data: Record<string, string>;
  scope?: string;
  /** Who submitted the job, as this site verified it at deployment (job commands use it). */
  submitter?: { name: string; org: string; role: string };
  /**
   * The filter chains fixed at deployment (`privacy-and-filters.md` §3): the scope's filters, then
   * the job's built-in filters for the tasks they name.
   */
  filters?: JobFilterChains;
}

/** What a site counts of one job, for `show_stats` / `show_errors`. */
export interface JobStats {
  tasks: number;
  failed: number;
  started: string;
  errors: { time: string; task: string; error: string }[];
  logLevel: LogLevel;
}

interface Entry {
  job: DeployedJob;
  stats: JobStats;
  /** Per executor entry of the config: module, export, args, and its process once started. */
  executors: {
    module: string;
    export: string;
    args: unknown;
    path: string;
    proc?: ExecutorProcess;
    /** Settles when the executor's last task is done: it runs one task at a time, in order. */
    idle?: Promise<void>;
  }[];
}

/**
 * The site's running jobs: routes each assigned task to the executor its app config names (exact
 * task name first, then the first `*` pattern), starts that executor's sandboxed process on first
 * use and audits its exact flags, and replaces a process that timed out, ran out of heap or died,
 * so a fresh one serves the next task.
 */
export class JobManager {
  readonly #jobs = new Map<string, Entry>();
  readonly #audit: AuditSink;
  readonly #log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
  readonly #runtimeRead: string[];
  readonly #ledger: BudgetLedger | undefined;
  /** Jobs stopped at this site (budget exhausted, unsafe): why. */
  readonly #stopped = new Map<string, string>();

  constructor(options: {
    /** Where privacy spends are recorded; needed once a job has filters. */
    ledger?: BudgetLedger;
    audit: AuditSink;
    log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
    /** Runtime folders executors may read (built-in components live there). */
    runtimeRead: string[];
  }) {
    this.#audit = options.audit;
    this.#log = options.log;
    this.#runtimeRead = options.runtimeRead;
    this.#ledger = options.ledger;
  }

  /** Registers a deployed job; resolves every executor component now, so a bad path fails here. */
  async add(job: DeployedJob): Promise<void> {
    if (this.#jobs.has(job.jobId)) {
      throw new TypeError(`Job "${job.jobId}" is already deployed here`);
    }
    const executors = [];
    for (const e of job.config.executors) {
      const path = String(e.executor.path ?? e.executor.class_path ?? "");
      const c = await resolveComponent(path, job.appDir);
      executors.push({ module: c.module, export: c.export, args: e.executor.args ?? {}, path });
    }
    this.#jobs.set(job.jobId, {
      job,
      executors,
      stats: {
        tasks: 0,
        failed: 0,
        started: new Date().toISOString(),
        errors: [],
        logLevel: "info",
      },
    });
  }

  /** Runs one assigned task; the answer the site sends back. */
  async run(
    task: AssignedTask,
    site: string,
  ): Promise<{ payload: Uint8Array } | { error: string }> {
    const answer = await this.#run(task, site);
    const stats = this.#jobs.get(task.jobId)?.stats;
    if (stats) {
      stats.tasks++;
      if ("error" in answer) {
        stats.failed++;
        stats.errors.push({
          time: new Date().toISOString(),
          task: `${task.taskName}#${task.taskId}`,
          error: answer.error.slice(0, 1000),
        });
        stats.errors.splice(0, Math.max(0, stats.errors.length - 100));
      }
    }
    return answer;
  }

  /** The deployed job, with what this site counted of it. */
  get(jobId: string): { job: DeployedJob; stats: JobStats } | undefined {
    const e = this.#jobs.get(jobId);
    return e && { job: e.job, stats: e.stats };
  }

  /** Ids of the jobs deployed here now. */
  get jobIds(): string[] {
    return [...this.#jobs.keys()];
  }

  async #run(
    task: AssignedTask,
    site: string,
  ): Promise<{ payload: Uint8Array } | { error: string }> {
    const entry = this.#jobs.get(task.jobId);
    if (!entry) return { error: `job "${task.jobId}" is not deployed at site "${site}"` };
    const stopped = this.#stopped.get(task.jobId);
    if (stopped) return { error: `job "${task.jobId}" was stopped at site "${site}": ${stopped}` };
    const index = routeTask(entry.job.config.executors, task.taskName);
    if (index === undefined) {
      return { error: `no executor of job "${task.jobId}" serves task "${task.taskName}"` };
    }
    const ex = entry.executors[index]!;
    // A site behind its peers (the server moved on after min_clients answered) gets the next
    // round's task while it still trains: it waits its turn rather than breaking the running one.
    const previous = ex.idle ?? Promise.resolve();
    let done!: () => void;
    const idle = new Promise<void>((resolve) => done = resolve);
    ex.idle = idle;
    await previous;
    try {
      return await this.#runOn(entry, ex, task, site);
    } finally {
      done();
      if (ex.idle === idle) delete ex.idle;
    }
  }

  async #runOn(
    entry: Entry,
    ex: Entry["executors"][number],
    task: AssignedTask,
    site: string,
  ): Promise<{ payload: Uint8Array } | { error: string }> {
    const stopped = this.#stopped.get(task.jobId);
    if (stopped) return { error: `job "${task.jobId}" was stopped at site "${site}": ${stopped}` };
    if (this.#jobs.get(task.jobId) !== entry) {
      return { error: `job "${task.jobId}" is not deployed at site "${site}"` };
    }
    const { job } = entry;
    const at = {
      jobId: job.jobId,
      taskName: task.taskName,
      taskId: task.taskId,
      ...(job.scope ? { scope: job.scope } : {}),
    };
    if (!ex.proc) {
      ex.proc = new ExecutorProcess({
        module: ex.module,
        export: ex.export,
        grant: { ...job.grant, read: [...new Set([...job.grant.read, ...this.#runtimeRead])] },
        cwd: job.runDir,
        log: (level, message) => {
          if (logsAt(level, entry.stats.logLevel)) {
            this.#log(level, `job ${job.jobId}: ${message}`);
          }
        },
      });
      await this.#audit.addJobEvent({ ...at, msg: `executor started: ${ex.proc.flags.join(" ")}` });
    }
    let input: Uint8Array;
    try {
      input = await this.#filter(job, task, "task_data", task.payload);
    } catch (err) {
      return await this.#filterFailed(job, at, err);
    }
    await this.#audit.addJobEvent({ ...at, msg: `invoked executor ${ex.path}` });
    let output: Uint8Array;
    try {
      output = await ex.proc.run({
        taskId: task.taskId,
        taskName: task.taskName,
        payload: input,
        context: { job_id: job.jobId, site, args: ex.args, data: job.data },
      }, job.taskWallTimeS * 1000);
    } catch (err) {
      const e = err instanceof SandboxError ? err : new SandboxError("PROCESS_EXITED", String(err));
      if (e.code !== "TASK_FAILED") {
        // The process is gone or unusable: the next task gets a fresh one.
        const dead = ex.proc;
        delete ex.proc;
        void dead?.stop();
      }
      await this.#audit.addJobEvent({ ...at, msg: `task failed: ${e.code} ${e.message}` });
      return { error: `${e.code}: ${e.message}` };
    }
    try {
      // Nothing the executor produced leaves unless every result filter ran.
      return { payload: await this.#filter(job, task, "task_result", output) };
    } catch (err) {
      return await this.#filterFailed(job, at, err);
    }
  }

  /** Runs one chain on a payload; bytes pass untouched when no filter applies to the task. */
  #filter(
    job: DeployedJob,
    task: AssignedTask,
    chain: "task_data" | "task_result",
    bytes: Uint8Array,
  ): Promise<Uint8Array> {
    return filterTaskPayload(bytes, {
      chains: job.filters,
      chain,
      side: "client",
      task: {
        jobId: job.jobId,
        taskName: task.taskName,
        taskId: task.taskId,
        ...(job.scope ? { scope: job.scope } : {}),
      },
      ledger: this.#ledger,
      audit: this.#audit,
      log: this.#log,
    });
  }

  /** A chain failed: nothing leaves; a refused budget or an unsafe job stops the job here. */
  async #filterFailed(
    job: DeployedJob,
    at: { jobId: string; taskName: string; taskId: string; scope?: string },
    err: unknown,
  ): Promise<{ error: string }> {
    // The refusal's reason (e.g. budget_exhausted) goes with its code, for whoever reads it.
    const code = err instanceof FilterError
      ? (err.reason ? `${err.code} (${err.reason})` : err.code)
      : "TASK_RESULT_FILTER_ERROR";
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof FilterError && err.reason === "budget_exhausted") {
      this.#stopped.set(job.jobId, `privacy budget exhausted: ${message}`);
      await this.#audit.addJobEvent({ ...at, msg: `privacy budget exhausted: ${message}` });
    } else if ((err as FilterError).code === "UNSAFE_JOB") {
      this.#stopped.set(job.jobId, `unsafe job: ${message}`);
    }
    await this.#audit.addJobEvent({ ...at, msg: `task failed: ${code} ${message}` });
    return { error: `${code}: ${message}` };
  }

  /** Stops a job's executors and forgets it. */
  async remove(jobId: string): Promise<void> {
    const entry = this.#jobs.get(jobId);
    this.#jobs.delete(jobId);
    this.#stopped.delete(jobId);
    entry?.job.filters?.close();
    for (const ex of entry?.executors ?? []) await ex.proc?.stop();
  }

  async close(): Promise<void> {
    for (const id of [...this.#jobs.keys()]) await this.remove(id);
  }
}
