// The console scenario of issue #8, with kits from provisioning and real role processes: server
// and site_a in org_a, site_b in org_b; five users; site_a lets only leads of its own org submit,
// site_b has privacy scopes. Every decision is checked in the reply and in the right audit log.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import type { AdminReply, AdminSession } from "../console/admin_session.ts";
import { ConsoleApp } from "../console/console_app.ts";
import { type Federation, federation, waitFor } from "./_fixtures/federation.ts";
import { sagServerConfig, writeJob } from "./_fixtures/job_folders.ts";

const PA = "admin@org-a.example";
const OA = "orgadmin@org-a.example";
const LEAD_A = "lead@org-a.example";
const LEAD_B = "lead@org-b.example";
const MEMBER_B = "member@org-b.example";

async function setUp(): Promise<Federation> {
  const fed = await federation({
    admins: [
      { name: PA, org: "org_a", role: "project_admin" },
      { name: OA, org: "org_a", role: "org_admin" },
      { name: LEAD_A, org: "org_a", role: "lead" },
      { name: LEAD_B, org: "org_b", role: "lead" },
      { name: MEMBER_B, org: "org_b", role: "member" },
    ],
  });
  const local = (site: string, file: string) => `${fed.project.kitDir(site)}/local/${file}`;
  const policy = JSON.parse(
    await Deno.readTextFile(local("site_a", "authorization.json.default")),
  );
  policy.permissions.lead.submit_job = "o:site";
  await Deno.writeTextFile(local("site_a", "authorization.json"), JSON.stringify(policy));
  await Deno.writeTextFile(
    local("site_b", "privacy.json"),
    JSON.stringify({ scopes: [{ name: "public" }, { name: "private" }], default_scope: "public" }),
  );
  for (const name of ["localhost", "site_a", "site_b"]) await fed.start(name);
  await fed.registered(["site_a", "site_b"]);
  return fed;
}

/** A console over a fresh session, collecting what it prints. */
function consoleFor(session: AdminSession, downloadDir: string) {
  const printed: string[] = [];
  const app = new ConsoleApp(session, {
    json: false,
    downloadDir,
    pollMs: 200,
    out: { print: (t) => printed.push(t), write: (t) => printed.push(t), terminal: false },
  });
  return { app, printed };
}

function refused(r: AdminReply, code: string, pattern: RegExp): void {
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.code, code, JSON.stringify(r));
  assert.match(r.message, pattern);
}

