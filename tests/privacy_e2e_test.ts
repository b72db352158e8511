// Each site's privacy policy decides what leaves it (privacy-and-filters.md): site_a runs jobs under
// its "public" scope, site_b under "private" (clip and noise, with a budget); the server filters the
// task data it sends under its own policy; the job brings filters of its own in custom/, which run in
// a sandbox worker. Real role processes, kits from provisioning, real TLS.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { decode } from "../core/wire/mod.ts";
import { type Federation, federation, waitFor } from "./_fixtures/federation.ts";
import { writeJob } from "./_fixtures/job_folders.ts";

const ADMIN = "admin@org-a.example";

// The server's controller: `rounds` broadcasts of a DXO, then every site's answer (or why it has
// none) per round as the job's result.
const COLLECT = `
export default async function collect(ctx) {
  const rounds = [];
  for (let r = 0; r < ctx.args.rounds; r++) {
    if (r > 0 && ctx.args.pause_ms) await new Promise((ok) => setTimeout(ok, ctx.args.pause_ms));
    const got = {};
    const data = { kind: "WEIGHTS", meta: {},
      data: { w: new Float64Array([r, r]), server_only: new Float64Array([42]) } };
    const out = await ctx.broadcast("train", data, { timeoutMs: 30000 }, (site, d) => got[site] = d);
    rounds.push({ results: got, missing: out.missing });
  }
  return { rounds };
}
`;

// The sites' executor: a fixed update, and the keys of the task data it was given.
const EMIT = `
export default function emit(task) {
  return { kind: "WEIGHT_DIFF", meta: { seen: Object.keys(task.data.data).sort() },
    data: { w: new Float64Array([3, 4]), "bn.mean": new Float64Array([7]), secret: new Float64Array([12]),
            tmp: new Float64Array([1]) } };
}
`;

// A job filter from the job's custom/: it runs last, in a worker with no permissions, and notes
// what it saw and whether it could read a site's private key.
const TAG = `
export class Tag {
  constructor(args) { this.args = args; }
  async process(dxo, info) {
    const reads = [];
    for (const file of this.args.probe) {
      try { await Deno.readTextFile(file); reads.push("allowed"); } catch (e) { reads.push(e.name); }
    }
    let net;
    try { await fetch(this.args.url); net = "allowed"; } catch (e) { net = e.name; }
    return { kind: dxo.kind, data: dxo.data,
      meta: { ...dxo.meta, tag: { label: this.args.label, chain: info.chain, scope: info.scope,
        saw: Object.keys(dxo.data).sort(), reads, net } } };
  }
}
`;

// A job filter the server runs on the task data it sends.
const MARK = `
export class Mark {
  process(dxo) { return { ...dxo, data: { ...dxo.data, marked: new Float64Array([1]) } }; }
}
`;

const LGDP = { clipping_norm: 1.0, sensitivity: 0.001, epsilon: 1.0, delta: 1e-5 };

interface Dxo {
  kind: string;
  data: Record<string, Float64Array>;
  meta: {
    seen?: string[];
    tag?: {
      label: string;
      chain: string;
      scope: string;
      saw: string[];
      reads: string[];
      net: string;
    };
    _filter_provenance?: { filter: string; source: string }[];
  };
}
interface Collected {
  rounds: { results: Record<string, Dxo>; missing: { site: string; reason: string }[] }[];
}

async function setUp(): Promise<Federation> {
  const fed = await federation({ admins: [{ name: ADMIN, org: "org_a", role: "project_admin" }] });
  const write = (name: string, value: unknown) =>
    Deno.writeTextFile(`${fed.project.kitDir(name)}/local/privacy.json`, JSON.stringify(value));
  await write("localhost", {
    scopes: [{
      name: "public",
      task_data_filters: [{ name: "ExcludeVars", args: { exclude_vars: ["server_only"] } }],
    }],
    default_scope: "public",
  });
  await write("site_a", {
    scopes: [
      {
        name: "public",
        task_result_filters: [{ name: "ExcludeVars", args: { exclude_vars: ["secret"] } }],
      },
      { name: "private" },
    ],
    default_scope: "public",
  });
  await write("site_b", {
    scopes: [{
      name: "private",
      privacy_budget: { max_epsilon_per_job: 2.5, max_epsilon_per_scope: 3 },
      task_result_filters: [
        { name: "ExcludeVars", args: { exclude_vars: "^bn\\." } },
        { name: "LocalGaussianDP", args: LGDP },
      ],
    }],
    default_scope: "private",
  });
  for (const name of ["localhost", "site_a", "site_b"]) await fed.start(name);
  await fed.registered(["site_a", "site_b"]);
  return fed;
}

