/**
 * ScatterAndGather over the real transport (mTLS terminator, sandboxed controller, sandboxed
 * executors), 5 rounds, for N = 2 and 8 sites and models of 3×3, 1 M and 25 M float32 (100 MB).
 * Reports wall time and time per round. The job is started directly on the server (submission and
 * deployment are not part of this figure yet).
 *
 * NVFlare 2.6.3 on this machine (same job shape): N=8 / 100 MB: 121 s, 22 s per round;
 * N=2 / 100 MB: 46 s, 8 s per round; N=2 / 3×3: 16.8 s total.
 */
import { type AssignedTask, SiteAgent } from "../client/site_agent.ts";
import { ExecutorProcess } from "../core/sandbox/executor_process.ts";
import { startServer } from "../server/start_server.ts";
import { MemoryAudit, provisionTestProject } from "../tests/_fixtures/test_project.ts";
import type { BenchRow } from "./_report.ts";

const core = new URL("../core/", import.meta.url).pathname;
const REFERENCE: Record<string, number> = {
  "2 sites, 100 MB": 46,
  "8 sites, 100 MB": 121,
  "2 sites, 3×3": 16.8,
};

async function run(sites: number, shape: number[], label: string): Promise<BenchRow[]> {
  const names = Array.from({ length: sites }, (_, i) => `site_${i + 1}`);
  const p = await provisionTestProject({
    name: "bench_sag",
    sites: names.map((name) => ({ name, org: "org_a" })),
  });
  const server = await startServer({
    kit: await p.kit("localhost", "server"),
    audit: new MemoryAudit(),
    hostname: "127.0.0.1",
    port: 0,
    log: () => {},
    settings: { idlePollMs: 20 },
  });
  const runDir = await Deno.makeTempDir({ prefix: "stockade_bench_" });
  const grant = { read: [core], write: [runDir], heapMb: 2048 };
  const stop = new AbortController();
  const executors: ExecutorProcess[] = [];
  const agents = await Promise.all(names.map(async (name) => {
    const ex = new ExecutorProcess({
      module: `${core}app_common/add_one_trainer.ts`,
      grant,
      cwd: runDir,
      log: () => {},
    });
    executors.push(ex);
    return new SiteAgent({
      kit: await p.kit(name, "client"),
      audit: new MemoryAudit(),
      target: `127.0.0.1:${server.listener.port}`,
      log: () => {},
      onTask: async (t: AssignedTask) => ({
        payload: await ex.run({
          taskId: t.taskId,
          taskName: t.taskName,
          payload: t.payload,
          context: {},
        }, 600_000),
      }),
    });
  }));
  const runs = agents.map((a) => a.run(stop.signal));
  try {
    const t0 = performance.now();
    const runner = await server.ctx.jobs.start({
      jobId: crypto.randomUUID(),
      sites: names,
      controller: {
        module: `${core}app_common/scatter_and_gather.ts`,
        args: {
          num_rounds: 5,
          min_clients: sites,
          train_timeout: 600,
          initial_weights: { w: { shape } },
        },
      },
      grant,
      cwd: runDir,
      log: () => {},
    });
    const outcome = await runner.finished;
    const secs = (performance.now() - t0) / 1000;
    if (outcome.status !== "completed") throw new Error(`bench job failed: ${outcome.reason}`);
    const ref = REFERENCE[label];
    return [
      {
        group: "scatter-and-gather",
        name: `${label}: 5 rounds, wall time`,
        value: secs,
        unit: "s",
        ...(ref
          ? { ratio: ref / secs, note: `NVFlare ${ref} s (ratio = times faster); goal ≥ 4×` }
          : {}),
      },
      { group: "scatter-and-gather", name: `${label}: per round`, value: secs / 5, unit: "s" },
    ];
  } finally {
    stop.abort();
    await Promise.allSettled(runs);
    for (const e of executors) await e.stop();
    await server.close();
    await Deno.remove(runDir, { recursive: true });
    await p.cleanup();
  }
}

export default async function sagBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const sites of [2, 8]) {
    for (
      const [label, shape] of [["3×3", [3, 3]], ["1 M", [1000, 1000]], ["100 MB", [
        5000,
        5000,
      ]]] as const
    ) {
      console.error(`  ${sites} sites, ${label}…`);
      rows.push(...await run(sites, [...shape], `${sites} sites, ${label}`));
    }
  }
  return rows;
}
