import { EXEC, FROM_EXECUTOR } from "./channel_kinds.ts";
import { frame, FrameReader } from "./frame_channel.ts";
import { SandboxError } from "./sandbox_error.ts";
import { sandboxFlags, type SandboxGrant } from "./sandbox_flags.ts";

/** How to start one executor process. */
export interface ExecutorProcessOptions {
  /** Absolute path of the executor module inside the job folder. */
  module: string;
  grant: SandboxGrant;
  /** Working directory (the job's run dir). */
  cwd: string;
  log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
}

const HOST = new URL("./executor_host.ts", import.meta.url).pathname;
const STDERR_KEPT = 8192;

interface Pending {
  taskId: string;
  resolve: (data: unknown) => void;
  reject: (err: SandboxError) => void;
}

/**
 * One sandboxed executor (`overview.md`, CJ): a Deno subprocess with the flags of
 * `sandboxFlags()`, no environment, and a strict CBOR channel on stdin/stdout. It runs one task
 * at a time; a task that overruns its wall time, a message of a kind executors may not send, or a
 * crash ends the process. Requires `--allow-run` of `Deno.execPath()`.
 */
export class ExecutorProcess {
  /** The exact permission flags the process runs with (for the audit trail). */
  readonly flags: string[];
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #log: ExecutorProcessOptions["log"];
  #pending: Pending | undefined;
  #stderr = "";
  #failure: SandboxError | undefined;
  readonly #done: Promise<Deno.CommandStatus>;
  readonly #heapMb: number;

  constructor(options: ExecutorProcessOptions) {
    this.flags = sandboxFlags(options.grant);
    this.#log = options.log;
    this.#heapMb = options.grant.heapMb;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...this.flags, HOST, `file://${options.module}`],
      cwd: options.cwd,
      clearEnv: true,
      env: { NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    void this.#readStderr();
    const reading = this.#readFrames();
    this.#done = this.#child.status.then(async (status) => {
      await reading;
      this.#fail(this.#exitError(status));
      return status;
    });
  }

  /** Runs one task; resolves with the executor's result data. */
  run(
    task: { taskId: string; taskName: string; data: unknown; context: Record<string, unknown> },
    timeoutMs: number,
  ): Promise<unknown> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#pending) {
      return Promise.reject(new SandboxError("PROTOCOL_VIOLATION", "A task is already running"));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(
          new SandboxError(
            "TASK_TIMEOUT",
            `Task "${task.taskName}" exceeded its wall time of ${
              timeoutMs / 1000
            } s and was stopped`,
          ),
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
      const msg = EXEC.task.make({
        task_id: task.taskId,
        task_name: task.taskName,
        data: task.data,
        context: task.context,
      });
      this.#stdin.write(frame(msg)).catch(() => {});
    });
  }

  /** Ends the process (closes its input, kills it if it lingers) and waits for it. */
  async stop(): Promise<Deno.CommandStatus> {
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => this.#kill(), 2000);
    const status = await this.#done;
    clearTimeout(timer);
    return status;
  }

  /** Resolves when the process has exited. */
  get exited(): Promise<Deno.CommandStatus> {
    return this.#done;
  }

  #kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }

  #fail(err: SandboxError): void {
    if (!this.#failure) this.#failure = err;
    this.#kill();
    const p = this.#pending;
    this.#pending = undefined;
    p?.reject(this.#failure);
  }

  #exitError(status: Deno.CommandStatus): SandboxError {
    if (/out of memory|heap limit|Allocation failed/i.test(this.#stderr)) {
      return new SandboxError(
        "HEAP_EXCEEDED",
        `Executor exceeded its heap limit of ${this.#heapMb} MB and was stopped`,
      );
    }
    const tail = this.#stderr.trim().split("\n").slice(-3).join(" | ");
    return new SandboxError(
      "PROCESS_EXITED",
      `Executor process exited (code ${status.code}${status.signal ? `, ${status.signal}` : ""})` +
        (tail ? `: ${tail}` : ""),
    );
  }

  async #readStderr(): Promise<void> {
    const dec = new TextDecoder();
    try {
      for await (const chunk of this.#child.stderr) {
        this.#stderr = (this.#stderr + dec.decode(chunk, { stream: true })).slice(-STDERR_KEPT);
      }
    } catch {
      // the process is gone
    }
  }

  async #readFrames(): Promise<void> {
    const reader = new FrameReader(this.#child.stdout, { maxBytes: 1024 ** 3 });
    try {
      for (;;) {
        const raw = await reader.next();
        if (raw === undefined) return;
        let msg;
        try {
          msg = FROM_EXECUTOR.parse(raw);
        } catch (err) {
          throw new SandboxError(
            "PROTOCOL_VIOLATION",
            `Executor sent a message it may not send: ${(err as Error).message}`,
          );
        }
        if (msg.kind === "exec.log") {
          this.#log(msg.level as "info", String(msg.message));
        } else if (msg.kind === "exec.result") {
          const p = this.#pending;
          if (!p || p.taskId !== msg.task_id) {
            throw new SandboxError(
              "PROTOCOL_VIOLATION",
              `Result for unknown task "${msg.task_id}"`,
            );
          }
          this.#pending = undefined;
          const error = msg.error as { name: string; message: string } | undefined;
          if (error) {
            p.reject(
              new SandboxError("TASK_FAILED", `Executor failed: ${error.name}: ${error.message}`),
            );
          } else {
            p.resolve(msg.data);
          }
        }
      }
    } catch (err) {
      this.#fail(
        err instanceof SandboxError ? err : new SandboxError(
          "PROTOCOL_VIOLATION",
          `Executor channel broken: ${(err as Error).message}`,
        ),
      );
      await reader.cancel();
    }
  }
}