Deno.test("console scenario: who may do what, decided by the server and by each site", async (t) => {
  const fed = await setUp();
  const sessions = new Map<string, AdminSession>();
  for (const u of [PA, OA, LEAD_A, LEAD_B, MEMBER_B]) sessions.set(u, await fed.login(u));
  const as = (u: string) => sessions.get(u)!;
  const tmp = await Deno.makeTempDir({ prefix: "stockade_console_" });
  const dirs: string[] = [];
  const job = async (name: string, rounds = 2) => {
    const dir = await writeJob({ name, server: sagServerConfig({ num_rounds: rounds }) });
    dirs.push(dirname(dir));
    return dir;
  };
  try {
    await t.step("the org_admin cannot submit; the member can list but not submit", async () => {
      refused(
        await as(OA).submitFolder(await job("by-org-admin")),
        "NOT_AUTHORIZED",
        /Authorization Error: user 'orgadmin@org-a\.example' is not authorized for 'submit_job'/,
      );
      refused(await as(MEMBER_B).submitFolder(await job("by-member")), "NOT_AUTHORIZED", /member/);
      const list = await as(MEMBER_B).command("list_jobs", []);
      assert.ok(list.ok, JSON.stringify(list));
      const server = await fed.auditLog("localhost");
      assert.match(
        server,
        /\[U:orgadmin@org-a\.example\]\[A:submit_job[^\]]*\]denied: NOT_AUTHORIZED/,
      );
      assert.match(server, /\[U:member@org-b\.example\]\[A:list_jobs\]/);
    });

    let jobB = "";
    await t.step("the org_b lead's job runs on site_b only; site_a says why", async () => {
      const { app } = consoleFor(as(LEAD_B), tmp);
      const r = await as(LEAD_B).submitFolder(await job("by-lead-b"));
      assert.ok(r.ok, JSON.stringify(r));
      jobB = (r.data as { job_id: string }).job_id;
      assert.ok(await app.run(["watch_job", jobB]));
      const done = await fed.finished(as(LEAD_B), jobB);
      assert.equal(done.status, "FINISHED:COMPLETED");
      assert.equal(done.sites!.site_b!.status, "done");
      assert.equal(done.sites!.site_a!.status, "refused");
      assert.match(
        done.sites!.site_a!.reason!,
        /site site_a: NOT_AUTHORIZED user 'lead@org-b\.example' is not authorized for 'submit_job'/,
      );
      assert.match(
        await fed.auditLog("site_a"),
        new RegExp(`\\[J:${jobB}\\]reservation refused: NOT_AUTHORIZED`),
      );
    });

    let jobA = "";
    await t.step(
      "the org_b lead cannot clone or abort the org_a lead's job; the org_a org_admin aborts it",
      async () => {
        const r = await as(LEAD_A).submitFolder(await job("long-by-lead-a", 100_000));
        assert.ok(r.ok, JSON.stringify(r));
        jobA = (r.data as { job_id: string }).job_id;
        await waitFor(
          "the long job to run",
          async () =>
            ((await as(LEAD_A).command("get_job_meta", [jobA])).data as { status: string })
              .status === "RUNNING",
        );
        const { app: consoleB, printed } = consoleFor(as(LEAD_B), tmp);
        assert.equal(await consoleB.run(["clone_job", jobA]), false);
        assert.match(
          printed.at(-1)!,
          /NOT_AUTHORIZED: Authorization Error: user 'lead@org-b\.example' is not authorized for 'clone_job'/,
        );
        refused(await as(LEAD_B).command("abort_job", [jobA]), "NOT_AUTHORIZED", /'abort_job'/);
        const abort = await as(OA).command("abort_job", [jobA]);
        assert.ok(abort.ok, JSON.stringify(abort));
        const done = await fed.finished(as(OA), jobA);
        assert.equal(done.status, "FINISHED:ABORTED");
        const server = await fed.auditLog("localhost");
        assert.match(
          server,
          new RegExp(`\\[U:lead@org-b\\.example\\]\\[A:clone_job ${jobA}\\]denied: NOT_AUTHORIZED`),
        );
        assert.match(
          server,
          new RegExp(`\\[U:lead@org-b\\.example\\]\\[A:abort_job ${jobA}\\]denied: NOT_AUTHORIZED`),
        );
        assert.match(
          server,
          new RegExp(`\\[U:orgadmin@org-a\\.example\\]\\[A:abort_job ${jobA}\\]\\[`),
        );
      },
    );

    await t.step("the org_a lead clones its own job: verified, re-signed, run again", async () => {
      const { app, printed } = consoleFor(as(LEAD_A), tmp);
      const first = await as(LEAD_A).submitFolder(await job("to-clone"));
      const id = (first.data as { job_id: string }).job_id;
      await fed.finished(as(LEAD_A), id);
      assert.ok(await app.run(["clone_job", id]), printed.join("\n"));
      const clone = /Cloned job \S+ as (\S+)/.exec(printed.at(-1)!)![1]!;
      const done = await fed.finished(as(LEAD_A), clone);
      assert.equal(done.status, "FINISHED:COMPLETED");
      assert.match(
        await fed.auditLog("localhost"),
        new RegExp(`\\[U:lead@org-a\\.example\\]\\[A:submit_job[^\\]]*\\]job_id=${clone}`),
      );
    });

    await t.step(
      "shell commands on site_a: allowed for org_a admins, refused for org_b ones",
      async () => {
        const ok = await as(OA).command("ls", ["site_a", "local"]);
        assert.ok(ok.ok, JSON.stringify(ok));
        assert.match(ok.message, /site_a: \n[^]*authorization\.json/);
        const cat = await as(PA).command("cat", ["site_a", "local/authorization.json"]);
        assert.ok(cat.ok, JSON.stringify(cat));
        assert.match(cat.message, /"o:site"/);
        const denied = await as(LEAD_B).command("ls", ["site_a"]);
        refused(
          denied,
          "NOT_AUTHORIZED",
          /site_a: NOT_AUTHORIZED site site_a: user 'lead@org-b\.example' is not authorized for 'ls'/,
        );
        refused(await as(OA).command("cat", ["site_a", "../x.txt"]), "BAD_COMMAND_ARGS", /\.\./);
        refused(
          await as(OA).command("cat", ["site_a", "startup/client.key"]),
          "BAD_COMMAND_ARGS",
          /must end in one of/,
        );
        // A log line crafted to drive the admin's terminal is printed, not obeyed.
        await Deno.writeTextFile(
          `${fed.project.kitDir("site_a")}/hostile.log`,
          "ok\x1b]0;pwned\x07\x1b[2J\rfake\n",
        );
        const { app, printed } = consoleFor(as(OA), tmp);
        assert.ok(await app.run(["cat", "site_a", "hostile.log"]));
        assert.equal(printed.at(-1), "site_a: \nok^[]0;pwned^G^[[2J^Mfake");
        const site = await fed.auditLog("site_a");
        // The site's own decisions, each pointing at the server event that forwarded the command.
        assert.match(site, /\[R:[^\]]+\]\[T:[^\]]+\]\[U:orgadmin@org-a\.example\]\[A:ls local\]ok/);
        assert.match(
          site,
          /\[R:[^\]]+\]\[T:[^\]]+\]\[U:lead@org-b\.example\]\[A:ls\]denied: NOT_AUTHORIZED/,
        );
      },
    );

    await t.step("forwarded status commands list each site's own decision", async () => {
      const all = await as(OA).command("check_status", ["client"]);
      assert.ok(all.ok, JSON.stringify(all));
      assert.match(all.message, /site_a: \{"site":"site_a","status":"running"/);
      assert.match(all.message, /site_b: \{"site":"site_b"/);
      // operate is o:site: org_a's org_admin may not read org_b's site resources.
      const mixed = await as(OA).command("report_resources", ["client"]);
      assert.equal(mixed.ok, false);
      assert.match(mixed.message, /site_a: \{"resources"/);
      assert.match(
        mixed.message,
        /site_b: NOT_AUTHORIZED site site_b: user 'orgadmin@org-a\.example' is not authorized for 'report_resources'/,
      );
      const scopes = await as(MEMBER_B).command("show_scopes", ["client", "site_b"]);
      assert.ok(scopes.ok, JSON.stringify(scopes));
      assert.match(scopes.message, /"default_scope":"public"/);
      assert.match(
        await fed.auditLog("site_b"),
        /\[U:orgadmin@org-a\.example\]\[A:report_resources\]denied: NOT_AUTHORIZED/,
      );
    });

    await t.step(
      "download_job fetches the result and every audit log and verifies the chains",
      async () => {
        const { app, printed } = consoleFor(as(LEAD_B), tmp);
        assert.ok(await app.run(["download_job", jobB]), printed.join("\n"));
        const out = `${tmp}/${jobB}`;
        assert.ok((await Deno.stat(`${out}/result.cbor`)).size > 0);
        assert.match(printed.at(-1)!, /audit server: ok \(\d+ lines\)/);
        assert.match(printed.at(-1)!, /audit site_b: ok/);
        assert.match(
          await Deno.readTextFile(`${out}/audit/site_b.log`),
          new RegExp(`\\[J:${jobB}\\]`),
        );
        // Never over an existing download.
        assert.equal(await app.run(["download_job", jobB]), false);
        assert.match(printed.at(-1)!, /DEST_EXISTS/);
        // Another org's lead may not download it.
        const { app: other, printed: p2 } = consoleFor(as(LEAD_A), `${tmp}/other`);
        assert.equal(await other.run(["download_job", jobB]), false);
        assert.match(p2.at(-1)!, /NOT_AUTHORIZED/);
        assert.equal(await Deno.stat(`${tmp}/other`).catch(() => null), null);
      },
    );
  } finally {
    for (const s of sessions.values()) await s.close();
    for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
    await Deno.remove(tmp, { recursive: true });
    await fed.close();
  }
});
