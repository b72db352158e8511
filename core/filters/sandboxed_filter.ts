import { isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Tensor, type TypedArray } from "../wire/mod.ts";
import { createFilter, type FilterLogic } from "./create_filter.ts";
import { type Dxo, type DxoValue, isDxo } from "./dxo.ts";
import { FilterError } from "./filter_error.ts";
import type { Filter, FilterContext, FilterDirection, FilterOutcome } from "./filter.ts";
import type { LoaderInit, LoaderReport, SandboxReply, SandboxRequest } from "./_filter_worker.ts";

/** Options of {@linkcode createSandboxedFilter}. */
export interface SandboxedFilterOptions {
  /** Absolute path of the job app's `custom/` folder. */
  customDir: string;
  /** `<module>.<Export>`: the class `Export` of `<customDir>/<module>.ts`. */
  path: string;
  args: Record<string, unknown>;
  direction: FilterDirection | undefined;
  /** Time limit of each call, in ms (default 30 000): a filter over it is stopped, the call fails. */
  timeoutMs?: number;
  /**
   * Time limit of loading the module and constructing the class, in ms (default 30 000). Kept
   * apart from `timeoutMs` because a worker in a nested worker takes ~0.5 s to start in Deno 2.9,
   * and under `deno test` or `--check` Deno also type-checks the job's code as it loads.
   */
  loadTimeoutMs?: number;
}

/** A job filter running in its own sandbox worker; `close()` stops the worker. */
export type SandboxedFilter = Filter & { close(): void };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WORKER_URL = new URL("./_filter_worker.ts", import.meta.url);
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_MESSAGE = 500;
const TYPED_ARRAYS = [
  Uint8Array,
  Uint16Array,
  Uint32Array,
  BigUint64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  BigInt64Array,
  Float32Array,
  Float64Array,
];

