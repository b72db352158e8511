import assert from "node:assert/strict";
import { supervise, type SuperviseOptions } from "../core/launch/mod.ts";

const CHILD = new URL("./launch_child_fixture.ts", import.meta.url).pathname;
const SUPERVISOR = new URL("./launch_supervisor_fixture.ts", import.meta.url).pathname;

interface Harness {
  dir: string;
  log: string;
  messages: string[];
  options(mode: string, n?: number, extra?: Partial<SuperviseOptions>): SuperviseOptions;
  lines(): Promise<string[]>;
  until(pred: (lines: string[]) => boolean): Promise<string[]>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Kills any child still alive after a failed test (normally all have exited). */
async function killLeftovers(pidFile: string): Promise<void> {
  const pids = await Deno.readTextFile(pidFile).catch(() => "");
  for (const pid of pids.split("\n").filter((p) => p !== "")) {
    // Only our fixture: an exited child's pid may already belong to someone else.
    const cmd = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (!cmd.includes("launch_child_fixture.ts")) continue;
    try {
      Deno.kill(Number(pid), "SIGKILL");
    } catch {
      // Already exited.
    }
  }
}

/** A temp "kit" folder with the child's log; the stop controller ends supervision on failure. */
async function withHarness(
  fn: (h: Harness, stop: AbortController) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "stockade_launch_" });
  const log = `${dir}/child.log`;
  const messages: string[] = [];
  const lines = async () => {
    try {
      return (await Deno.readTextFile(log)).split("\n").filter((l) => l !== "");
    } catch {
      return [];
    }
  };
  const h: Harness = {
    dir,
    log,
    messages,
    options: (mode, n, extra = {}) => ({
      args: ["run", `--allow-read=${dir}`, `--allow-write=${dir}`, CHILD, log, mode, `${n ?? 0}`],
      kitDir: dir,
      initialBackoffMs: 20,
      maxBackoffMs: 80,
      pollMs: 20,
      graceMs: 5000,
      log: (m) => messages.push(m),
      ...extra,
    }),
    lines,
    async until(pred) {
      for (let i = 0; i < 400; i++) {
        const l = await lines();
        if (pred(l)) return l;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`Condition not reached; log: ${JSON.stringify(await lines())}`);
    },
  };
  const stop = new AbortController();
  try {
    await fn(h, stop);
  } finally {
    stop.abort();
    await killLeftovers(`${log}.pids`);
    await Deno.remove(dir, { recursive: true });
  }
}

const count = (lines: string[], what: string) => lines.filter((l) => l === what).length;

Deno.test("supervise() restarts a crashed process and stops it on shutdown.fl", async () => {
  await withHarness(async (h, stop) => {
    const done = supervise(h.options("crash", 2, { signal: stop.signal }));
    try {
      // Two crashes, then the third start keeps running.
      await h.until((l) => count(l, "start") === 3);
      await Deno.writeTextFile(`${h.dir}/shutdown.fl`, "");
      assert.equal(await done, 0);
    } finally {
      stop.abort();
      await done;
    }
    assert.deepEqual(await h.lines(), ["start", "start", "start", "term"]);
    assert.equal(await exists(`${h.dir}/shutdown.fl`), false);
    assert.equal(
      h.messages.filter((m) => m.includes("exited with status 1: restarting")).length,
      2,
    );
  });
});

Deno.test("supervise() gives up after too many restarts within the window", async () => {
  await withHarness(async (h, stop) => {
    const code = await supervise(h.options("crash", 1000, { signal: stop.signal, maxRestarts: 3 }));
    assert.equal(code, 1);
    assert.equal(count(await h.lines(), "start"), 4);
    assert.match(h.messages.at(-1) ?? "", /giving up after 3 restarts within 300000 ms/);
    // Backoff doubles from 20 ms up to the 80 ms cap.
    assert.deepEqual(
      h.messages.flatMap((m) => /restarting in (\d+) ms/.exec(m)?.[1] ?? []),
      ["20", "40", "80"],
    );
  });
});

Deno.test("supervise() restarts the process on restart.fl and stops on its signal", async () => {
  await withHarness(async (h, stop) => {
    const done = supervise(h.options("crash", 0, { signal: stop.signal }));
    try {
      await h.until((l) => count(l, "start") === 1);
      await Deno.writeTextFile(`${h.dir}/restart.fl`, "");
      await h.until((l) => count(l, "start") === 2);
      assert.equal(await exists(`${h.dir}/restart.fl`), false);
      stop.abort();
      assert.equal(await done, 0);
    } finally {
      stop.abort();
      await done;
    }
    assert.deepEqual(await h.lines(), ["start", "term", "start", "term"]);
  });
});

Deno.test("supervise() ends with the child's 0 or 2 instead of restarting", async () => {
  await withHarness(async (h, stop) => {
    assert.equal(await supervise(h.options("exit", 0, { signal: stop.signal })), 0);
    assert.equal(await supervise(h.options("exit", 2, { signal: stop.signal })), 2);
    assert.equal(count(await h.lines(), "start"), 2);
    assert.match(h.messages.at(-1) ?? "", /refused its kit \(exit 2\)/);
  });
});

Deno.test("supervise() kills a process that ignores SIGTERM after the grace period", async () => {
  await withHarness(async (h, stop) => {
    const done = supervise(h.options("stubborn", 0, { signal: stop.signal, graceMs: 200 }));
    try {
      await h.until((l) => count(l, "start") === 1);
      // Let the child install its SIGTERM handler before asking it to stop.
      await new Promise((r) => setTimeout(r, 300));
      await Deno.writeTextFile(`${h.dir}/shutdown.fl`, "");
      assert.equal(await done, 0);
    } finally {
      stop.abort();
      await done;
    }
    assert.ok(h.messages.some((m) => m.includes("did not stop within 200 ms: killing it")));
  });
});

Deno.test("supervise() removes stale flag files and stops on SIGTERM to the supervisor", async () => {
  await withHarness(async (h) => {
    await Deno.writeTextFile(`${h.dir}/shutdown.fl`, "");
    const sup = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-read=${h.dir}`,
        `--allow-write=${h.dir}`,
        `--allow-run=${Deno.execPath()}`,
        SUPERVISOR,
        h.dir,
        h.log,
        "crash",
        "0",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let status: Deno.CommandStatus | undefined;
    try {
      await h.until((l) => count(l, "start") === 1);
      await new Promise((r) => setTimeout(r, 300));
      sup.kill("SIGTERM");
      const out = await sup.output();
      status = out;
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      assert.match(stderr, /Removing stale ".*shutdown\.fl"/);
      assert.match(stderr, /Stopped role process \d+ \(stop request, exit 0\)/);
    } finally {
      if (status === undefined) {
        try {
          sup.kill("SIGKILL");
        } catch { /* already gone */ }
        await sup.status;
        await sup.stderr.cancel().catch(() => {});
      }
    }
    assert.deepEqual(await h.lines(), ["start", "term"]);
  });
});
