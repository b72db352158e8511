/**
 * Entry point of a server job process (runs INSIDE the sandbox): loads the controller module,
 * waits for `ctl.start`, runs the controller, and reports `ctl.finished`. Holds no credential.
 *
 * Usage (by `ControllerProcess` only): `deno run <sandbox flags> controller_host.ts <module URL> [export]`
 *
 * @module
 */
import type {
  BroadcastOptions,
  BroadcastOutcome,
  Controller,
  ControllerContext,
} from "./controller_context.ts";
import { CTL, TO_CONTROLLER } from "./controller_kinds.ts";
import { decode, encode } from "../wire/mod.ts";
import { FrameReader } from "./frame_channel.ts";
import { hostChannel } from "./_host_channel.ts";

const { send, drain } = hostChannel((level, message) => CTL.log.make({ level, message }));

interface OpenTask {
  targets: Set<string>;
  answered: Set<string>;
  missing: Map<string, string>;
  onResult: (site: string, data: unknown) => void;
  settle: () => void;
}
const open = new Map<string, OpenTask>();
const abort = new AbortController();

// The job module is imported with a computed specifier on purpose: Deno loads the entry script's
// statically analysable imports before permissions apply, and only run-time loads are checked.
const [moduleUrl, exportName = "default"] = Deno.args;
if (moduleUrl === undefined) throw new Error("controller_host needs the controller module URL");
const mod = await import(moduleUrl) as Record<string, unknown>;
if (typeof mod[exportName] !== "function") {
  throw new TypeError(`Controller module "${moduleUrl}" has no function export "${exportName}"`);
}
const controller = mod[exportName] as Controller;

function broadcast(
  sites: string[],
  taskName: string,
  data: unknown,
  options: BroadcastOptions,
  onResult: (site: string, data: unknown) => void,
): Promise<BroadcastOutcome> {
  const targets = options.targets ?? sites;
  const min = options.minResponses ?? targets.length;
  const taskId = crypto.randomUUID();
  return new Promise((resolve) => {
    let minTimer: ReturnType<typeof setTimeout> | undefined;
    const task: OpenTask = {
      targets: new Set(targets),
      answered: new Set(),
      missing: new Map(),
      onResult,
      settle: () => {
        if (!open.has(taskId)) return;
        const done = task.answered.size + task.missing.size === task.targets.size;
        if (done) finish();
        else if (task.answered.size >= min && minTimer === undefined) {
          minTimer = setTimeout(finish, options.waitAfterMinMs ?? 0);
        }
      },
    };
    const timeout = setTimeout(finish, options.timeoutMs);
    function finish() {
      if (!open.delete(taskId)) return;
      clearTimeout(timeout);
      clearTimeout(minTimer);
      abort.signal.removeEventListener("abort", finish);
      const pending = [...task.targets].filter((s) =>
        !task.answered.has(s) && !task.missing.has(s)
      );
      if (pending.length > 0) void send(CTL.cancel.make({ task_id: taskId }));
      for (const s of pending) {
        task.missing.set(s, abort.signal.aborted ? "job aborted" : "no answer in time");
      }
      resolve({
        responded: [...task.answered],
        missing: [...task.missing].map(([site, reason]) => ({ site, reason })),
      });
    }
    abort.signal.addEventListener("abort", finish);
    open.set(taskId, task);
    void send(
      CTL.broadcast.make({
        payload: encode(data),
        task_id: taskId,
        task_name: taskName,
        targets,
        timeout_ms: options.timeoutMs,
      }),
    );
  });
}

const reader = new FrameReader(Deno.stdin.readable);
let running: Promise<void> | undefined;
for (;;) {
  const raw = await reader.next();
  if (raw === undefined) break;
  const msg = TO_CONTROLLER.parse(raw);
  if (msg.kind === "ctl.start" && running === undefined) {
    const sites = msg.sites as string[];
    const ctx: ControllerContext = {
      jobId: msg.job_id as string,
      sites,
      args: msg.args as Record<string, unknown>,
      signal: abort.signal,
      broadcast: (name, data, options, onResult) => broadcast(sites, name, data, options, onResult),
      progress: (round, total, metrics) =>
        void send(
          CTL.progress.make({ round, total_rounds: total, ...(metrics ? { metrics } : {}) }),
        ),
      log: (level, message) =>
        void send(CTL.log.make({ level, message: message.slice(0, 16_000) })),
      audit: (message, task) =>
        void send(
          CTL.audit.make({ message, ...(task ? { task_name: task.name, task_id: task.id } : {}) }),
        ),
    };
    running = controller(ctx).then(
      (result) => send(CTL.finished.make({ status: "completed", result })),
      (err) =>
        send(
          CTL.finished.make({
            status: "failed",
            reason: err instanceof Error ? err.message : String(err),
          }),
        ),
    );
  } else if (msg.kind === "ctl.result") {
    const task = open.get(msg.task_id as string);
    const site = msg.site as string;
    if (!task || !task.targets.has(site) || task.answered.has(site) || task.missing.has(site)) {
      continue;
    }
    if (typeof msg.error === "string" || !(msg.payload instanceof Uint8Array)) {
      task.missing.set(site, typeof msg.error === "string" ? msg.error : "answer without payload");
    } else {
      try {
        task.onResult(site, decode(msg.payload as Uint8Array));
        task.answered.add(site);
      } catch (err) {
        task.missing.set(site, `result refused: ${err instanceof Error ? err.message : err}`);
      }
    }
    task.settle();
  } else if (msg.kind === "ctl.abort") {
    abort.abort(msg.reason);
  }
}
// The channel closed: the server is stopping or died (kill -9). Nothing can reach the sites any
// more, so the controller stops instead of waiting out its task timeouts.
abort.abort("the server closed the job's channel");
await Promise.race([running, new Promise((r) => setTimeout(r, 2000))]);
await Promise.race([drain(), new Promise((r) => setTimeout(r, 1000))]);
Deno.exit(0);
