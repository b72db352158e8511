// Jobs end to end through real role processes: a researcher's console signs and submits a job,
// the server's scheduler reserves and deploys at each site, each site decides under its own
// policies, and the job's code runs in sandboxed executors and the sandboxed server job process.
import assert from "node:assert/strict";
import { decode, type Tensor } from "../core/wire/mod.ts";
import { type Federation, federation } from "./_fixtures/federation.ts";

const examples = new URL("../examples/jobs/", import.meta.url).pathname;

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
