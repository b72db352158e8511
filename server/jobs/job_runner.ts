import {
  type ControllerOutcome,
  ControllerProcess,
  type ControllerTask,
} from "../../core/sandbox/controller_process.ts";
import type { SandboxGrant } from "../../core/sandbox/sandbox_flags.ts";
import { type LogLevel, logsAt } from "../../core/launch/log_level.ts";
import {
  type BudgetLedger,
  FilterError,
  filterTaskPayload,
  type JobFilterChains,
} from "../../core/filters/mod.ts";
import type { AuditSink } from "../server_context.ts";
import type { TaskBoard } from "./task_board.ts";

/** How to run one job's controller. */
export interface JobRunnerOptions {
  jobId: string;
  /** Sites that accepted the job. */
  sites: string[];
  /** Absolute path of the controller module, the export to call, and its arguments. */
  controller: { module: string; export?: string; args: Record<string, unknown> };
  grant: SandboxGrant;
  cwd: string;
  scope?: string;
  /** The job's server-side filter chains (`privacy-and-filters.md` §3), fixed at start. */
  filters?: JobFilterChains;
  /** The server's privacy budget ledger; needed when `filters` spend. */
  ledger?: BudgetLedger;
  board: TaskBoard;
  audit: AuditSink;
  log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
}

/** The latest progress a controller reported. */
export interface JobProgress {
  round: number;
  totalRounds: number;
  metrics?: Record<string, number>;
}

/**
 * One running job on the server: its controller in a sandboxed server job process, and the tasks
 * it has posted on the board. Site answers reach the controller one by one, as they arrive.
 */
export class JobRunner {
  readonly jobId: string;
  readonly finished: Promise<ControllerOutcome>;
  progress: JobProgress | undefined;
  /** Each site's current task and its state, for watchers. */
  readonly tasks: Record<string, { task: string; state: "sent" | "done" | "failed" }> = {};
  /** Recent failures of this job's tasks (`show_errors`), newest last, at most 100. */
  readonly errors: { time: string; site: string; task: string; error: string }[] = [];
  /** The lowest level of this job's log lines that the server prints (`configure_job_log`). */
  logLevel: LogLevel = "info";
  /** Why the job was aborted, once it was. */
  abortReason: string | undefined;
  readonly #controller: ControllerProcess;
  readonly #board: TaskBoard;
  readonly #o: JobRunnerOptions;
  /** Task names of posted tasks, for the result filters. */
  readonly #taskNames = new Map<string, string>();
  /** Posts and cancels in the controller's order, though task data is filtered first. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: JobRunnerOptions) {
    this.jobId = options.jobId;
    this.#board = options.board;
    this.#o = options;
    const { audit, jobId } = options;
    const scope = options.scope === undefined ? {} : { scope: options.scope };
    this.#controller = new ControllerProcess({
      module: options.controller.module,
      ...(options.controller.export ? { export: options.controller.export } : {}),
      grant: options.grant,
      cwd: options.cwd,
      events: {
        broadcast: (t: ControllerTask) => this.#enqueue(() => this.#post(t)),
        cancel: (taskId) =>
          this.#enqueue(() => {
            this.#taskNames.delete(taskId);
            this.#board.cancel(taskId);
            return Promise.resolve();
          }),
        progress: (p) => this.progress = p,
        audit: (e) =>
          void audit.addJobEvent({
            jobId,
            ...scope,
            ...(e.taskName && e.taskId ? { taskName: e.taskName, taskId: e.taskId } : {}),
            msg: e.message,
          }),
        log: (level, message) => {
          if (logsAt(level, this.logLevel)) {
            options.log(level, `job ${jobId}: ${message}`);
          }
        },
      },
    });
    void audit.addJobEvent({
      jobId,
      ...scope,
      msg: `server job process started: ${this.#controller.flags.join(" ")}`,
    });
    this.finished = this.#controller.finished.then(async (outcome) => {
      await this.#queue;
      this.#board.cancelJob(jobId);
      options.filters?.close();
      await this.#controller.stop();
      return outcome;
    });
  }

  /** Starts the controller. */
  start(args: Record<string, unknown>, sites: string[]): Promise<void> {
    return this.#controller.start(this.jobId, sites, args);
  }

