import {
  type ControllerOutcome,
  ControllerProcess,
  type ControllerTask,
} from "../../core/sandbox/controller_process.ts";
import type { SandboxGrant } from "../../core/sandbox/sandbox_flags.ts";
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
  /** Why the job was aborted, once it was. */
  abortReason: string | undefined;
  readonly #controller: ControllerProcess;
  readonly #board: TaskBoard;

  constructor(options: JobRunnerOptions) {
    this.jobId = options.jobId;
    this.#board = options.board;
    const { audit, jobId } = options;
    const scope = options.scope === undefined ? {} : { scope: options.scope };
    this.#controller = new ControllerProcess({
      module: options.controller.module,
      ...(options.controller.export ? { export: options.controller.export } : {}),
      grant: options.grant,
      cwd: options.cwd,
      events: {
        broadcast: (t: ControllerTask) => {
          this.#board.post({
            jobId,
            taskId: t.taskId,
            taskName: t.taskName,
            payload: t.payload,
            deadline: Date.now() + t.timeoutMs,
          }, t.targets);
        },
        cancel: (taskId) => this.#board.cancel(taskId),
        progress: (p) => this.progress = p,
        audit: (e) =>
          void audit.addJobEvent({
            jobId,
            ...scope,
            ...(e.taskName && e.taskId ? { taskName: e.taskName, taskId: e.taskId } : {}),
            msg: e.message,
          }),
        log: (level, message) => options.log(level, `job ${jobId}: ${message}`),
      },
    });
    void audit.addJobEvent({
      jobId,
      ...scope,
      msg: `server job process started: ${this.#controller.flags.join(" ")}`,
    });
    this.finished = this.#controller.finished.then(async (outcome) => {
      this.#board.cancelJob(jobId);
      await this.#controller.stop();
      return outcome;
    });
  }

  /** Starts the controller. */
  start(args: Record<string, unknown>, sites: string[]): Promise<void> {
    return this.#controller.start(this.jobId, sites, args);
  }

  /** A site's answer, or why it has none, for one of this job's tasks. */
  deliver(
    site: string,
    taskId: string,
    answer: { payload: Uint8Array } | { error: string },
  ): Promise<void> {
    return this.#controller.deliver(taskId, site, answer);
  }

  abort(reason: string): Promise<void> {
    this.abortReason ??= reason;
    return this.#controller.abort(reason);
  }
}
