import assert from "node:assert/strict";
import { checkModuleGraph } from "./check_module_graph.ts";

const jobs = new URL("../../tests/_fixtures/graph_jobs/", import.meta.url).pathname;
const core = new URL("../", import.meta.url).pathname;

const check = (job: string) =>
  checkModuleGraph(`${jobs}${job}/custom/trainer.ts`, { allowedRoots: [`${jobs}${job}`, core] });

Deno.test("checkModuleGraph() accepts job code that imports only its folder and the runtime", async () => {
  assert.deepEqual(await check("ok"), []);
});

Deno.test("checkModuleGraph() refuses a static import of a file outside the job", async () => {
  const refusals = await check("evil_static");
  assert.equal(refusals.length, 1);
  assert.match(refusals[0]!.specifier, /outside\/secret\.json$/);
  assert.match(refusals[0]!.reason, /outside the job's folder/);
});

Deno.test("checkModuleGraph() refuses a graph it cannot load", async () => {
  const refusals = await checkModuleGraph(`${jobs}ok/custom/missing.ts`, { allowedRoots: [jobs] });
  assert.equal(refusals.length, 1);
  assert.match(refusals[0]!.reason, /cannot load the module graph/);
});

Deno.test("ExecutorProcess denies job code that imports files outside its grant, statically or at run time", async () => {
  // Deno checks read permission for modules loaded at run time, static imports included; the
  // executor host loads job code that way (never from its own static graph).
  const { ExecutorProcess } = await import("./executor_process.ts");
  const { encode } = await import("../wire/mod.ts");
  for (const job of ["evil_static", "evil_dynamic"]) {
    const runDir = await Deno.makeTempDir();
    const proc = new ExecutorProcess({
      module: `${jobs}${job}/custom/trainer.ts`,
      grant: { read: [`${jobs}${job}`], write: [runDir], heapMb: 64 },
      cwd: runDir,
      log: () => {},
    });
    try {
      const payload = encode({ path: `${jobs}outside/secret.json` });
      const err = await proc.run({ taskId: "t", taskName: "train", payload, context: {} }, 20_000)
        .then(() => undefined, (e: Error) => e);
      assert.ok(err, `${job} read the secret`);
      assert.match(err.message, /Requires read access|exited/, job);
    } finally {
      await proc.stop();
      await Deno.remove(runDir, { recursive: true });
    }
  }
});
