/**
 * The NVFlare-comparable job, from submit to finish: ScatterAndGather, 5 rounds, N = 2 and 8
 * sites, models of 3×3, 1 M and 25 M float32 (100 MB). The server and every site run as their
 * real role processes with their real permissions on 127.0.0.1 over mTLS; a console session
 * signs and submits the job, so the figure includes scheduling, reservations, deployment checks,
 * the sandboxed server job process and the sandboxed executors. Reports wall time from submit to
 * finish, time per round, and the peak RSS of the server process and of its job process.
 *
 * NVFlare 2.6.3 on this machine (same job shape): N=8 / 100 MB: 121 s, 22 s per round, 3.7 GB
 * server job-process peak; N=2 / 100 MB: 46 s, 8 s per round, 1.3 GB; N=2 / 3×3: 16.8 s total.
 */
import { dirname } from "node:path";
import { federation } from "../tests/_fixtures/federation.ts";
import { sagServerConfig, writeJob } from "../tests/_fixtures/job_folders.ts";
import type { BenchRow } from "./_report.ts";

const REFERENCE: Record<string, { total: number; round?: number; rssMb?: number }> = {
  "2 sites, 100 MB": { total: 46, round: 8, rssMb: 1300 },
  "8 sites, 100 MB": { total: 121, round: 22, rssMb: 3700 },
  "2 sites, 3×3": { total: 16.8 },
};

/** Resident set sizes (KiB) of processes whose command line contains `match`, via `ps`. */
async function rssOf(matches: string[]): Promise<number[]> {
  const out = await new Deno.Command("ps", { args: ["-eo", "rss=,args="] }).output();
  const lines = new TextDecoder().decode(out.stdout).split("\n");
  return matches.map((m) =>
    lines.filter((l) => l.includes(m)).reduce((n, l) => n + Number(l.trim().split(/\s+/)[0]), 0)
  );
}

async function run(sites: number, shape: number[], label: string): Promise<BenchRow[]> {
  const names = Array.from({ length: sites }, (_, i) => `site_${i + 1}`);
  const fed = await federation({
    name: "bench_sag",
    sites: names.map((name) => ({ name, org: "org_a" })),
  });
  const dir = await writeJob({
    name: "sag-bench",
    meta: { min_clients: sites },
    server: sagServerConfig({
      num_rounds: 5,
      min_clients: sites,
      train_timeout: 600,
      initial_weights: { w: { shape } },
    }),
  });
  const peak = { server: 0, job: 0 };
  let sampling = true;
  const serverKit = fed.project.kitDir("localhost");
  const sampler = (async () => {
    while (sampling) {
      const [server, job] = await rssOf([
        `server/main.ts --kit ${serverKit}`,
        "controller_host.ts",
      ]);
      peak.server = Math.max(peak.server, server!);
      peak.job = Math.max(peak.job, job!);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    for (const name of ["localhost", ...names]) await fed.start(name);
    await fed.registered(names);
    const admin = await fed.login("admin@org-a.example");
    try {
      const t0 = performance.now();
      const r = await admin.submitFolder(dir);
      if (!r.ok) throw new Error(`submit refused: ${r.message}`);
      const jobId = (r.data as { job_id: string }).job_id;
      const done = await fed.finished(admin, jobId, 1_800_000);
      const secs = (performance.now() - t0) / 1000;
      if (done.status !== "FINISHED:COMPLETED") {
        throw new Error(`bench job ended ${done.status}: ${done.failure}`);
      }
      const record = (await admin.command("get_job_meta", [jobId])).data as {
        start_time: number;
        end_time: number;
      };
      const perRound = (record.end_time - record.start_time) / 5 / 1000;
      const ref = REFERENCE[label];
      const g = "scatter-and-gather";
      return [
        {
          group: g,
          name: `${label}: submit to finish`,
          value: secs,
          unit: "s",
          ...(ref
            ? { ratio: ref.total / secs, note: `NVFlare ${ref.total} s (× faster); goal ≥ 4×` }
            : {}),
        },
        {
          group: g,
          name: `${label}: per round`,
          value: perRound,
          unit: "s",
          ...(ref?.round
            ? { ratio: ref.round / perRound, note: `NVFlare ${ref.round} s (× faster)` }
            : {}),
        },
        { group: g, name: `${label}: server peak RSS`, value: peak.server / 1024, unit: "MB" },
        {
          group: g,
          name: `${label}: server job process peak RSS`,
          value: peak.job / 1024,
          unit: "MB",
          ...(ref?.rssMb
            ? {
              ratio: ref.rssMb / (peak.job / 1024),
              note: `NVFlare ${ref.rssMb} MB (× smaller)${sites === 8 ? "; goal < 1 GB" : ""}`,
            }
            : {}),
        },
      ];
    } finally {
      await admin.close();
    }
  } finally {
    sampling = false;
    await sampler;
    await fed.close();
    await Deno.remove(dirname(dir), { recursive: true });
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
