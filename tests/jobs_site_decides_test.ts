// Each site decides for itself whether a job runs there (jobs.md §6), under its own policies, on
// the files it verified itself. Real role processes, kits from provisioning, a console session.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { readJobFolder } from "../core/jobs/mod.ts";
import { type Federation, federation, type JobSummary, waitFor } from "./_fixtures/federation.ts";
import { executorConfig, writeJob } from "./_fixtures/job_folders.ts";

const ADMIN = "admin@org-a.example";
const LEAD_B = "lead@org-b.example";

/** site_a lets only leads of its own org submit; site_b denies BYOC to leads, has scopes. */
async function setUp(): Promise<Federation> {
  const fed = await federation({
    admins: [
      { name: ADMIN, org: "org_a", role: "project_admin" },
      { name: LEAD_B, org: "org_b", role: "lead" },
    ],
  });
  const write = (site: string, file: string, value: unknown) =>
    Deno.writeTextFile(`${fed.project.kitDir(site)}/local/${file}`, JSON.stringify(value));
  await write("site_a", "authorization.json", {
    format_version: "1.0",
    permissions: {
      project_admin: "any",
      lead: { submit_job: "o:site", byoc: "o:site", view: "any" },
    },
  });
  await write("site_b", "authorization.json", {
    format_version: "1.0",
    permissions: {
      project_admin: "any",
      lead: { submit_job: "any", byoc: "none", view: "any" },
    },
  });
  await write("site_b", "privacy.json", {
    scopes: [{ name: "public" }, { name: "private" }],
    default_scope: "public",
  });
  for (const name of ["localhost", "site_a", "site_b"]) await fed.start(name);
  await fed.registered(["site_a", "site_b"]);
  return fed;
}

async function run(
  fed: Federation,
  admin: string,
  dir: string,
): Promise<JobSummary & { job_id: string }> {
  const session = await fed.login(admin);
  try {
    const r = await session.submitFolder(dir);
    assert.ok(r.ok, JSON.stringify(r));
    return await fed.finished(session, (r.data as { job_id: string }).job_id) as
      & JobSummary
      & { job_id: string };
  } finally {
    await session.close();
    await Deno.remove(dirname(dir), { recursive: true });
  }
}

