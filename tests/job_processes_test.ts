// A sandboxed server job process (ScatterAndGather) driving sandboxed executors, wired the way
// the server and the sites relay tasks: every process is real, with the real sandbox flags.
import assert from "node:assert/strict";
import { ControllerProcess, type ControllerTask } from "../core/sandbox/controller_process.ts";
import { ExecutorProcess } from "../core/sandbox/executor_process.ts";
import type { Tensor } from "../core/wire/mod.ts";
import { irisSplit } from "../core/app_common/iris_split.ts";
import { accuracy, type LogRegModel } from "../core/app_common/logistic_regression.ts";

const core = new URL("../core/", import.meta.url).pathname;
const fixtures = new URL("./_fixtures/executors/", import.meta.url).pathname;

async function runJob(
  sites: Record<string, { module: string; failFrom?: number; dataDir?: string }>,
  args: Record<string, unknown>,
) {
  const runDir = await Deno.makeTempDir({ prefix: "stockade_job_" });
  const grant = { read: [core, fixtures], write: [runDir], heapMb: 128 };
  // Each site's executor may read only its own data folder.
  const executors = new Map(
    Object.entries(sites).map(([name, s]) => [
      name,
      new ExecutorProcess({
        module: s.module,
        grant: { ...grant, read: [...grant.read, ...(s.dataDir ? [s.dataDir] : [])] },
        cwd: runDir,
        log: () => {},
      }),
    ]),
  );
  const progress: number[] = [];
  const controller: ControllerProcess = new ControllerProcess({
    module: `${core}app_common/scatter_and_gather.ts`,
    grant,
    cwd: runDir,
    events: {
      broadcast: (task: ControllerTask) => {
        for (const site of task.targets) {
          executors.get(site)!.run({
            taskId: task.taskId,
            taskName: task.taskName,
            payload: task.payload,
            context: {
              fail_from: sites[site]!.failFrom ?? Infinity,
              ...(sites[site]!.dataDir
                ? { data: { train: `${sites[site]!.dataDir}/train.json` } }
                : {}),
            },
          }, task.timeoutMs).then(
            (payload) => controller.deliver(task.taskId, site, { payload }),
            (err) => controller.deliver(task.taskId, site, { error: (err as Error).message }),
          );
        }
      },
      cancel: () => {},
      progress: (p) => progress.push(p.round),
      audit: () => {},
      log: () => {},
    },
  });
  try {
    await controller.start("job-1", Object.keys(sites), args);
    const outcome = await controller.finished;
    return { outcome, progress, flags: controller.flags };
  } finally {
    await controller.stop();
    for (const e of executors.values()) await e.stop();
    await Deno.remove(runDir, { recursive: true });
  }
}

const hello = {
  num_rounds: 5,
  min_clients: 2,
  initial_weights: { w: { shape: [3, 3] } },
  train_timeout: 30,
};
const addOne = `${core}app_common/add_one_trainer.ts`;

Deno.test("hello-sag: five FedAvg rounds of add-one at two sites give exactly 5.0", async () => {
  const { outcome, progress, flags } = await runJob(
    { site_a: { module: addOne }, site_b: { module: addOne } },
    hello,
  );
  assert.equal(outcome.status, "completed", JSON.stringify(outcome));
  const w = (outcome as { result: { weights: { w: Tensor } } }).result.weights.w;
  assert.deepEqual(w.shape, [3, 3]);
  assert.ok([...w.data].every((v) => v === 5), `got ${[...w.data]}`);
  assert.deepEqual(progress, [1, 2, 3, 4, 5]);
  assert.ok(!flags.some((f) => /allow-(net|env|run|ffi|sys)/.test(f)), flags.join(" "));
});

Deno.test("ScatterAndGather finishes when a dropped site leaves min_clients met", async () => {
  const flaky = `${fixtures}flaky_trainer.ts`;
  const { outcome } = await runJob(
    {
      site_a: { module: addOne },
      site_b: { module: addOne },
      site_c: { module: flaky, failFrom: 2 },
    },
    { ...hello, min_clients: 2 },
  );
  assert.equal(outcome.status, "completed", JSON.stringify(outcome));
  const w = (outcome as { result: { weights: { w: Tensor } } }).result.weights.w;
  assert.ok([...w.data].every((v) => v === 5));
});

Deno.test("ScatterAndGather fails with the sites' reasons when min_clients is not met", async () => {
  const flaky = `${fixtures}flaky_trainer.ts`;
  const { outcome } = await runJob(
    { site_a: { module: addOne }, site_b: { module: flaky, failFrom: 1 } },
    hello,
  );
  assert.equal(outcome.status, "failed");
  assert.match(
    (outcome as { reason: string }).reason,
    /Round 1 got 1 results.*site_b: .*site broke in round 1/,
  );
});

Deno.test("fedavg-logreg: three sites, each seeing only its own data, reach 90% on held-out data", async () => {
  const { sites, test } = irisSplit({ sites: 3, holdout: 30 });
  const dirs: string[] = [];
  try {
    for (const d of sites) {
      const dir = await Deno.makeTempDir({ prefix: "stockade_data_" });
      await Deno.writeTextFile(`${dir}/train.json`, JSON.stringify(d));
      dirs.push(dir);
    }
    const trainer = `${core}app_common/logreg_trainer.ts`;
    const { outcome } = await runJob(
      Object.fromEntries(dirs.map((dir, i) => [`site_${i}`, { module: trainer, dataDir: dir }])),
      {
        num_rounds: 5,
        min_clients: 3,
        train_timeout: 60,
        initial_weights: { W: { shape: [3, 4] }, b: { shape: [3] } },
      },
    );
    assert.equal(outcome.status, "completed", JSON.stringify(outcome));
    const model = (outcome as { result: { weights: LogRegModel } }).result.weights;
    assert.ok(accuracy(model, test) >= 0.9, `held-out accuracy ${accuracy(model, test)}`);
  } finally {
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});
