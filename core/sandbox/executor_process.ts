import { EXEC, FROM_EXECUTOR } from "./channel_kinds.ts";
import { JobProcess } from "./job_process.ts";
import { SandboxError } from "./sandbox_error.ts";
import type { SandboxGrant } from "./sandbox_flags.ts";

/** How to start one executor process. */
export interface ExecutorProcessOptions {
  /** Absolute path of the executor module. */
  module: string;
  /** The function export to call (default `default`). */
  export?: string;
  grant: SandboxGrant;
  /** Working directory (the job's run dir). */
  cwd: string;
  log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
}

const HOST = new URL("./executor_host.ts", import.meta.url).pathname;

interface Pending {
  taskId: string;
  resolve: (payload: Uint8Array) => void;
  reject: (err: SandboxError) => void;
}

/**
 * One sandboxed executor (`overview.md`, CJ): a `JobProcess` running `executor_host.ts` that runs
 * one task at a time. A task that overruns its wall time, a message of a kind executors may not
 * send, or a crash ends the process.
 */
export class ExecutorProcess {
  readonly #proc: JobProcess;
  #pending: Pending | undefined;

  constructor(options: ExecutorProcessOptions) {
    this.#proc = new JobProcess({
      host: HOST,
      args: [`file://${options.module}`, options.export ?? "default"],
      grant: options.grant,
      cwd: options.cwd,
      accepts: FROM_EXECUTOR,
      onMessage: (msg) => {
        if (msg.kind === "exec.log") {
          options.log(msg.level as "info", String(msg.message));
          return;
        }
        const p = this.#pending;
        if (!p || p.taskId !== msg.task_id) {
          this.#proc.fail(
            new SandboxError("PROTOCOL_VIOLATION", `Result for unknown task "${msg.task_id}"`),
          );
          return;
        }
        this.#pending = undefined;
        const error = msg.error as { name: string; message: string } | undefined;
        if (error) {
          p.reject(
            new SandboxError("TASK_FAILED", `Executor failed: ${error.name}: ${error.message}`),
          );
        } else {
          p.resolve(msg.payload as Uint8Array);
        }
      },
    });
    this.#proc.onFailure((err) => {
      const p = this.#pending;
      this.#pending = undefined;
      p?.reject(err);
    });
  }

  /** The exact permission flags the process runs with (for the audit trail). */
  get flags(): string[] {
    return this.#proc.flags;
  }

  /** Runs one task on its encoded payload; resolves with the encoded result. */
  run(
    task: {
      taskId: string;
      taskName: string;
      payload: Uint8Array;
      context: Record<string, unknown>;
    },
    timeoutMs: number,
  ): Promise<Uint8Array> {
    if (this.#proc.failure) return Promise.reject(this.#proc.failure);
    if (this.#pending) {
      return Promise.reject(new SandboxError("PROTOCOL_VIOLATION", "A task is already running"));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // SIGTERM first, SIGKILL 5 s later (resources-and-cc.md §6).
        this.#proc.fail(
          new SandboxError(
            "EXECUTION_TIMEOUT",
            `Task "${task.taskName}" exceeded its wall time of ${
              timeoutMs / 1000
            } s and was stopped`,
          ),
          5000,
        );
      }, timeoutMs);
      this.#pending = {
        taskId: task.taskId,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      void this.#proc.send(EXEC.task.make({
        payload: task.payload,
        task_id: task.taskId,
        task_name: task.taskName,
        context: task.context,
      }));
    });
  }

  /** Ends the process and waits for it. */
  stop(): Promise<Deno.CommandStatus> {
    return this.#proc.stop();
  }

  /** Resolves when the process has exited. */
  get exited(): Promise<Deno.CommandStatus> {
    return this.#proc.exited;
  }
}