/** Job-supplied text for messages and audit lines: one line, no escapes, at most 500 chars. */
function clean(text: string): string {
  // deno-lint-ignore no-control-regex
  const line = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/[\x00-\x1f\x7f]+/g, " ").trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}…` : line;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isTypedArray(v: unknown): v is TypedArray {
  return TYPED_ARRAYS.some((C) => v instanceof C);
}

function checkArray(v: TypedArray, where: string): TypedArray {
  // Shared memory would stay writable by the job after the call returned.
  if (!(v.buffer instanceof ArrayBuffer)) throw new TypeError(`${where} is in shared memory`);
  return v;
}

/** Checks a DXO that came out of the sandbox and turns `{shape, data}` back into tensors. */
function checkDxo(dxo: Dxo, where: string, open: Set<object>): Dxo {
  if (open.has(dxo)) throw new TypeError(`${where} contains itself`);
  open.add(dxo);
  // fromEntries defines own properties, so even a "__proto__" key stays data.
  const data = Object.fromEntries(
    Object.entries(dxo.data).map(([k, v]) => [k, checkValue(v, `${where}.data.${k}`, open)]),
  );
  open.delete(dxo);
  return { kind: dxo.kind, data, meta: dxo.meta };
}

function checkValue(v: unknown, where: string, open: Set<object>): DxoValue {
  if (typeof v === "number") return v;
  if (isTypedArray(v)) return checkArray(v, where);
  if (isDxo(v)) return checkDxo(v, where, open);
  if (
    isPlainObject(v) && Object.keys(v).sort().join() === "data,shape" && Array.isArray(v.shape) &&
    isTypedArray(v.data)
  ) {
    return new Tensor(v.shape as number[], checkArray(v.data, `${where}.data`));
  }
  throw new TypeError(`${where} is not a number, typed array, tensor {shape, data} or DXO`);
}

/** The job's answer as a filter outcome; the input's provenance cannot be rewritten by the job. */
function toOutcome(value: unknown, input: unknown): FilterOutcome {
  if (isPlainObject(value) && Object.keys(value).join() === "skip") {
    if (typeof value.skip !== "string") throw new TypeError("returned a skip that is not a string");
    return { applied: false, reason: clean(value.skip) || "no reason given" };
  }
  if (!isDxo(value)) {
    throw new TypeError("returned neither a DXO {kind, data, meta} nor {skip: reason}");
  }
  const dxo = checkDxo(value, "payload", new Set());
  const prior = isDxo(input) ? input.meta._filter_provenance : undefined;
  if (prior === undefined) delete dxo.meta._filter_provenance;
  else dxo.meta._filter_provenance = prior;
  return { applied: true, payload: dxo, notes: [] };
}

/** Every regular file under `dir`; symbolic links are not followed and not listed. */
async function regularFiles(dir: string, out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isFile) out.push(p);
    else if (e.isDirectory) await regularFiles(p, out);
  }
  return out;
}

interface Waiter {
  id: number;
  settle(reply: SandboxReply): void;
  fail(why: string): void;
}

/** The loader and sandbox workers of one filter: one exchange at a time, in call order. */
class Sandbox {
  readonly #loader: Worker;
  readonly #callMs: number;
  #port: MessagePort | undefined;
  #waiter: Waiter | undefined;
  #stopped: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;

  private constructor(
    init: LoaderInit & { args: Record<string, unknown> },
    read: string[],
    callMs: number,
  ) {
    this.#callMs = callMs;
    this.#loader = new Worker(WORKER_URL, {
      type: "module",
      name: `job filter loader ${init.exportName}`,
      deno: {
        permissions: {
          read,
          write: false,
          net: false,
          env: false,
          run: false,
          ffi: false,
          sys: false,
          import: false,
        },
      },
    });
    this.#loader.addEventListener("message", (e) => {
      const report = e.data as LoaderReport;
      if (report.type === "sandbox-error") return this.#stop(`crashed: ${clean(report.message)}`);
      if (this.#port !== undefined || this.#stopped !== undefined) return report.port.close();
      this.#port = report.port;
      this.#port.addEventListener("message", (m) => this.#reply(m.data as SandboxReply));
      this.#port.start();
      this.#send({ type: "init", exportName: init.exportName, args: init.args });
    });
    this.#loader.addEventListener("error", (e) => {
      e.preventDefault();
      this.#stop(`crashed: ${clean(e.message)}`);
    });
    this.#loader.postMessage(
      { jobUrl: init.jobUrl, exportName: init.exportName } satisfies LoaderInit,
    );
  }

  /** Starts the workers; `ready` settles once the job's class is constructed. */
  static open(
    init: LoaderInit & { args: Record<string, unknown> },
    read: string[],
    timeouts: { loadMs: number; callMs: number },
  ): { sandbox: Sandbox; ready: Promise<SandboxReply> } {
    const sandbox = new Sandbox(init, read, timeouts.callMs);
    return { sandbox, ready: sandbox.#exchange(0, timeouts.loadMs, () => {}) };
  }

  call(payload: unknown, info: Record<string, unknown>): Promise<SandboxReply> {
    const run = () => {
      const id = this.#nextId++;
      return this.#exchange(
        id,
        this.#callMs,
        () => this.#send({ type: "call", id, payload, info }),
      );
    };
    const reply = this.#queue.then(run);
    this.#queue = reply.catch(() => {});
    return reply;
  }

  close(): void {
    this.#stop("was closed");
  }

  #send(request: SandboxRequest): void {
    this.#port!.postMessage(request);
  }

  #exchange(id: number, ms: number, send: () => void): Promise<SandboxReply> {
    return new Promise((resolve, reject) => {
      if (this.#stopped !== undefined) return reject(new Error(`is stopped: it ${this.#stopped}`));
      const timer = setTimeout(
        () => this.#stop(`timed out after ${ms} ms (its sandbox was stopped)`),
        ms,
      );
      const waiter: Waiter = {
        id,
        settle: (reply) => {
          clearTimeout(timer);
          this.#waiter = undefined;
          resolve(reply);
        },
        fail: (why) => {
          clearTimeout(timer);
          this.#waiter = undefined;
          reject(new Error(why));
        },
      };
      this.#waiter = waiter;
      try {
        send();
      } catch (err) {
        waiter.fail(
          `got a payload that cannot be passed to its sandbox: ${(err as Error).message}`,
        );
      }
    });
  }

  #reply(reply: SandboxReply): void {
    const w = this.#waiter;
    if (w === undefined) return;
    if (reply.type === "result" ? reply.id === w.id : w.id === 0) w.settle(reply);
  }

  #stop(reason: string): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = reason;
    // Terminating the loader also ends the sandbox worker it started, even mid-loop.
    this.#loader.terminate();
    this.#port?.close();
    this.#waiter?.fail(reason);
  }
}