Deno.test("sites decide under their own policies: submitter org, BYOC, scope, components, tampering", async (t) => {
  const fed = await setUp();
  try {
    await t.step(
      "a site denying submit_job to the submitter's org refuses; the other runs it",
      async () => {
        const job = await run(fed, LEAD_B, await writeJob({ name: "lead-b-plain" }));
        assert.equal(job.status, "FINISHED:COMPLETED", JSON.stringify(job));
        assert.equal(job.sites?.site_b?.status, "done");
        assert.equal(job.sites?.site_a?.status, "refused");
        assert.match(
          job.sites!.site_a!.reason!,
          /site site_a: NOT_AUTHORIZED user 'lead@org-b\.example' is not authorized for 'submit_job'/,
        );
        assert.match(
          await fed.auditLog("site_a"),
          new RegExp(`\\[J:${job.job_id}\\]reservation refused: NOT_AUTHORIZED`),
        );
      },
    );

    await t.step("byoc denied blocks only the app with custom/", async () => {
      const job = await run(
        fed,
        LEAD_B,
        await writeJob({
          name: "lead-b-byoc",
          client: executorConfig("adder.addOne"),
          custom: {
            "adder.ts": "export function addOne(t: { data: unknown }) { return t.data; }\n",
          },
        }),
      );
      assert.equal(job.status, "FAILED_TO_RUN", JSON.stringify(job));
      assert.match(job.sites!.site_b!.reason!, /NOT_AUTHORIZED .*'byoc'/);
      assert.match(job.sites!.site_a!.reason!, /'submit_job'/);
      assert.match(job.failure!, /needs 1 client/);
    });

    await t.step("an unknown privacy scope is refused by the site that lacks it only", async () => {
      const job = await run(
        fed,
        ADMIN,
        await writeJob({ name: "secret-scope", meta: { scope: "secret" } }),
      );
      assert.equal(job.status, "FINISHED:COMPLETED", JSON.stringify(job));
      assert.equal(job.sites?.site_a?.status, "done");
      assert.match(
        job.sites!.site_b!.reason!,
        /PRIVACY_SCOPE_REJECTED site site_b defines no privacy scope "secret"/,
      );
    });

    await t.step("a component outside the allow-list is refused", async () => {
      const job = await run(
        fed,
        ADMIN,
        await writeJob({
          name: "foreign-component",
          client: executorConfig("nvflare.app_common.np.np_trainer.NPTrainer"),
        }),
      );
      assert.equal(job.status, "FAILED_TO_RUN", JSON.stringify(job));
      for (const site of ["site_a", "site_b"]) {
        assert.match(
          job.sites![site]!.reason!,
          /COMPONENT_REJECTED component not authorized: "nvflare\.app_common\.np\.np_trainer\.NPTrainer" is not in class_allow_list \(at executors\[0\]\.executor\)/,
        );
        assert.match(
          await fed.auditLog(site),
          new RegExp(`\\[J:${job.job_id}\\]component rejected: `),
        );
      }
    });

    await t.step("a tampered job is refused by the server and by the sites", async () => {
      const dir = await writeJob({ name: "tampered" });
      let session = await fed.login(ADMIN);
      try {
        const signed = await session.sign(await readJobFolder(dir));
        const evil = signed.map((f) =>
          f.path === "app/config/config_fed_client.json"
            ? { ...f, data: new TextEncoder().encode(new TextDecoder().decode(f.data) + " ") }
            : f
        );
        const refused = await session.submitFiles("tampered", evil);
        assert.equal(refused.ok, false);
        assert.equal(refused.code, "JOB_SIG_INVALID", JSON.stringify(refused));
        assert.match(
          await fed.auditLog("localhost"),
          /\[A:submit_job tampered\]denied: JOB_SIG_INVALID/,
        );

        // Past the server (its stored copy edited on disk while it is down), each site still
        // refuses it. With no site up the job waits, so no copy of it left before the edit.
        await fed.stop("site_a");
        await fed.stop("site_b");
        const ok = await session.submitFiles("tampered", signed);
        assert.ok(ok.ok, JSON.stringify(ok));
        await session.close();
        const jobId = (ok.data as { job_id: string }).job_id;
        await fed.stop("localhost");
        const stored = `${
          fed.project.kitDir("localhost")
        }/jobs/${jobId}/files/app/config/config_fed_client.json`;
        await Deno.writeTextFile(stored, (await Deno.readTextFile(stored)) + " ");
        await fed.start("localhost");
        await fed.start("site_a");
        await fed.start("site_b");
        session = await fed.login(ADMIN);
        const job = await fed.finished(session, jobId);
        assert.equal(job.status, "FAILED_TO_RUN", JSON.stringify(job));
        for (const site of ["site_a", "site_b"]) {
          assert.match(job.sites![site]!.reason!, /JOB_SIG_INVALID/);
        }
      } finally {
        await session.close();
        await Deno.remove(dirname(dir), { recursive: true });
      }
    });

    await t.step(
      "every decision is in the deciding site's audit log and the logs verify",
      async () => {
        const { verifyAuditFiles } = await import("../core/audit/mod.ts");
        await waitFor(
          "site_b's refusals in its log",
          async () => /reservation refused: NOT_AUTHORIZED/.test(await fed.auditLog("site_b")),
        );
        for (const kit of ["localhost", "site_a", "site_b"]) {
          const v = await verifyAuditFiles([`${fed.project.kitDir(kit)}/audit.log`]);
          assert.ok(v.ok, `${kit}: ${JSON.stringify(v)}`);
        }
      },
    );
  } finally {
    await fed.close();
  }
});