async function run(
  fed: Federation,
  name: string,
  rounds: number,
  during?: (jobId: string) => Promise<void>,
  serverFilters: Record<string, unknown> = {},
) {
  const dir = await writeJob({
    name,
    server: {
      format_version: 2,
      workflows: [{
        id: "collect",
        path: "collect.default",
        args: { rounds, pause_ms: during ? 5000 : 0 },
      }],
      ...serverFilters,
    },
    client: {
      format_version: 2,
      executors: [{ tasks: ["train"], executor: { id: "emit", path: "emit.default" } }],
      task_result_filters: [{
        tasks: ["train"],
        filters: [
          { name: "ExcludeVars", args: { exclude_vars: ["tmp"] } },
          {
            path: "tag.Tag",
            args: {
              label: name,
              probe: ["site_a", "site_b"].map((s) => `${fed.project.kitDir(s)}/startup/client.key`),
              url: `https://127.0.0.1:${fed.port}/`,
            },
          },
        ],
      }],
    },
    custom: { "collect.ts": COLLECT, "emit.ts": EMIT, "tag.ts": TAG, "mark.ts": MARK },
  });
  const session = await fed.login(ADMIN);
  try {
    const r = await session.submitFolder(dir);
    assert.ok(r.ok, JSON.stringify(r));
    const jobId = (r.data as { job_id: string }).job_id;
    await during?.(jobId);
    const job = await fed.finished(session, jobId);
    assert.equal(job.status, "FINISHED:COMPLETED", JSON.stringify(job));
    const result = decode(
      await Deno.readFile(`${fed.project.kitDir("localhost")}/jobs/${jobId}/run/result.cbor`),
    ) as Collected;
    return { jobId, job, result };
  } finally {
    await session.close();
    await Deno.remove(dirname(dir), { recursive: true });
  }
}

/** The job audit lines of one task at a site, in order. */
function taskLines(log: string, jobId: string): Map<string, string[]> {
  const byTask = new Map<string, string[]>();
  for (const line of log.split("\n")) {
    const m = new RegExp(`\\[J:${jobId}\\]\\[A:(train#[^\\]]+)\\](.*)\\[H:`).exec(line);
    if (!m) continue;
    byTask.set(m[1]!, [...byTask.get(m[1]!) ?? [], m[2]!]);
  }
  return byTask;
}

const ledger = async (fed: Federation) =>
  JSON.parse(await Deno.readTextFile(`${fed.project.kitDir("site_b")}/privacy_budget.json`)) as {
    scopes: Record<string, { epsilon: number; jobs: Record<string, { epsilon: number }> }>;
  };

