// Jobs end to end through real role processes: a researcher's console signs and submits a job,
// the server's scheduler reserves and deploys at each site, each site decides under its own
// policies, and the job's code runs in sandboxed executors and the sandboxed server job process.
import assert from "node:assert/strict";
import { decode, type Tensor } from "../core/wire/mod.ts";
import { dirname } from "node:path";
import { irisSplit } from "../core/app_common/iris_split.ts";
import { accuracy, type LogRegModel } from "../core/app_common/logistic_regression.ts";
import { type Federation, federation, type JobSummary, waitFor } from "./_fixtures/federation.ts";
import { executorConfig, sagServerConfig, writeJob } from "./_fixtures/job_folders.ts";

const examples = new URL("../examples/jobs/", import.meta.url).pathname;

/** Processes whose working directory is inside `dir` (a job's processes). */
async function processesIn(dir: string): Promise<string[]> {
  // Deno wants all access to read /proc itself; a shell loop reads the cwd links instead.
  const out = await new Deno.Command("sh", {
    args: [
      "-c",
      'for p in /proc/[0-9]*; do echo "$p $(readlink $p/cwd 2>/dev/null) $(tr "\\0" " " < $p/cmdline 2>/dev/null)"; done',
    ],
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.includes(dir));
}

async function result(fed: Federation, jobId: string): Promise<Record<string, unknown>> {
  const bytes = await Deno.readFile(
    `${fed.project.kitDir("localhost")}/jobs/${jobId}/run/result.cbor`,
  );
  return decode(bytes) as Record<string, unknown>;
}

Deno.test("hello-sag submitted from the console runs at two sites and gives exactly 5.0", async () => {
  const fed = await federation();
  try {
    await fed.start("localhost");
    await fed.start("site_a");
    await fed.start("site_b");
    await fed.registered(["site_a", "site_b"]);
    const admin = await fed.login("admin@org-a.example");
    try {
      const submitted = await admin.submitFolder(`${examples}hello-sag`);
      assert.ok(submitted.ok, JSON.stringify(submitted));
      const jobId = (submitted.data as { job_id: string }).job_id;
      const done = await fed.finished(admin, jobId);
      assert.equal(done.status, "FINISHED:COMPLETED", JSON.stringify(done));
      const { weights } = await result(fed, jobId) as { weights: { w: Tensor } };
      assert.deepEqual([...weights.w.data], new Array(9).fill(5));
      // Each site audited its own deployment decision, referring to the server's command event.
      for (const site of ["site_a", "site_b"]) {
        assert.match(
          await fed.auditLog(site),
          new RegExp(
            `\\[R:[0-9a-f-]{36}\\]\\[T:[^\\]]+\\]\\[J:${jobId}\\]deployed app=app privacy=none byoc=false`,
          ),
        );
      }
      assert.match(
        await fed.auditLog("localhost"),
        new RegExp(`\\[A:submit_job hello-sag\\]job_id=${jobId} signer=[0-9a-f]{64}`),
      );
    } finally {
      await admin.close();
    }
  } finally {
    await fed.close();
  }
});

Deno.test("fedavg-logreg submitted from the console: three sites, own data only, ≥ 90% held out", async () => {
  const { sites, test } = irisSplit({ sites: 3, holdout: 30 });
  const names = ["site_a", "site_b", "site_c"];
  const fed = await federation({
    sites: names.map((name, i) => ({ name, org: i === 2 ? "org_b" : "org_a" })),
  });
  try {
    // Each site's data sits in its own folder, named by its privacy scope; the job asks to read
    // the `train_dataset` property and each site's resources.json allows exactly that.
    for (const [i, name] of names.entries()) {
      const kit = fed.project.kitDir(name);
      await Deno.mkdir(`${kit}/../${name}_data`, { recursive: true });
      const data = await Deno.realPath(`${kit}/../${name}_data`);
      await Deno.writeTextFile(`${data}/train.json`, JSON.stringify(sites[i]));
      await Deno.writeTextFile(
        `${kit}/local/privacy.json`,
        JSON.stringify({
          scopes: [{ name: "public", properties: { train_dataset: `${data}/train.json` } }],
          default_scope: "public",
        }),
      );
      const resources = JSON.parse(await Deno.readTextFile(`${kit}/local/resources.json.default`));
      resources.sandbox.read_path_properties = ["train_dataset"];
      await Deno.writeTextFile(`${kit}/local/resources.json`, JSON.stringify(resources));
    }
    for (const name of ["localhost", ...names]) await fed.start(name);
    await fed.registered(names);
    const admin = await fed.login("admin@org-a.example");
    try {
      const submitted = await admin.submitFolder(`${examples}fedavg-logreg`);
      assert.ok(submitted.ok, JSON.stringify(submitted));
      const jobId = (submitted.data as { job_id: string }).job_id;
      const done = await fed.finished(admin, jobId);
      assert.equal(done.status, "FINISHED:COMPLETED", JSON.stringify(done));
      assert.equal(done.progress?.round, 5);
      const { weights } = await result(fed, jobId) as { weights: LogRegModel };
      assert.ok(accuracy(weights, test) >= 0.9, `held-out accuracy ${accuracy(weights, test)}`);
      // Each executor was granted its own site's data file and nothing of the others'.
      for (const name of names) {
        const log = await fed.auditLog(name);
        const flags = /executor started: ([^\[]*)/.exec(log)?.[1] ?? "";
        assert.match(flags, new RegExp(`--allow-read=[^ ]*${name}_data/train\\.json`));
        for (const other of names.filter((n) => n !== name)) {
          assert.ok(!flags.includes(`${other}_data`), `${name} flags: ${flags}`);
        }
      }
    } finally {
      await admin.close();
    }
  } finally {
    await fed.close();
  }
});

Deno.test("kill -9 of the server mid-job: the store survives, the job is marked failed, new jobs run", async () => {
  const fed = await federation();
  const slow = await writeJob({
    name: "slow",
    meta: { min_clients: 2 },
    server: sagServerConfig({ num_rounds: 30, min_clients: 2 }),
    client: executorConfig("slow.train"),
    custom: {
      "slow.ts": `export async function train(t: { data: { weights: Record<string, unknown> } }) {
  await new Promise((r) => setTimeout(r, 500));
  return { weights: t.data.weights, n: 1 };
}
`,
    },
  });
  try {
    for (const name of ["localhost", "site_a", "site_b"]) await fed.start(name);
    await fed.registered(["site_a", "site_b"]);
    let admin = await fed.login("admin@org-a.example");
    const submitted = await admin.submitFolder(slow);
    assert.ok(submitted.ok, JSON.stringify(submitted));
    const jobId = (submitted.data as { job_id: string }).job_id;
    await waitFor("the job to be in round 2", async () => {
      const r = await admin.command("get_job_meta", [jobId]);
      const s = r.data as JobSummary;
      return s.status === "RUNNING" && (s.progress?.round ?? 0) >= 2;
    });
    await admin.close().catch(() => {});
    const status = await fed.stop("localhost", "SIGKILL");
    assert.equal(status.signal, "SIGKILL");
    // The server job process notices its channel closed and stops too.
    const jobDir = `${fed.project.kitDir("localhost")}/jobs/${jobId}`;
    await waitFor(
      "the server job process to exit",
      async () => (await processesIn(jobDir)).length === 0 || undefined,
      15_000,
    );

    await fed.start("localhost");
    await fed.registered(["site_a", "site_b"]);
    admin = await fed.login("admin@org-a.example");
    try {
      const r = await admin.command("get_job_meta", [jobId]);
      const s = r.data as JobSummary;
      assert.equal(s.status, "FINISHED:EXECUTION_EXCEPTION");
      assert.match(s.failure!, /server stopped while the job was running/);
      // Each site is told to end the job it still held, freeing its slot.
      for (const site of ["site_a", "site_b"]) {
        await waitFor(
          `${site} to end the lost job`,
          async () =>
            new RegExp(`\\[J:${jobId}\\]job ended at this site`).test(await fed.auditLog(site)),
        );
      }
      const again = await admin.submitFolder(`${examples}hello-sag`);
      assert.ok(again.ok, JSON.stringify(again));
      const done = await fed.finished(admin, (again.data as { job_id: string }).job_id);
      assert.equal(done.status, "FINISHED:COMPLETED", JSON.stringify(done));
    } finally {
      await admin.close();
    }
  } finally {
    await fed.close();
    await Deno.remove(dirname(slow), { recursive: true });
  }
});
