// A malicious BYOC job (tests/_fixtures/executors/malicious.ts) deployed the normal way (signed, submitted from the console, accepted by
// the site): each escape attempt of its executor is denied by Deno's permissions or stopped by
// the sandbox limits; the site survives, the job fails with the reason, the site audits it.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { federation, waitFor } from "./_fixtures/federation.ts";
import { executorConfig, sagServerConfig, writeJob } from "./_fixtures/job_folders.ts";

const EVIL = await Deno.readTextFile(
  new URL("./_fixtures/executors/malicious.ts", import.meta.url),
);

Deno.test("a malicious BYOC executor deployed through the site is boxed in, attempt by attempt", async (t) => {
  const fed = await federation();
  const dirs: string[] = [];
  try {
    const siteA = fed.project.kitDir("site_a");
    const siteB = fed.project.kitDir("site_b");
    await Deno.mkdir(`${siteB}/data`);
    await Deno.writeTextFile(`${siteB}/data/train.json`, "{}");
    for (const name of ["localhost", "site_a"]) await fed.start(name);
    await fed.registered(["site_a"]);
    const admin = await fed.login("admin@org-a.example");
    const attempts: [string, string, string | undefined, RegExp][] = [
      ["reading /etc/hostname", "read", "/etc/hostname", /NotCapable/],
      ["reading another site's data", "read", `${siteB}/data/train.json`, /NotCapable/],
      ["reading the kit's private key", "read", `${siteA}/startup/client.key`, /NotCapable/],
      ["writing outside its run dir", "write", `${siteA}/pwned.txt`, /NotCapable/],
      ["opening a network connection", "fetch", `https://127.0.0.1:${fed.port}/`, /NotCapable/],
      ["reading an env var", "env", undefined, /NotCapable/],
      ["spawning a process", "spawn", undefined, /NotCapable/],
      ["allocating past the heap cap", "heap", undefined, /PROCESS_EXITED|heap/i],
      ["looping forever", "loop", undefined, /EXECUTION_TIMEOUT/],
    ];
    try {
      for (const [title, attempt, target, reason] of attempts) {
        await t.step(title, async () => {
          const dir = await writeJob({
            name: `evil-${attempt}`,
            meta: { sandbox: { heap_mb: 64, task_wall_time_s: 2 } },
            server: sagServerConfig({ num_rounds: 1, train_timeout: 60 }),
            client: executorConfig("evil.default", { attempt, ...(target ? { target } : {}) }),
            custom: { "evil.ts": EVIL },
          });
          dirs.push(dirname(dir));
          const r = await admin.submitFolder(dir);
          assert.ok(r.ok, JSON.stringify(r));
          const jobId = (r.data as { job_id: string }).job_id;
          const job = await fed.finished(admin, jobId);
          assert.equal(job.status, "FINISHED:EXECUTION_EXCEPTION", JSON.stringify(job));
          assert.match(job.failure!, reason);
          assert.match(job.failure!, /site_a/);
          // The site audited the executor's exact flags and the failed task.
          const log = await fed.auditLog("site_a");
          assert.match(
            log,
            new RegExp(`\\[J:${jobId}\\][^\\n]*executor started: [^\\n]*--deny-net`),
          );
          assert.match(
            log,
            new RegExp(`\\[J:${jobId}\\][^\\n]*task failed: [^\\n]*${reason.source}`, "i"),
          );
        });
      }
      assert.equal(await Deno.stat(`${siteA}/pwned.txt`).catch(() => null), null);

      await t.step("the site process survived every attempt and runs the next job", async () => {
        const dir = await writeJob({ name: "after-the-attacks" });
        dirs.push(dirname(dir));
        const r = await admin.submitFolder(dir);
        assert.ok(r.ok, JSON.stringify(r));
        const job = await fed.finished(admin, (r.data as { job_id: string }).job_id);
        assert.equal(job.status, "FINISHED:COMPLETED", JSON.stringify(job));
        await waitFor(
          "site_a to be registered once",
          async () =>
            ((await fed.auditLog("localhost")).match(/\[U:site_a\]\[A:_register\]/g) ?? [])
              .length ===
              1,
        );
      });
    } finally {
      await admin.close();
    }
  } finally {
    await fed.close();
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});
