// The two workers behind a sandboxed job filter (see sandboxed_filter.ts for why there are two).
//
// As a worker's main module this file is the *loader*: its worker may read only the job's custom/
// files and this file, and it starts the *sandbox* worker with no permissions at all. Deno loads a
// worker's static imports with its parent's permissions, so the sandbox's module graph cannot
// reach anything outside custom/, while the sandbox itself can read nothing.
//
// Imported by the sandbox's generated main module (before the job module) this file is the
// *harness*: it closes the few doors Deno leaves open without permissions, then serves calls on a
// MessagePort whose other end the loader hands to the parent. The sandbox makes the channel:
// in Deno 2.9 the first message *into* a nested worker arrives ~500 ms late, while messages out of
// it and on a port do not. It imports nothing, so the loader needs no other grant.

/** The loader's init message, from sandboxed_filter.ts. */
export interface LoaderInit {
  /** `file:` URL of the job module. */
  jobUrl: string;
  exportName: string;
}

/** What the loader sends the parent: the sandbox's end of the call channel, or its failure. */
export type LoaderReport =
  | { type: "port"; port: MessagePort }
  | { type: "sandbox-error"; message: string };

/** Messages the sandbox sends on the port. */
export type SandboxReply =
  | { type: "ready" }
  | { type: "load-error"; message: string }
  | { type: "result"; id: number; ok: true; value: unknown }
  | { type: "result"; id: number; ok: false; message: string };

/** Messages the parent sends on the port: `init` once, then calls. */
export type SandboxRequest =
  | { type: "init"; exportName: string; args: Record<string, unknown> }
  | { type: "call"; id: number; payload: unknown; info: Record<string, unknown> };

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (e: MessageEvent) => void): void;
}

const scope = globalThis as unknown as WorkerScope;

function describe(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return "an error that cannot be shown";
  }
}

function runLoader(): void {
  let started = false;
  scope.addEventListener("message", (e: MessageEvent) => {
    if (started) return;
    started = true;
    const { jobUrl, exportName } = e.data as LoaderInit;
    // The harness comes first, so it runs before any of the job's code.
    const source = `import { serve } from ${JSON.stringify(import.meta.url)};\n` +
      `import * as job from ${JSON.stringify(jobUrl)};\nserve(job);\n`;
    const sandbox = new Worker(`data:text/javascript,${encodeURIComponent(source)}`, {
      type: "module",
      name: `job filter ${exportName}`,
      deno: { permissions: "none" },
    });
    const report = (message: string) => {
      scope.postMessage({ type: "sandbox-error", message } satisfies LoaderReport);
    };
    // The harness's first message carries the port; anything the job posts itself is ignored.
    let relayed = false;
    sandbox.addEventListener("message", (m: MessageEvent) => {
      const port = (m.data as { port?: unknown } | null)?.port;
      if (relayed || !(port instanceof MessagePort)) return;
      relayed = true;
      scope.postMessage({ type: "port", port } satisfies LoaderReport, [port]);
    });
    // Load failures (missing file, syntax error, a denied import) and uncaught errors of the job.
    sandbox.addEventListener("error", (ev) => {
      ev.preventDefault();
      report(ev.message);
    });
    sandbox.addEventListener("messageerror", () => report("a message could not be read"));
  });
}

// ---- harness (sandbox side) ----

let namespace: Record<string, unknown> | undefined;
let init: { exportName: string; args: Record<string, unknown>; port: MessagePort } | undefined;

// What a worker with no permissions can still do, and must not: the Cache API writes to disk;
// BroadcastChannel talks to every worker of the process (another job's filter too), and a nested
// Worker would bring fresh copies of these globals; Deno.kill may signal the site process itself;
// signal listeners change how the site process reacts to SIGTERM; Deno[Deno.internal] exposes
// Deno's core ops; stdio and console write into the site's logs; args, cwd and execPath describe
// the site process. Removing them before the job module evaluates leaves no reference behind.
const GLOBALS = ["caches", "CacheStorage", "Cache", "BroadcastChannel", "Worker"];
const DENO_MEMBERS = [
  "kill",
  "addSignalListener",
  "removeSignalListener",
  "stdin",
  "stdout",
  "stderr",
  "cwd",
  "execPath",
];

function lockDown(): void {
  const g = globalThis as Record<PropertyKey, unknown>;
  const d = Deno as unknown as Record<PropertyKey, unknown>;
  const remove = (o: Record<PropertyKey, unknown>, key: PropertyKey) => {
    Reflect.deleteProperty(o, key);
    if (o[key] !== undefined) throw new Error(`Cannot lock down ${String(key)}`);
  };
  for (const name of GLOBALS) remove(g, name);
  for (const name of DENO_MEMBERS) remove(d, name);
  remove(d, (Deno as unknown as { internal: symbol }).internal);
  Object.defineProperty(Deno, "args", { value: Object.freeze([]), configurable: false });
  const quiet = Object.freeze(
    Object.fromEntries(Object.keys(console).map((k) => [k, () => {}])),
  );
  Object.defineProperty(globalThis, "console", { value: quiet, configurable: false });
}

function start(): void {
  if (namespace === undefined || init === undefined) return;
  const { exportName, args, port } = init;
  const ns = namespace;
  const fail = (message: string) => port.postMessage({ type: "load-error", message });
  if (!Object.hasOwn(ns, exportName)) return fail(`the module has no export "${exportName}"`);
  const Export = ns[exportName];
  if (typeof Export !== "function") {
    return fail(`export "${exportName}" is a ${typeof Export}, not a class`);
  }
  let instance: unknown;
  try {
    instance = new (Export as new (args: Record<string, unknown>) => unknown)(args);
  } catch (err) {
    return fail(`new ${exportName}(args) threw: ${describe(err)}`);
  }
  const processFn = (instance as { process?: unknown } | null)?.process;
  if (typeof processFn !== "function") {
    return fail(`an instance of "${exportName}" has no process(payload, info) method`);
  }
  port.addEventListener("message", async (e: MessageEvent) => {
    const request = e.data as SandboxRequest;
    if (request.type !== "call") return;
    const { id, payload, info } = request;
    let reply: SandboxReply;
    try {
      const value: unknown = await processFn.call(instance, payload, info);
      reply = { type: "result", id, ok: true, value };
    } catch (err) {
      reply = { type: "result", id, ok: false, message: `threw: ${describe(err)}` };
    }
    try {
      port.postMessage(reply);
    } catch (err) {
      port.postMessage(
        {
          type: "result",
          id,
          ok: false,
          message: `returned a value that cannot leave the sandbox: ${describe(err)}`,
        } satisfies SandboxReply,
      );
    }
  });
  port.postMessage({ type: "ready" } satisfies SandboxReply);
}

/** Called once by the generated main module with the job module's namespace. */
export function serve(job: Record<string, unknown>): void {
  if (namespace !== undefined) return;
  namespace = job;
  start();
}

// Only ever inside a worker: a stray import from the site process must not lock it down.
const inWorker = typeof (globalThis as Record<string, unknown>).WorkerGlobalScope === "function";

if (inWorker && import.meta.main) {
  runLoader();
} else if (inWorker) {
  lockDown();
  // Before the job module evaluates, so a top-level await there cannot hold up the init.
  const { port1, port2 } = new MessageChannel();
  port1.addEventListener("message", (e: MessageEvent) => {
    const request = e.data as SandboxRequest;
    if (request.type !== "init" || init !== undefined) return;
    init = { exportName: request.exportName, args: request.args, port: port1 };
    start();
  });
  port1.start();
  scope.postMessage({ port: port2 }, [port2]);
}
