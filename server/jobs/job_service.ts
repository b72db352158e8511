import type { AuditSink } from "../server_context.ts";
import { JobRunner, type JobRunnerOptions } from "./job_runner.ts";
import { Doorbell } from "./doorbell.ts";
import { type SiteCommand, SiteCommands } from "./site_commands.ts";
import { type BoardTask, TaskBoard } from "./task_board.ts";

/** A task handed to a site, with the audit event that records the hand-over. */
export interface Assignment {
  task: BoardTask;
  /** The server's audit event id ("sent task to client"); the site writes it as `R`. */
  ref: string;
}

/** A command handed to a site, with the audit event that records the hand-over. */
export interface CommandAssignment {
  command: SiteCommand;
  ref: string;
}

/**
 * The server's running jobs: their runners, the task board sites pull from, and the sweep that
 * tells a controller when a site's task expired. Writes the job audit events of `audit.md` §4
 * (task sent, result received) with cross-references.
 */
export class JobService {
  readonly doorbell = new Doorbell();
  readonly board = new TaskBoard((sites) => sites.forEach((s) => this.doorbell.ring(s)));
  /** Commands for sites: deployment, reservations, job ends, forwarded console commands. */
  readonly commands = new SiteCommands(this.doorbell);
  readonly #runners = new Map<string, JobRunner>();
  readonly #audit: AuditSink;
  readonly #sweep: ReturnType<typeof setInterval>;

  constructor(audit: AuditSink, options: { sweepMs?: number } = {}) {
    this.#audit = audit;
    this.#sweep = setInterval(() => this.#expire(), options.sweepMs ?? 1000);
  }

  /** Starts a job's controller; the runner is forgotten once it finishes. */
  async start(
    options: Omit<JobRunnerOptions, "board" | "audit">,
  ): Promise<JobRunner> {
    const runner = new JobRunner({ ...options, board: this.board, audit: this.#audit });
    this.#runners.set(options.jobId, runner);
    void runner.finished.finally(() => this.#runners.delete(options.jobId));
    await runner.start(options.controller.args, options.sites);
    return runner;
  }

  get(jobId: string): JobRunner | undefined {
    return this.#runners.get(jobId);
  }

  /**
   * The next command or task for `site`, audited as sent; waits up to `waitMs` for one to arrive
   * (a long poll). Undefined when there is none. Commands go first: they start and end jobs.
   */
  async next(
    site: string,
    waitMs = 0,
    signal?: AbortSignal,
  ): Promise<Assignment | CommandAssignment | undefined> {
    const command = this.commands.take(site);
    if (command) {
      const msg = `sent command "${command.command}" to client "${site}"`;
      const ref = command.jobId
        ? await this.#audit.addJobEvent({ jobId: command.jobId, msg })
        : await this.#audit.addEvent({ user: "system", action: command.command, msg });
      return { command, ref };
    }
    const task = this.board.take(site);
    if (!task) {
      // A peer that left while its poll was held must not take work it will never see.
      if (waitMs > 0 && await this.doorbell.wait(site, waitMs, signal) && !signal?.aborted) {
        return await this.next(site, 0);
      }
      return undefined;
    }
    const ref = await this.#audit.addJobEvent({
      jobId: task.jobId,
      taskName: task.taskName,
      taskId: task.taskId,
      msg: `sent task to client "${site}"`,
    });
    return { task, ref };
  }

  /**
   * A site's result for a task it took: audited with the site's event id as `R`, then handed to
   * the job's controller. Returns the server's event id, or undefined when the task is not out at
   * that site (late after a timeout, cancelled, or never sent there).
   */
  async result(
    site: string,
    r: { jobId: string; taskId: string; ref: string; payload?: Uint8Array; error?: string },
  ): Promise<string | undefined> {
    const task = this.board.finish(site, r.jobId, r.taskId);
    const runner = this.#runners.get(r.jobId);
    if (!task || !runner) return undefined;
    const id = await this.#audit.addJobEvent({
      jobId: r.jobId,
      taskName: task.taskName,
      taskId: task.taskId,
      ...(r.ref ? { ref: r.ref } : {}),
      msg: r.payload
        ? `received result from client "${site}"`
        : `received failure from client "${site}": ${r.error ?? "no payload"}`,
    });
    await runner.deliver(
      site,
      r.taskId,
      r.payload ? { payload: r.payload } : { error: r.error ?? "answer without payload" },
    );
    return id;
  }

  #expire(): void {
    for (const { site, task } of this.board.expire()) {
      void this.#runners.get(task.jobId)?.deliver(site, task.taskId, {
        error: "no answer in time",
      });
    }
  }

  /** Aborts every running job and stops the sweep. */
  async close(): Promise<void> {
    clearInterval(this.#sweep);
    this.commands.close();
    this.doorbell.ringAll();
    const running = [...this.#runners.values()];
    for (const r of running) await r.abort("server shutting down");
    await Promise.allSettled(running.map((r) => r.finished));
  }
}