Deno.test("privacy scopes per site: filtered results, audited chains, budgets that survive restarts", async (t) => {
  const fed = await setUp();
  try {
    let first: Awaited<ReturnType<typeof run>>;
    await t.step(
      "public at site_a, private at site_b; the server filters its task data",
      async () => {
        first = await run(fed, "two-scopes", 4);
        const [r0] = first.result.rounds;
        const a = r0!.results.site_a!;
        const b = r0!.results.site_b!;
        // The server's task_data chain removed its key before anything was sent.
        assert.deepEqual(a.meta.seen, ["w"]);
        assert.deepEqual(b.meta.seen, ["w"]);
        // site_a (public): only its scope's ExcludeVars, then the job's; values untouched.
        assert.deepEqual(Object.keys(a.data).sort(), ["bn.mean", "w"]);
        assert.deepEqual([...a.data.w!], [3, 4]);
        assert.deepEqual(
          a.meta._filter_provenance!.map((p) => `${p.filter}@${p.source}`),
          ["ExcludeVars@site", "ExcludeVars@job", "Tag@job"],
        );
        // site_b (private): bn.* and tmp removed, the rest clipped to norm 1 and noised.
        assert.deepEqual(Object.keys(b.data).sort(), ["secret", "w"]);
        const v = [...b.data.w!, ...b.data.secret!];
        const norm = Math.hypot(...v);
        assert.ok(Math.abs(norm - 1) < 0.05, `clipped norm ${norm}`);
        assert.ok(v.every((x, i) => Math.abs(x - [3, 4, 12][i]! / 13) < 0.05), `${v}`);
        assert.ok(v.some((x, i) => x !== [3, 4, 12][i]! / 13), "no noise was added");
        assert.deepEqual(
          b.meta._filter_provenance!.map((p) => `${p.filter}@${p.source}`),
          ["ExcludeVars@site", "LocalGaussianDP@site", "ExcludeVars@job", "Tag@job"],
        );
      },
    );

    await t.step(
      "the job's own filter from custom/ runs last, in a sandbox that can read nothing",
      () => {
        const [r0] = first.result.rounds;
        // Decoded CBOR maps have no prototype; compare them as plain objects.
        const a = { ...r0!.results.site_a!.meta.tag! };
        const b = { ...r0!.results.site_b!.meta.tag! };
        // It saw each site's already filtered payload (site_b's noised values are checked above).
        assert.deepEqual(a, {
          label: "two-scopes",
          chain: "task_result",
          scope: "public",
          saw: ["bn.mean", "w"],
          reads: ["NotCapable", "NotCapable"],
          net: "NotCapable",
        });
        assert.deepEqual(b, { ...a, scope: "private", saw: ["secret", "w"] });
      },
    );

    await t.step("audit lines prove which filters ran, in which order, on which task", async () => {
      const { jobId } = first;
      const server = await fed.auditLog("localhost");
      assert.match(server, new RegExp(`\\[S:public\\]\\[J:${jobId}\\]server filters privacy=on`));
      const sent = [...taskLines(server, jobId).values()];
      assert.equal(sent.length, 4);
      for (const lines of sent) {
        assert.equal(lines[0], "applied filter: ExcludeVars@site on task_data");
      }
      const siteB = [...taskLines(await fed.auditLog("site_b"), jobId).values()];
      assert.equal(siteB.length, 4);
      for (const lines of siteB.slice(0, 2)) {
        const filters = lines.filter((l) => /^(applied|skipped) filter|^privacy spend/.test(l));
        assert.deepEqual(filters, [
          "applied filter: ExcludeVars@site on task_result",
          "applied filter: LocalGaussianDP@site on task_result",
          "applied filter: ExcludeVars@job on task_result",
          "applied filter: Tag@job on task_result",
          filters[4]!,
        ]);
        assert.match(
          filters[4]!,
          /^privacy spend: filter=LocalGaussianDP epsilon=1 delta=0\.00001/,
        );
      }
      const siteA = [...taskLines(await fed.auditLog("site_a"), jobId).values()];
      assert.ok(
        siteA.every((lines) =>
          lines.includes("applied filter: ExcludeVars@site on task_result") &&
          lines.indexOf("applied filter: Tag@job on task_result") >
            lines.indexOf("applied filter: ExcludeVars@job on task_result") &&
          !lines.some((l) => l.includes("LocalGaussianDP"))
        ),
      );
      assert.match(
        await fed.auditLog("site_a"),
        new RegExp(`\\[S:public\\]\\[J:${jobId}\\][^\\n]*deployed app=app privacy=on`),
      );
    });

    await t.step("the job's budget stops it at site_b only, with the reason", async () => {
      const { jobId, result } = first;
      const third = result.rounds[2]!;
      assert.ok(third.results.site_a, "site_a kept answering");
      assert.equal(third.results.site_b, undefined);
      const why = third.missing.find((m) => m.site === "site_b")!.reason;
      assert.match(why, /PRIVACY_REFUSED/);
      assert.match(why, /PRIVACY_REFUSED \(budget_exhausted\)[^\n]*max_epsilon_per_job/);
      // Later tasks of the job are refused at once: it is stopped at this site.
      assert.match(
        result.rounds[3]!.missing.find((m) => m.site === "site_b")!.reason,
        /was stopped at site "site_b": privacy budget exhausted/,
      );
      assert.ok(result.rounds[3]!.results.site_a);
      const log = await fed.auditLog("site_b");
      assert.match(log, new RegExp(`\\[J:${jobId}\\][^\\n]*privacy budget exhausted`));
      const l = await ledger(fed);
      assert.equal(l.scopes.private!.epsilon, 2);
      assert.equal(l.scopes.private!.jobs[jobId]!.epsilon, 2);
    });

    await t.step("the ledger survives a restart and the scope total keeps counting", async () => {
      await fed.stop("site_b");
      await fed.start("site_b");
      await waitFor("site_b to register again", async () => {
        const text = await fed.auditLog("localhost");
        return text.split("[U:site_b][A:_register]").length > 2;
      });
      const second = await run(fed, "after-restart", 2);
      const [r0, r1] = second.result.rounds;
      assert.ok(r0!.results.site_b, "the new job has its own per-job budget");
      // 2 spent before the restart + 1 now = the scope's limit of 3: the next spend is refused.
      assert.equal(r1!.results.site_b, undefined);
      assert.match(
        r1!.missing.find((m) => m.site === "site_b")!.reason,
        /budget_exhausted[^\n]*max_epsilon_per_scope/,
      );
      const l = await ledger(fed);
      assert.equal(l.scopes.private!.epsilon, 3);
      assert.equal(l.scopes.private!.jobs[first.jobId]!.epsilon, 2);
      assert.equal(l.scopes.private!.jobs[second.jobId]!.epsilon, 1);
    });

    await t.step("a reloaded privacy policy applies to jobs deployed after it only", async () => {
      const policy = `${fed.project.kitDir("site_a")}/local/privacy.json`;
      const reloads = async () =>
        (await fed.auditLog("site_a")).split("[A:_policy_reload]file=local/privacy.json").length;
      const before = await reloads();
      const running = await run(fed, "across-a-reload", 2, async (jobId) => {
        // Once round 1 ran at site_a, its public scope also drops "w" for new jobs.
        await waitFor(
          "round 1 at site_a",
          async () => (await fed.auditLog("site_a")).includes(`[J:${jobId}][A:train#`),
        );
        await Deno.writeTextFile(
          policy,
          JSON.stringify({
            scopes: [{
              name: "public",
              task_result_filters: [{
                name: "ExcludeVars",
                args: { exclude_vars: ["secret", "w"] },
              }],
            }],
            default_scope: "public",
          }),
        );
        await waitFor("site_a to reload", async () => await reloads() > before);
      });
      // The running job kept the chain it deployed with, in both rounds.
      for (const round of running.result.rounds) {
        assert.deepEqual(Object.keys(round.results.site_a!.data).sort(), ["bn.mean", "w"]);
      }
      const next = await run(fed, "after-the-reload", 1);
      assert.deepEqual(Object.keys(next.result.rounds[0]!.results.site_a!.data), ["bn.mean"]);
    });

    await t.step("the server runs a job's custom/ filter on task data it sends", async () => {
      const { jobId, result } = await run(fed, "server-job-filter", 1, undefined, {
        task_data_filters: [{ tasks: ["train"], filters: [{ path: "mark.Mark" }] }],
      });
      // After the server's scope filter removed server_only, the job's filter added its key.
      assert.deepEqual(result.rounds[0]!.results.site_a!.meta.seen, ["marked", "w"]);
      const lines = [...taskLines(await fed.auditLog("localhost"), jobId).values()];
      assert.equal(lines.length, 1, "one broadcast task");
      for (const task of lines) {
        assert.deepEqual(task.slice(0, 2), [
          "applied filter: ExcludeVars@site on task_data",
          "applied filter: Mark@job on task_data",
        ]);
      }
    });

    await t.step(
      "a job filter that reaches outside custom/ refuses the job at each site",
      async () => {
        const secret = `${fed.project.kitDir("site_a")}/local/privacy.json`;
        const dir = await writeJob({
          name: "leaky-filter",
          server: {
            format_version: 2,
            workflows: [{ id: "c", path: "collect.default", args: { rounds: 1 } }],
          },
          client: {
            format_version: 2,
            executors: [{ tasks: ["train"], executor: { id: "emit", path: "emit.default" } }],
            task_result_filters: [{ tasks: ["train"], filters: [{ path: "leak.Leak" }] }],
          },
          custom: {
            "collect.ts": COLLECT,
            "emit.ts": EMIT,
            "leak.ts": `import policy from ${JSON.stringify(secret)} with { type: "json" };
export class Leak { process(dxo) { return { ...dxo, meta: { policy } }; } }`,
          },
        });
        const session = await fed.login(ADMIN);
        try {
          const r = await session.submitFolder(dir);
          assert.ok(r.ok, JSON.stringify(r));
          const jobId = (r.data as { job_id: string }).job_id;
          const job = await fed.finished(session, jobId);
          assert.equal(job.status, "FAILED_TO_RUN", JSON.stringify(job));
          for (const site of ["site_a", "site_b"]) {
            assert.match(
              job.sites![site]!.reason!,
              /JOB_CONFIG_INVALID task_result_filters\[0\]\.filters\[0\]: Job filter "leak\.Leak" cannot be loaded[^\n]*Requires read access/,
            );
            // Nothing of the job is left at the site.
            await assert.rejects(
              Deno.stat(`${fed.project.kitDir(site)}/jobs/${jobId}`),
              Deno.errors.NotFound,
            );
          }
        } finally {
          await session.close();
          await Deno.remove(dirname(dir), { recursive: true });
        }
      },
    );
  } finally {
    await fed.close();
  }
});