/**
 * Builds a job filter whose code is in the job's `custom/` (`privacy-and-filters.md` §3). It runs
 * in its own worker with no permissions at all; a loader worker between it and the site process
 * may read only the regular files of `custom/`, so the job module's static imports (which Deno
 * loads with the parent worker's permissions) cannot reach site files either.
 *
 * Job module contract: `path` `<module>.<Export>` names `export class Export` of
 * `<customDir>/<module>.ts` (any name matching `[A-Za-z_][A-Za-z0-9_]*`). It is constructed once
 * as `new Export(args)` with the entry's args; then, one call at a time, the site calls
 * `instance.process(payload, info)` (may be async) with `info = {chain, direction, scope,
 * replyCode}`, and it returns either a new DXO `{kind, data, meta}` (applied) or `{skip: reason}`
 * (skipped, audited). Payloads are structured-cloned: typed arrays keep their type, tensors arrive
 * as plain `{shape, data}` and may be returned as such, `data` values must be numbers, typed arrays,
 * tensors or DXOs. `meta._filter_provenance` is kept from the input whatever the job returns. Job
 * filters cannot spend privacy budget nor get noise: budgeted DP comes from built-in filters.
 *
 * Failures: a bad path, a missing file or export, an export that is not a class, a constructor
 * that throws, a failed import or a load over `loadTimeoutMs` reject with `PRIVACY_FILTER`. At run
 * time a throw, a malformed result or a call over `timeoutMs` rejects with the chain's
 * `TASK_DATA_FILTER_ERROR` / `TASK_RESULT_FILTER_ERROR` (job text cleaned, at most 500 chars). A
 * timeout or crash stops the worker for good: later calls fail rather than silently restarting the
 * job's code without its state. `close()` stops it too.
 *
 * Before the job's code runs, the sandbox loses what Deno grants even without permissions and what
 * reaches outside the worker: the Cache API, BroadcastChannel, nested Workers, `Deno.kill`, signal
 * listeners, stdio, console output, `Deno[Deno.internal]`, the site's args, cwd and execPath.
 * Not contained in-process: memory exhaustion (it takes the site process down), `node:v8`
 * `setFlagsFromString`, and `node:worker_threads`' BroadcastChannel between colluding job filters.
 *
 * The process needs `--unstable-worker-options` (or `"unstable": ["worker-options"]`); without it
 * Deno 2.9 exits the whole process with code 70 when the worker is created.
 */
export async function createSandboxedFilter(
  opts: SandboxedFilterOptions,
): Promise<SandboxedFilter> {
  const { path, args, direction } = opts;
  checkOptions(opts); // bad paths and time limits fail before the entry's own checks
  let loaded: SandboxedFilterLogic | undefined;
  // createFilter checks args and direction and computes args_sha256 exactly as for built-ins,
  // before the workers start.
  const filter = await createFilter(
    { path, args, ...(direction === undefined ? {} : { direction }) },
    { source: "job", resolve: async () => loaded = await loadSandboxedFilter(opts) },
  );
  const sandbox = loaded!;
  return Object.freeze({ ...filter, close: () => sandbox.close() });
}

/** The logic of a sandboxed job filter, before it is bound to its entry; `close()` stops it. */
export type SandboxedFilterLogic = FilterLogic & { close(): void };

