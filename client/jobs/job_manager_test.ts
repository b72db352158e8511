import assert from "node:assert/strict";
import { validateAppConfig } from "../../core/jobs/mod.ts";
import { decode, encode, Tensor } from "../../core/wire/mod.ts";
import { MemoryAudit } from "../../tests/_fixtures/test_project.ts";
import { JobManager } from "./job_manager.ts";

const core = new URL("../../core/", import.meta.url).pathname;
const helloApp = new URL("../../examples/jobs/hello-sag/app", import.meta.url).pathname;

async function setup(appDir: string, taskWallTimeS = 30) {
  const runDir = await Deno.makeTempDir({ prefix: "stockade_run_" });
  const audit = new MemoryAudit();
  const jobs = new JobManager({ audit, log: () => {}, runtimeRead: [core] });
  const config = validateAppConfig(
    JSON.parse(await Deno.readTextFile(`${appDir}/config/config_fed_client.json`)),
    { app: "app", file: "config_fed_client.json", side: "client" },
  );
  await jobs.add({
    jobId: "job-1",
    appDir,
    runDir,
    config,
    grant: { read: [appDir], write: [runDir], heapMb: 128 },
    taskWallTimeS,
    data: {},
  });
  let n = 0;
  const task = (taskName: string, data: unknown, jobId = "job-1") =>
    jobs.run({ jobId, taskId: `t${n++}`, taskName, payload: encode(data), ref: "r" }, "site_a");
  return {
    jobs,
    audit,
    task,
    close: async () => {
      await jobs.close();
      await Deno.remove(runDir, { recursive: true });
    },
  };
}

Deno.test("JobManager routes tasks to the app's executor and audits its exact flags", async () => {
  const s = await setup(helloApp);
  try {
    const r = await s.task("train", {
      round: 0,
      weights: { w: new Tensor([2], new Float32Array([1, 2])) },
    });
    assert.ok("payload" in r, JSON.stringify(r));
    const out = decode(r.payload) as { weights: { w: Tensor } };
    assert.deepEqual([...out.weights.w.data], [2, 3]);
    assert.deepEqual(await s.task("validate", {}), {
      error: 'no executor of job "job-1" serves task "validate"',
    });
    assert.match((await s.task("train", {}, "job-9") as { error: string }).error, /not deployed/);
    const started = s.audit.jobEvents.filter((e) => e.msg?.startsWith("executor started: "));
    assert.equal(started.length, 1, "one process serves both tasks");
    assert.match(started[0]!.msg!, /--deny-net --deny-env --deny-run --deny-ffi --deny-sys/);
    assert.ok(
      s.audit.jobEvents.some((e) =>
        e.msg === "invoked executor stockade.app_common.executors.AddOneTrainer"
      ),
    );
  } finally {
    await s.close();
  }
});

/** An app folder whose one executor, for every task, is `custom/<module>.ts`'s `<Export>`. */
async function oneExecutorApp(path: string, source: string): Promise<string> {
  const app = await Deno.makeTempDir({ prefix: "stockade_app_" });
  await Deno.mkdir(`${app}/config`);
  await Deno.mkdir(`${app}/custom`);
  await Deno.writeTextFile(
    `${app}/config/config_fed_client.json`,
    JSON.stringify({ format_version: 2, executors: [{ tasks: ["*"], executor: { path } }] }),
  );
  await Deno.writeTextFile(`${app}/custom/${path.split(".")[0]}.ts`, source);
  return app;
}

Deno.test("JobManager replaces an executor that overran its wall time", async () => {
  const app = await oneExecutorApp(
    "slow.Slow",
    `export function Slow(t: { data: { loop?: boolean } }) { while (t.data.loop) {} return "done"; }`,
  );
  const s = await setup(app, 1);
  try {
    assert.match(
      (await s.task("train", { loop: true }) as { error: string }).error,
      /^EXECUTION_TIMEOUT/,
    );
    const r = await s.task("train", {});
    assert.ok("payload" in r && decode(r.payload) === "done", JSON.stringify(r));
    assert.equal(s.audit.jobEvents.filter((e) => e.msg?.startsWith("executor started")).length, 2);
  } finally {
    await s.close();
    await Deno.remove(app, { recursive: true });
  }
});

Deno.test("JobManager runs a job's tasks for one executor one at a time, in arrival order", async () => {
  const app = await oneExecutorApp(
    "nap.Nap",
    `export async function Nap(t: { data: { round: number; ms: number } }) {
      await new Promise((ok) => setTimeout(ok, t.data.ms));
      return { round: t.data.round, ended: Date.now() };
    }`,
  );
  const s = await setup(app);
  try {
    // Round 2 arrives while round 1 still runs, as at a site the server has moved on from.
    const first = s.task("train", { round: 1, ms: 300 });
    const second = s.task("train", { round: 2, ms: 0 });
    const [a, b] = await Promise.all([first, second]);
    assert.ok("payload" in a && "payload" in b, JSON.stringify([a, b]));
    const ra = decode(a.payload) as { round: number; ended: number };
    const rb = decode(b.payload) as { round: number; ended: number };
    assert.deepEqual([ra.round, rb.round], [1, 2]);
    assert.ok(rb.ended >= ra.ended, "round 2 ran after round 1 ended");
    assert.equal(s.audit.jobEvents.filter((e) => e.msg?.startsWith("executor started")).length, 1);
    assert.equal(s.jobs.get("job-1")!.stats.failed, 0);
  } finally {
    await s.close();
    await Deno.remove(app, { recursive: true });
  }
});
