import type { LoadedKit } from "../core/kit/mod.ts";
import { parseCertificate, PrivateKey } from "../core/pki/mod.ts";
import type { ApiClient, Reply } from "../core/protocol/api_client.ts";
import { apiClientForKit } from "../core/protocol/api_client_for_kit.ts";
import { ApiError, TransportError } from "../core/protocol/api_error.ts";
import { K, ROUTES } from "../core/protocol/api_kinds.ts";
import { establishSession, type Session } from "../core/protocol/establish_session.ts";
import { abortableSleep } from "../core/util/abortable_sleep.ts";
import type { AuditSink } from "../core/util/audit_sink.ts";
import { Backoff } from "../core/util/backoff.ts";

/** A task the server assigned to this site. */
export interface AssignedTask {
  jobId: string;
  taskId: string;
  taskName: string;
  /** The task data, encoded once by the server's controller. */
  payload: Uint8Array;
  /** The server's audit event id for sending it. */
  ref: string;
}

/** Runs one assigned task: the encoded result, or why there is none. */
export type TaskHandler = (
  task: AssignedTask,
) => Promise<{ payload: Uint8Array } | { error: string }>;

/** A command from the server (deployment, reservations, job end, forwarded console commands). */
export interface AssignedCommand {
  command: string;
  commandId: string;
  jobId?: string;
  args: Record<string, unknown>;
  /** The server's audit event id for sending it. */
  ref: string;
}

/** A site's answer to a command; `ref` is the id of the site's audit event for its decision. */
export type CommandHandler = (
  command: AssignedCommand,
) => Promise<
  | { ok: true; data?: Record<string, unknown>; ref: string }
  | { ok: false; code: string; message: string; ref: string }
>;

/** Options of a site agent. */
export interface SiteAgentOptions {
  kit: LoadedKit;
  audit: AuditSink;
  log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
  /** Head hash and line count of the site's audit log, sent with heartbeats for anchoring. */
  auditHead?: () => { hash: string; lines: number };
  /** Runs assigned tasks; without one, every task is answered with an error. */
  onTask?: TaskHandler;
  /** Answers server commands; without one, every command is refused. */
  onCommand?: CommandHandler;
  /** How long the server may hold an idle poll (default 10 s; 0 polls at the server's pace). */
  longPollMs?: number;
  /** Heartbeat period (default 30 s). */
  heartbeatMs?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** Dial this `host:port` instead of the kit's target (tests). */
  target?: string;
}

/** What a running agent has done, for status displays and tests. */
export interface SiteAgentStats {
  registrations: number;
  polls: number;
  heartbeats: number;
  failures: number;
  tasks: number;
  /** Whether a session is open now. */
  registered: boolean;
}

/** A refusal that retrying cannot fix (a 4xx other than an ended session or a rate limit). */
export class FatalRefusal extends Error {
  override name = "FatalRefusal";
}

const RETRY_REASONS = new Set(["token_expired", "session_replaced"]);

/**
 * A site's connection to the server (`transport.md` §5): registers, heartbeats on its own timer,
 * and polls with the interval the server sets; hands assigned tasks to `onTask` and posts their
 * results; retries connection errors, 5xx and 429 forever with capped backoff and jitter;
 * registers again when its session ends. Pull only: it never listens.
 */
export class SiteAgent {
  readonly #opts: SiteAgentOptions;
  readonly #api: ApiClient;
  readonly #backoff: Backoff;
  #session: Session | undefined;
  #registering: Promise<Session> | undefined;
  #lastRetryLog = 0;
  readonly #running = new Set<Promise<void>>();
  readonly stats: SiteAgentStats = {
    registrations: 0,
    polls: 0,
    heartbeats: 0,
    failures: 0,
    tasks: 0,
    registered: false,
  };

  constructor(opts: SiteAgentOptions) {
    this.#opts = opts;
    const kit = opts.kit;
    this.#api = apiClientForKit(kit, opts.target);
    this.#backoff = new Backoff(opts.backoff);
  }