/** The parts of a job filter's `path` and its time limits; throws on bad ones. */
function checkOptions(opts: Omit<SandboxedFilterOptions, "direction">) {
  const { customDir, path } = opts;
  const fail = (message: string) => new FilterError("PRIVACY_FILTER", message, { filter: path });
  const dot = path.indexOf(".");
  const moduleName = path.slice(0, dot);
  const exportName = path.slice(dot + 1);
  if (dot < 0 || !NAME.test(moduleName) || !NAME.test(exportName)) {
    throw fail(`Job filter path "${clean(path)}" is not <module>.<Export> of custom/<module>.ts`);
  }
  const timeouts = {
    callMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    loadMs: opts.loadTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  for (const ms of Object.values(timeouts)) {
    if (!(Number.isFinite(ms) && ms > 0)) {
      throw new RangeError(`Cannot create job filter: time limit ${ms} ms is not positive`);
    }
  }
  if (!isAbsolute(customDir)) throw fail(`Job filter "${path}": "${customDir}" is not absolute`);
  return { moduleName, exportName, timeouts, fail };
}

/**
 * Starts a job filter's sandbox (see {@linkcode createSandboxedFilter}) and returns its logic, for
 * a caller that binds it to its entry itself: the role mains hand this to the deployer and the
 * scheduler as their `jobFilter`, whose chain builder runs `createFilter` on it.
 */
export async function loadSandboxedFilter(
  opts: Omit<SandboxedFilterOptions, "direction">,
): Promise<SandboxedFilterLogic> {
  const { customDir, path, args } = opts;
  const { moduleName, exportName, timeouts, fail } = checkOptions(opts);

  let moduleFile: string;
  let read: string[];
  try {
    const root = await Deno.realPath(customDir);
    moduleFile = join(root, `${moduleName}.ts`);
    const stat = await Deno.lstat(moduleFile).catch(() => undefined);
    if (!stat?.isFile) {
      const what = stat?.isSymlink ? "is a symbolic link" : "does not exist";
      throw fail(`Job filter "${path}": module file "${moduleFile}" ${what}`);
    }
    // Regular files only: a symbolic link in custom/ must not widen the loader's grant.
    read = [...await regularFiles(root), await Deno.realPath(WORKER_URL)];
  } catch (err) {
    if (err instanceof FilterError) throw err;
    throw fail(`Job filter "${path}": custom folder "${customDir}" cannot be read: ${err}`);
  }

  let opened: ReturnType<typeof Sandbox.open>;
  try {
    opened = Sandbox.open(
      { jobUrl: pathToFileURL(moduleFile).href, exportName, args },
      read,
      timeouts,
    );
  } catch (err) {
    throw fail(`Job filter "${path}": its sandbox cannot be started: ${err}`);
  }
  let ready: SandboxReply;
  try {
    ready = await opened.ready;
  } catch (err) {
    throw fail(
      `Job filter "${path}" cannot be loaded from "${moduleFile}": it ${(err as Error).message}`,
    );
  }
  if (ready.type !== "ready") {
    opened.sandbox.close();
    const why = ready.type === "load-error" ? clean(ready.message) : "sent an unexpected message";
    throw fail(`Job filter "${path}" cannot be loaded from "${moduleFile}": ${why}`);
  }
  const sandbox = opened.sandbox;
  return {
    name: exportName,
    warnings: [],
    process: async (payload: unknown, ctx: FilterContext) => {
      const code = ctx.chain === "task_data"
        ? "TASK_DATA_FILTER_ERROR"
        : "TASK_RESULT_FILTER_ERROR";
      const error = (what: string) =>
        new FilterError(code, `Job filter "${exportName}" ${what}`, { filter: exportName });
      const info = {
        chain: ctx.chain,
        direction: ctx.direction,
        scope: ctx.scope,
        replyCode: ctx.replyCode,
      };
      let reply: SandboxReply;
      try {
        reply = await sandbox.call(payload, info);
      } catch (err) {
        throw error((err as Error).message);
      }
      if (reply.type !== "result") throw error("sent an unexpected message");
      if (!reply.ok) throw error(clean(reply.message));
      try {
        return toOutcome(reply.value, payload);
      } catch (err) {
        throw error(clean((err as Error).message));
      }
    },
    close: () => sandbox.close(),
  };
}
