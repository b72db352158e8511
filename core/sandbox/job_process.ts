import type { KindRegistry } from "../wire/mod.ts";
import { frame, FrameReader } from "./frame_channel.ts";
import { SandboxError } from "./sandbox_error.ts";
import { sandboxFlags, type SandboxGrant } from "./sandbox_flags.ts";

/** How to start one job process. */
export interface JobProcessOptions {
  /** Absolute path of the host script run inside the sandbox. */
  host: string;
  /** Arguments after the host script. */
  args: string[];
  grant: SandboxGrant;
  /** Working directory (the job's run dir). */
  cwd: string;
  /** The only kinds this process may send; anything else ends it. */
  accepts: KindRegistry;
  /** Called for each accepted message, in order. */
  onMessage: (msg: { kind: string } & Record<string, unknown>) => void;
}

const STDERR_KEPT = 8192;

/**
 * A sandboxed Deno subprocess with a strict CBOR channel on stdin/stdout (`wire-and-auth.md` §7):
 * the flags of `sandboxFlags()`, no environment, no credentials. A message of a kind it may not
 * send, a broken frame, or a crash ends it with a coded SandboxError. Requires `--allow-run` of
 * `Deno.execPath()`.
 */
export class JobProcess {
  /** The exact permission flags the process runs with (for the audit trail). */
  readonly flags: string[];
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #heapMb: number;
  #stderr = "";
  #failure: SandboxError | undefined;
  readonly #failed: ((err: SandboxError) => void)[] = [];
  readonly #done: Promise<Deno.CommandStatus>;

  constructor(options: JobProcessOptions) {
    this.flags = sandboxFlags(options.grant);
    this.#heapMb = options.grant.heapMb;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...this.flags, options.host, ...options.args],
      cwd: options.cwd,
      clearEnv: true,
      env: { NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    void this.#readStderr();
    const reading = this.#readFrames(options.accepts, options.onMessage);
    this.#done = this.#child.status.then(async (status) => {
      await reading;
      this.fail(this.#exitError(status));
      return status;
    });
  }

  /** The error that ended the process, once it has ended. */
  get failure(): SandboxError | undefined {
    return this.#failure;
  }

  /** Registers a callback for the (first) failure, including a normal exit. */
  onFailure(fn: (err: SandboxError) => void): void {
    if (this.#failure) fn(this.#failure);
    else this.#failed.push(fn);
  }

  /** Sends one message; silently dropped once the process is gone. */
  send(message: unknown): Promise<void> {
    if (this.#failure) return Promise.resolve();
    return this.#stdin.write(frame(message)).catch(() => {});
  }

  /**
   * Ends the process with `err` unless it already ended: SIGTERM, then SIGKILL after `graceMs`
   * (0 kills at once, for a process that broke the protocol).
   */
  fail(err: SandboxError, graceMs = 0): void {
    if (this.#failure) return;
    this.#failure = err;
    if (graceMs > 0) {
      try {
        this.#child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => this.#kill(), graceMs);
      void this.#done.finally(() => clearTimeout(timer));
    } else {
      this.#kill();
    }
    for (const fn of this.#failed.splice(0)) fn(err);
  }

  /** Closes the process's input, kills it if it lingers, and waits for it. */
  async stop(graceMs = 2000): Promise<Deno.CommandStatus> {
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => this.#kill(), graceMs);
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

  #exitError(status: Deno.CommandStatus): SandboxError {
    if (/out of memory|heap limit|Allocation failed/i.test(this.#stderr)) {
      return new SandboxError(
        "HEAP_EXCEEDED",
        `Job process exceeded its heap limit of ${this.#heapMb} MB and was stopped`,
      );
    }
    const tail = this.#stderr.trim().split("\n").slice(-3).join(" | ");
    return new SandboxError(
      "PROCESS_EXITED",
      `Job process exited (code ${status.code}${status.signal ? `, ${status.signal}` : ""})` +
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

  async #readFrames(
    accepts: KindRegistry,
    onMessage: JobProcessOptions["onMessage"],
  ): Promise<void> {
    const reader = new FrameReader(this.#child.stdout, { maxBytes: 1024 ** 3 });
    try {
      for (;;) {
        const raw = await reader.next();
        if (raw === undefined) return;
        let msg;
        try {
          msg = accepts.parse(raw);
        } catch (err) {
          throw new SandboxError(
            "PROTOCOL_VIOLATION",
            `Job process sent a message it may not send: ${(err as Error).message}`,
          );
        }
        onMessage(msg);
      }
    } catch (err) {
      this.fail(
        err instanceof SandboxError ? err : new SandboxError(
          "PROTOCOL_VIOLATION",
          `Job process channel broken: ${(err as Error).message}`,
        ),
      );
      await reader.cancel();
    }
  }
}
