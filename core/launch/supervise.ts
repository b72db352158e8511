import { abortableSleep } from "../util/abortable_sleep.ts";
import { pathExists } from "../util/path_exists.ts";

/** Options of `supervise()`. */
export interface SuperviseOptions {
  /** Arguments after the binary, e.g. `["run", ...flags, "<repo>/client/main.ts", "--kit", k]`. */
  args: string[];
  /** Kit folder watched for `shutdown.fl` and `restart.fl`. */
  kitDir: string;
  /** Binary to start (default `Deno.execPath()`). */
  command?: string;
  /** Working folder of the child. */
  cwd?: string;
  /** Stops the child and ends supervision with 0. */
  signal?: AbortSignal;
  /**
   * Signals to the supervising process that stop the child and end supervision with 0 (the
   * launchers pass SIGINT and SIGTERM); listeners are removed when supervision ends.
   */
  stopOnSignals?: Deno.Signal[];
  /** First restart delay (default 1000 ms); doubles per recent restart. */
  initialBackoffMs?: number;
  /** Cap of the restart delay (default 30000 ms). */
  maxBackoffMs?: number;
  /** Restarts allowed within `restartWindowMs` before giving up (default 5). */
  maxRestarts?: number;
  /** Default 300000 ms. */
  restartWindowMs?: number;
  /** How often the flag files are checked (default 500 ms). */
  pollMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping the child (default 10000 ms). */
  graceMs?: number;
  /** Where supervision messages go (default stderr, prefixed "[launcher]"). */
  log?: (message: string) => void;
}

/** Exit status of a child that found its kit damaged (`provisioning.md` §5): never restarted. */
const KIT_CHECK_FAILED = 2;

type Wake = "exit" | "shutdown" | "restart" | "stop";

async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/**
 * Runs a role process and keeps it running (`provisioning.md` §4): restarts it after an
 * unexpected exit with exponential backoff, gives up (status 1) after `maxRestarts` restarts
 * within `restartWindowMs`, restarts it on `<kit>/restart.fl`, and stops it (SIGTERM, SIGKILL
 * after `graceMs`) on `<kit>/shutdown.fl` or when `signal` aborts, returning 0. A child that exits
 * 0 on its own ends supervision with 0; one that exits 2 (kit check failed) ends it with 2, since
 * a restart cannot fix the kit. Resolves with the launcher's exit status.
 */
export async function supervise(options: SuperviseOptions): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  const signals = options.stopOnSignals ?? [];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  try {
    return await superviseUntil(
      options,
      options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
    );
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}

async function superviseUntil(options: SuperviseOptions, signal: AbortSignal): Promise<number> {
  const log = options.log ??
    ((m: string) => Deno.stderr.writeSync(new TextEncoder().encode(`[launcher] ${m}\n`)));
  const initial = options.initialBackoffMs ?? 1000;
  const cap = options.maxBackoffMs ?? 30_000;
  const maxRestarts = options.maxRestarts ?? 5;
  const windowMs = options.restartWindowMs ?? 300_000;
  const pollMs = options.pollMs ?? 500;
  const graceMs = options.graceMs ?? 10_000;
  const shutdownFile = `${options.kitDir}/shutdown.fl`;
  const restartFile = `${options.kitDir}/restart.fl`;

  for (const f of [shutdownFile, restartFile]) {
    if (await pathExists(f)) {
      log(`Removing stale "${f}" left from an earlier run`);
      await removeIfPresent(f);
    }
  }

  let currentTick: AbortController | undefined;
  const onStop = () => currentTick?.abort();
  signal.addEventListener("abort", onStop, { once: true });

  /** Waits up to `ms` (forever if undefined) for the child to exit, a flag file, or a stop. */
  async function waitFor(status: Promise<Deno.CommandStatus> | undefined, ms?: number) {
    const deadline = ms === undefined ? Infinity : Date.now() + ms;
    let exited = false;
    const watch = status?.then(() => {
      exited = true;
    });
    for (;;) {
      if (signal.aborted) return "stop" as Wake;
      if (exited) return "exit" as Wake;
      if (await pathExists(shutdownFile)) return "shutdown" as Wake;
      if (await pathExists(restartFile)) return "restart" as Wake;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      // One controller per wait, aborted by the stop listener below: no signal chains pile up
      // over days of polling.
      const tick = new AbortController();
      currentTick = tick;
      const sleep = abortableSleep(Math.min(pollMs, left), tick.signal);
      await (watch ? Promise.race([sleep, watch]) : sleep);
      tick.abort();
      currentTick = undefined;
    }
  }

  async function stopChild(child: Deno.ChildProcess): Promise<Deno.CommandStatus> {
    const kill = (sig: Deno.Signal) => {
      try {
        child.kill(sig);
      } catch {
        // Already exited.
      }
    };
    kill("SIGTERM");
    const tick = new AbortController();
    const done = await Promise.race([
      child.status,
      abortableSleep(graceMs, tick.signal).then(() => undefined),
    ]);
    tick.abort();
    if (done !== undefined) return done;
    log(`Role process did not stop within ${graceMs} ms: killing it`);
    kill("SIGKILL");
    return await child.status;
  }

  try {
    const restarts: number[] = [];
    for (;;) {
      const child = new Deno.Command(options.command ?? Deno.execPath(), {
        args: options.args,
        ...(options.cwd ? { cwd: options.cwd } : {}),
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn();
      log(`Started role process ${child.pid}`);
      const wake = await waitFor(child.status);
      if (wake === "stop" || wake === "shutdown") {
        const status = await stopChild(child);
        if (wake === "shutdown") await removeIfPresent(shutdownFile);
        log(
          `Stopped role process ${child.pid} (${
            wake === "shutdown" ? `"${shutdownFile}"` : "stop request"
          }, exit ${status.code})`,
        );
        return 0;
      }
      if (wake === "restart") {
        await removeIfPresent(restartFile);
        const status = await stopChild(child);
        log(`Restarting role process ${child.pid} on request (exit ${status.code})`);
        continue;
      }
      const status = await child.status;
      if (status.success) {
        log(`Role process ${child.pid} exited with status 0: done`);
        return 0;
      }
      if (status.code === KIT_CHECK_FAILED) {
        log(`Role process ${child.pid} refused its kit (exit 2): fix the kit, then start again`);
        return KIT_CHECK_FAILED;
      }
      const now = Date.now();
      while (restarts.length > 0 && now - restarts[0]! > windowMs) restarts.shift();
      const how = status.signal ? `signal ${status.signal}` : `status ${status.code}`;
      if (restarts.length >= maxRestarts) {
        log(
          `Role process ${child.pid} exited with ${how}; giving up after ${restarts.length} restarts within ${windowMs} ms: read its output above, fix the cause, then start again`,
        );
        return 1;
      }
      const delay = Math.min(cap, initial * 2 ** restarts.length);
      restarts.push(now);
      log(`Role process ${child.pid} exited with ${how}: restarting in ${delay} ms`);
      const during = await waitFor(undefined, delay);
      if (during === "stop" || during === "shutdown") {
        if (during === "shutdown") await removeIfPresent(shutdownFile);
        log(
          `Stopped while waiting to restart (${
            during === "shutdown" ? `"${shutdownFile}"` : "stop request"
          })`,
        );
        return 0;
      }
      if (during === "restart") await removeIfPresent(restartFile);
    }
  } finally {
    signal.removeEventListener("abort", onStop);
  }
}