  /**
   * A site's answer, or why it has none, for one of this job's tasks; a result passes the server's
   * task_result chain before the controller sees it.
   */
  async deliver(
    site: string,
    taskId: string,
    answer: { payload: Uint8Array } | { error: string },
  ): Promise<void> {
    const taskName = this.#taskNames.get(taskId);
    if ("payload" in answer && taskName !== undefined) {
      try {
        answer = { payload: await this.#filter("task_result", taskId, taskName, answer.payload) };
      } catch (err) {
        answer = { error: await this.#filterFailed(taskId, taskName, err) };
      }
    }
    if (taskName !== undefined) {
      this.tasks[site] = { task: taskName, state: "error" in answer ? "failed" : "done" };
    }
    if ("error" in answer) {
      this.errors.push({
        time: new Date().toISOString(),
        site,
        task: `${taskName ?? "?"}#${taskId}`,
        error: answer.error.slice(0, 1000),
      });
      this.errors.splice(0, Math.max(0, this.errors.length - 100));
    }
    return await this.#controller.deliver(taskId, site, answer);
  }

  #enqueue(step: () => Promise<void>): void {
    this.#queue = this.#queue.then(step).catch((err) =>
      this.#o.log("error", `job ${this.jobId}: ${err instanceof Error ? err.message : err}`)
    );
  }

  /** Task data leaves only through the server's task_data chain; a failed chain sends nothing. */
  async #post(t: ControllerTask): Promise<void> {
    this.#taskNames.set(t.taskId, t.taskName);
    let payload: Uint8Array;
    try {
      payload = await this.#filter("task_data", t.taskId, t.taskName, t.payload);
    } catch (err) {
      const error = await this.#filterFailed(t.taskId, t.taskName, err);
      for (const site of t.targets) await this.#controller.deliver(t.taskId, site, { error });
      return;
    }
    for (const site of t.targets) this.tasks[site] = { task: t.taskName, state: "sent" };
    this.#board.post({
      jobId: this.jobId,
      taskId: t.taskId,
      taskName: t.taskName,
      payload,
      deadline: Date.now() + t.timeoutMs,
    }, t.targets);
  }

  #filter(
    chain: "task_data" | "task_result",
    taskId: string,
    taskName: string,
    bytes: Uint8Array,
  ): Promise<Uint8Array> {
    return filterTaskPayload(bytes, {
      chains: this.#o.filters,
      chain,
      side: "server",
      task: { jobId: this.jobId, taskName, taskId, ...this.#scope() },
      ledger: this.#o.ledger,
      audit: this.#o.audit,
      log: this.#o.log,
    });
  }

  /** A chain failed at the server: audited; an exhausted budget or an unsafe job aborts the job. */
  async #filterFailed(taskId: string, taskName: string, err: unknown): Promise<string> {
    // The refusal's reason (e.g. budget_exhausted) goes with its code, for whoever reads it.
    const code = err instanceof FilterError
      ? (err.reason ? `${err.code} (${err.reason})` : err.code)
      : "TASK_RESULT_FILTER_ERROR";
    const message = `${code}: ${err instanceof Error ? err.message : String(err)}`;
    await this.#o.audit.addJobEvent({
      jobId: this.jobId,
      taskName,
      taskId,
      ...this.#scope(),
      msg: `task failed: ${message}`,
    });
    if (
      err instanceof FilterError && (err.reason === "budget_exhausted" || err.code === "UNSAFE_JOB")
    ) {
      void this.abort(`stopped at the server: ${message}`);
    }
    return message;
  }

  #scope(): { scope?: string } {
    return this.#o.scope === undefined ? {} : { scope: this.#o.scope };
  }

  abort(reason: string): Promise<void> {
    this.abortReason ??= reason;
    return this.#controller.abort(reason);
  }
}
