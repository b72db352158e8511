import assert from "node:assert/strict";
import { checkModuleGraph } from "./check_module_graph.ts";

const jobs = new URL("../../tests/_fixtures/graph_jobs/", import.meta.url).pathname;
const core = new URL("../", import.meta.url).pathname;

const check = (job: string) =>
  checkModuleGraph(`${jobs}${job}/custom/trainer.ts`, {
    allowedRoots: [`${jobs}${job}`, core],
    jobRoots: [`${jobs}${job}`],
  });

Deno.test("checkModuleGraph() accepts job code that imports only its folder and the runtime", async () => {
  assert.deepEqual(await check("ok"), []);
});

Deno.test("checkModuleGraph() refuses a static import of a file outside the job", async () => {
  const refusals = await check("evil_static");
  assert.equal(refusals.length, 1);
  assert.match(refusals[0]!.specifier, /outside\/secret\.json$/);
  assert.match(refusals[0]!.reason, /outside the job's folder/);
});

Deno.test("checkModuleGraph() refuses dynamic import() in job code", async () => {
  const refusals = await check("evil_dynamic");
  assert.deepEqual(refusals.map((r) => r.reason), ["uses dynamic import(), which jobs may not"]);
});

Deno.test("checkModuleGraph() refuses a graph it cannot load", async () => {
  const refusals = await checkModuleGraph(`${jobs}ok/custom/missing.ts`, {
    allowedRoots: [jobs],
    jobRoots: [jobs],
  });
  assert.equal(refusals.length, 1);
  assert.match(refusals[0]!.reason, /cannot load the module graph/);
});

Deno.test("platform canary: the module loader reads JSON outside --allow-read (why the check exists)", async () => {
  // When this starts failing, Deno applies read permission to module loading and the graph check
  // becomes defence in depth rather than the only barrier.
  const { ExecutorProcess } = await import("./executor_process.ts");
  const { decode, encode } = await import("../wire/mod.ts");
  const runDir = await Deno.makeTempDir();
  const proc = new ExecutorProcess({
    module: `${jobs}evil_static/custom/trainer.ts`,
    grant: { read: [`${jobs}evil_static`], write: [runDir], heapMb: 64 },
    cwd: runDir,
    log: () => {},
  });
  try {
    const out = decode(
      await proc.run(
        { taskId: "t", taskName: "train", payload: encode(null), context: {} },
        20_000,
      ),
    ) as Record<string, unknown>;
    assert.deepEqual({ ...out }, { secret: "another site" });
  } finally {
    await proc.stop();
    await Deno.remove(runDir, { recursive: true });
  }
});