  /** Runs until `signal` aborts. Throws FatalRefusal when the server refuses for good. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const loop = async (step: () => Promise<number>) => {
      while (!stop.signal.aborted) {
        let wait: number;
        try {
          wait = await step();
          this.#backoff.reset();
        } catch (err) {
          if (stop.signal.aborted) break;
          try {
            wait = this.#onFailure(err);
          } catch (fatal) {
            stop.abort();
            throw fatal;
          }
        }
        await abortableSleep(wait, stop.signal);
      }
    };
    try {
      await Promise.all([
        loop(() => this.#poll(stop.signal)),
        loop(async () => {
          await this.#heartbeat();
          return this.#opts.heartbeatMs ?? 30_000;
        }),
      ]);
    } finally {
      signal.removeEventListener("abort", onAbort);
      await Promise.allSettled([...this.#running]);
      this.#api.close();
    }
  }

  /** The open session, registering first when there is none (one registration at a time). */
  #ensureSession(): Promise<Session> {
    if (this.#session) return Promise.resolve(this.#session);
    this.#registering ??= this.#register().finally(() => this.#registering = undefined);
    return this.#registering;
  }

  async #register(): Promise<Session> {
    const kit = this.#opts.kit;
    const session = await establishSession(this.#api, {
      role: "site",
      name: kit.name,
      project: kit.project,
      serverIdentity: kit.serverIdentity,
      certificate: parseCertificate(kit.certificatePem),
      key: PrivateKey.fromPem(kit.keyPem),
      rootCa: parseCertificate(kit.rootCaPem),
    });
    this.#session = session;
    this.stats.registrations++;
    this.stats.registered = true;
    this.#opts.log(
      "info",
      `registered with "${kit.serverIdentity}" at ${this.#opts.target ?? kit.target}`,
    );
    return session;
  }

  async #call(
    route: string,
    message: unknown,
    kinds: string[],
    signal?: AbortSignal,
  ): Promise<Reply> {
    const session = await this.#ensureSession();
    try {
      return await this.#api.call(route, message, kinds, session, signal ? { signal } : {});
    } catch (err) {
      // Only the session that failed is dropped: another loop may have registered meanwhile.
      if (err instanceof ApiError && err.reason && RETRY_REASONS.has(err.reason)) {
        if (this.#session === session) {
          this.#session = undefined;
          this.stats.registered = false;
        }
      }
      throw err;
    }
  }

  async #heartbeat(): Promise<void> {
    const hb = await this.#call(
      ROUTES.heartbeat,
      K.heartbeat.make({
        client_name: this.#opts.kit.name,
        ...(this.#opts.auditHead ? { audit_head: this.#opts.auditHead() } : {}),
      }),
      ["site.heartbeat_reply"],
    );
    if (typeof hb.token === "string" && this.#session) {
      this.#session.token = hb.token;
      this.#session.expiresAt = hb.expires_at as number;
    }
    this.stats.heartbeats++;
  }

  /** One poll; returns how long to wait before the next. */
  async #poll(signal: AbortSignal): Promise<number> {
    const wait = this.#opts.longPollMs ?? 10_000;
    const reply = await this.#call(
      ROUTES.taskGet,
      K.taskGet.make({ client_name: this.#opts.kit.name, ...(wait > 0 ? { wait_ms: wait } : {}) }),
      ["task.none", "task.assign", "site.command"],
      signal,
    );
    this.stats.polls++;
    if (reply.kind === "site.command") {
      const command: AssignedCommand = {
        command: reply.command as string,
        commandId: reply.command_id as string,
        ...(typeof reply.job_id === "string" ? { jobId: reply.job_id } : {}),
        args: reply.args as Record<string, unknown>,
        ref: reply.ref as string,
      };
      this.#background(this.#runCommand(command));
    }
    if (reply.kind === "task.assign") {
      const task: AssignedTask = {
        jobId: reply.job_id as string,
        taskId: reply.task_id as string,
        taskName: reply.task_name as string,
        payload: reply.payload as Uint8Array,
        ref: reply.ref as string,
      };
      this.#background(this.#runTask(task));
    }
    return reply.poll_ms as number;
  }

  /** Runs a task and posts its result, auditing both ends with cross-references. */
  async #runTask(task: AssignedTask): Promise<void> {
    const { audit, kit } = this.#opts;
    this.stats.tasks++;
    const at = { jobId: task.jobId, taskName: task.taskName, taskId: task.taskId };
    await audit.addJobEvent({ ...at, ref: task.ref, msg: "received task from server" });
    let answer: { payload: Uint8Array } | { error: string };
    try {
      answer = this.#opts.onTask
        ? await this.#opts.onTask(task)
        : { error: `site "${kit.name}" has no job "${task.jobId}" deployed` };
    } catch (err) {
      answer = { error: err instanceof Error ? err.message : String(err) };
    }
    const outcome = "payload" in answer ? { fields: { payload: answer.payload }, note: "OK" } : {
      fields: { error: answer.error.slice(0, 4096) },
      note: `EXECUTION_EXCEPTION ${answer.error}`,
    };
    const ref = await audit.addJobEvent({ ...at, msg: `submit result: ${outcome.note}` });
    const message = K.taskResult.make({
      ...outcome.fields,
      client_name: kit.name,
      job_id: task.jobId,
      task_id: task.taskId,
      ref,
    });
    await this.#deliver(ROUTES.taskResult, message, `result of task "${task.taskId}"`);
  }

  /** Answers a command and posts the answer. */
  async #runCommand(command: AssignedCommand): Promise<void> {
    const { kit } = this.#opts;
    let answer: Awaited<ReturnType<CommandHandler>>;
    try {
      answer = this.#opts.onCommand ? await this.#opts.onCommand(command) : {
        ok: false,
        code: "UNKNOWN_COMMAND",
        message: `site ${kit.name} answers no commands`,
        ref: "",
      };
    } catch (err) {
      answer = { ok: false, code: "INTERNAL", message: String(err), ref: "" };
    }
    const message = K.siteCommandReply.make({
      client_name: kit.name,
      command_id: command.commandId,
      ref: answer.ref,
      ok: answer.ok,
      ...(answer.ok
        ? (answer.data ? { data: answer.data } : {})
        : { code: answer.code, message: answer.message.slice(0, 8192) }),
    });
    await this.#deliver(ROUTES.commandReply, message, `reply to command "${command.command}"`);
  }

  /** Keeps a task or command running in the background; `run()` waits for them on stop. */
  #background(work: Promise<void>): void {
    const run = work.finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /**
   * Posts a result or command reply, with a few retries across a brief outage (the server's
   * deadline bounds them). A refusal is final: logged, not retried.
   */
  async #deliver(route: string, message: unknown, what: string): Promise<void> {
    const { log } = this.#opts;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.#call(route, message, ["ack"]);
        return;
      } catch (err) {
        if (
          err instanceof ApiError && (err.code === "TASK_NOT_OUT" || err.code === "COMMAND_NOT_OUT")
        ) {
          log("warn", `${what} came too late: ${err.message}`);
          return;
        }
        if (err instanceof ApiError && !(err.reason && RETRY_REASONS.has(err.reason))) {
          log("error", `${what} refused: ${err.message}`);
          return;
        }
        await abortableSleep(this.#backoff.next());
      }
    }
    log("error", `gave up sending the ${what}`);
  }

  /** Decides what a failure means; returns the wait before the next attempt. */
  #onFailure(err: unknown): number {
    this.stats.failures++;
    if (err instanceof ApiError) {
      if (err.reason !== undefined && RETRY_REASONS.has(err.reason)) {
        this.#opts.log("info", `session ended (${err.reason}); registering again`);
        return 0;
      }
      if (err.status < 500 && err.status !== 429) {
        throw new FatalRefusal(`The server refused site "${this.#opts.kit.name}": ${err.message}`, {
          cause: err,
        });
      }
    } else if (!(err instanceof TransportError)) {
      throw err;
    }
    // The server may have restarted: its next answer tells whether the session still exists.
    const wait = this.#backoff.next();
    const now = Date.now();
    if (this.#backoff.failures === 1 || now - this.#lastRetryLog > 30_000) {
      this.#lastRetryLog = now;
      this.#opts.log(
        "warn",
        `${(err as Error).message}; retry ${this.#backoff.failures} in ${Math.round(wait)} ms`,
      );
    }
    return wait;
  }
}
