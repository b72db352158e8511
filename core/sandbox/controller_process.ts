import { CTL, FROM_CONTROLLER } from "./controller_kinds.ts";
import { JobProcess } from "./job_process.ts";
import type { SandboxGrant } from "./sandbox_flags.ts";

/** A task the controller asks the server to send to sites. */
export interface ControllerTask {
  taskId: string;
  taskName: string;
  /** The task data, encoded once: send these bytes to every target. */
  payload: Uint8Array;
  targets: string[];
  timeoutMs: number;
}

/** What the server does with the controller's requests. */
export interface ControllerEvents {
  broadcast(task: ControllerTask): void;
  /** The controller no longer waits for `taskId`: drop late answers. */
  cancel(taskId: string): void;
  progress(p: { round: number; totalRounds: number; metrics?: Record<string, number> }): void;
  audit(e: { message: string; taskName?: string; taskId?: string }): void;
  log(level: "debug" | "info" | "warn" | "error", message: string): void;
}

/** How a job's controller ended. */
export type ControllerOutcome =
  | { status: "completed"; result: unknown }
  | { status: "failed"; reason: string };

const HOST = new URL("./controller_host.ts", import.meta.url).pathname;

/**
 * The server job process (`overview.md`, SJ): a `JobProcess` running a controller module under
 * the sandbox, with no network and no credentials. The server starts it, relays site answers to
 * it one by one, and learns its outcome from `finished`, which also settles (as failed) if the
 * process dies.
 */
export class ControllerProcess {
  readonly #proc: JobProcess;
  readonly finished: Promise<ControllerOutcome>;

  constructor(
    options: {
      module: string;
      /** The function export to call (default `default`). */
      export?: string;
      grant: SandboxGrant;
      cwd: string;
      events: ControllerEvents;
    },
  ) {
    let settle!: (o: ControllerOutcome) => void;
    this.finished = new Promise((resolve) => settle = resolve);
    const ev = options.events;
    this.#proc = new JobProcess({
      host: HOST,
      args: [`file://${options.module}`, options.export ?? "default"],
      grant: options.grant,
      cwd: options.cwd,
      accepts: FROM_CONTROLLER,
      onMessage: (m) => {
        switch (m.kind) {
          case "ctl.broadcast":
            return ev.broadcast({
              taskId: m.task_id as string,
              taskName: m.task_name as string,
              payload: m.payload as Uint8Array,
              targets: m.targets as string[],
              timeoutMs: m.timeout_ms as number,
            });
          case "ctl.cancel":
            return ev.cancel(m.task_id as string);
          case "ctl.progress":
            return ev.progress({
              round: m.round as number,
              totalRounds: m.total_rounds as number,
              ...(m.metrics ? { metrics: m.metrics as Record<string, number> } : {}),
            });
          case "audit.event":
            return ev.audit({
              message: m.message as string,
              ...(m.task_name ? { taskName: m.task_name as string } : {}),
              ...(m.task_id ? { taskId: m.task_id as string } : {}),
            });
          case "ctl.log":
            return ev.log(m.level as "info", m.message as string);
          case "ctl.finished":
            return settle(
              m.status === "completed"
                ? { status: "completed", result: m.result }
                : { status: "failed", reason: String(m.reason ?? "controller failed") },
            );
        }
      },
    });
    this.#proc.onFailure((err) => settle({ status: "failed", reason: err.message }));
  }

  /** The exact permission flags the process runs with (for the audit trail). */
  get flags(): string[] {
    return this.#proc.flags;
  }

  start(jobId: string, sites: string[], args: Record<string, unknown>): Promise<void> {
    return this.#proc.send(CTL.start.make({ job_id: jobId, sites, args }));
  }

  /** One site's encoded answer (or why there is none) to a task. */
  deliver(
    taskId: string,
    site: string,
    answer: { payload: Uint8Array } | { error: string },
  ): Promise<void> {
    return this.#proc.send(CTL.result.make({ ...answer, task_id: taskId, site }));
  }

  abort(reason: string): Promise<void> {
    return this.#proc.send(CTL.abort.make({ reason }));
  }

  stop(): Promise<Deno.CommandStatus> {
    return this.#proc.stop();
  }
}
