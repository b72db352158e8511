// Every console command of authorization.md §6, each with what it does and with its refusal,
// against real role processes. A command missing here fails the last step.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { COMMANDS } from "../policies/mod.ts";
import type { AdminReply, AdminSession } from "../console/admin_session.ts";
import { federation, waitFor } from "./_fixtures/federation.ts";
import { sagServerConfig, writeJob } from "./_fixtures/job_folders.ts";

const PA = "admin@org-a.example";
const MEMBER = "member@org-b.example";

Deno.test("every console command: what it does, and its refusal", async (t) => {
  const fed = await federation({
    admins: [
      { name: PA, org: "org_a", role: "project_admin" },
      { name: MEMBER, org: "org_b", role: "member" },
    ],
  });
  const covered = new Set<string>();
  const dirs: string[] = [];
  let admin: AdminSession | undefined;
  let member: AdminSession | undefined;
  try {
    for (const name of ["localhost", "site_a", "site_b"]) await fed.start(name);
    await fed.registered(["site_a", "site_b"]);
    admin = await fed.login(PA);
    member = await fed.login(MEMBER);
    const a = admin;
    const m = member;
    const ok = async (s: AdminSession, cmd: string, args: string[], pattern?: RegExp) => {
      covered.add(cmd);
      const r = await s.command(cmd, args);
      assert.ok(r.ok, `${cmd} ${args.join(" ")}: ${JSON.stringify(r)}`);
      if (pattern) assert.match(r.message, pattern);
      return r;
    };
    const no = async (s: AdminSession, cmd: string, args: string[], code: string) => {
      const r: AdminReply = await s.command(cmd, args);
      assert.equal(r.ok, false, `${cmd} ${args.join(" ")}: ${JSON.stringify(r)}`);
      assert.equal(r.code, code, `${cmd} ${args.join(" ")}: ${JSON.stringify(r)}`);
      return r;
    };
    const submit = async (rounds: number) => {
      const dir = await writeJob({
        name: `r${rounds}`,
        server: sagServerConfig({ num_rounds: rounds }),
      });
      dirs.push(dirname(dir));
      const r = await a.submitFolder(dir);
      assert.ok(r.ok, JSON.stringify(r));
      return (r.data as { job_id: string }).job_id;
    };
    const done = await submit(2);
    await fed.finished(a, done);
    const long = await submit(100_000);
    await waitFor(
      "the long job to run",
      async () =>
        ((await a.command("get_job_meta", [long])).data as { status: string }).status === "RUNNING",
    );

    await t.step("status and scopes", async () => {
      await ok(a, "check_status", ["server"], /2 site\(s\) connected/);
      await ok(a, "check_status", ["client", "site_a"], /site_a: \{"site":"site_a"/);
      await no(a, "check_status", ["galaxy"], "BAD_COMMAND_ARGS");
      await no(a, "check_status", ["client", "nowhere"], "OFFLINE");
      await ok(m, "show_scopes", ["all"], /server: no scopes/);
      await no(m, "show_scopes", ["server", "site_a"], "BAD_COMMAND_ARGS");
      await ok(a, "admin_check_status", [], /running since/);
      await no(m, "admin_check_status", [], "NOT_AUTHORIZED");
      await ok(a, "list_sessions", [], /site_a/);
      await no(m, "list_sessions", [], "NOT_AUTHORIZED");
    });

    await t.step("job views", async () => {
      await ok(m, "list_jobs", ["-m", "1"], new RegExp(done));
      await no(m, "list_jobs", ["-x"], "BAD_COMMAND_ARGS");
      await ok(m, "get_job_meta", [done], /FINISHED:COMPLETED/);
      await no(m, "get_job_meta", ["no-such-job"], "JOB_NOT_FOUND");
      await ok(a, "list_job", [done], /meta\.json/);
      await no(m, "list_job", [done], "NOT_AUTHORIZED");
      await ok(m, "show_stats", [long, "server"], /RUNNING/);
      await ok(m, "show_stats", [long, "client"], /site_a: \{"tasks":\d+/);
      await ok(m, "show_errors", [long, "server"]);
      await ok(m, "show_errors", [long, "client", "site_b"], /site_b: \{"errors":\[\]\}/);
      await ok(m, "reset_errors", [long, "client"], /"reset":0/);
      await no(m, "show_stats", [long], "BAD_COMMAND_ARGS");
      await no(m, "reset_errors", ["no-such-job", "server"], "JOB_NOT_FOUND");
      await no(m, "submit_job", [], "NOT_AUTHORIZED");
      covered.add("submit_job");
    });

    await t.step("job management", async () => {
      await ok(a, "configure_job_log", [long, "client", "debug"], /"log_level":"debug"/);
      await ok(a, "configure_job_log", [long, "server", "warn"]);
      await no(a, "configure_job_log", [long, "server", "loud"], "BAD_COMMAND_ARGS");
      await no(m, "configure_job_log", [long, "server", "info"], "NOT_AUTHORIZED");
      await no(m, "app_command", [long, "status"], "NOT_AUTHORIZED");
      await no(a, "app_command", [long, "status"], "APP_COMMAND_UNSUPPORTED");
      covered.add("app_command");
      await no(a, "delete_job", [long], "JOB_RUNNING");
      await no(m, "abort_job", [long], "NOT_AUTHORIZED");
      await ok(a, "abort_job", [long], /Abort requested/);
      assert.equal((await fed.finished(a, long)).status, "FINISHED:ABORTED");
      await no(a, "abort_job", [long], "JOB_NOT_RUNNING");
      const clone = await a.command("clone_job", [done]);
      covered.add("clone_job");
      assert.ok(clone.ok && (clone.data as { files: unknown[] }).files.length > 0);
      await no(m, "clone_job", [done], "NOT_AUTHORIZED");
    });

    await t.step("downloads", async () => {
      const d = await ok(a, "download_job", [done]);
      const data = d.data as { server: { result?: Uint8Array; audit_log?: Uint8Array } };
      assert.ok(data.server.result && data.server.audit_log);
      await no(m, "download_job", [done], "NOT_AUTHORIZED");
      await ok(a, "download_job_file", [done], /result\.cbor/);
      const f = await ok(a, "download_job_file", [done, "result.cbor"]);
      assert.ok((f.data as { data: Uint8Array }).data.length > 0);
      await no(a, "download_job_file", [done, "../job.json"], "BAD_COMMAND_ARGS");
      await no(a, "download_job_file", [done, "nope.cbor"], "FILE_NOT_FOUND");
      // A link in the run folder (the controller's to write) does not reach the server's kit.
      const server = fed.project.kitDir("localhost");
      await Deno.symlink(`${server}/startup/server.key`, `${server}/jobs/${done}/run/key.cbor`);
      await no(a, "download_job_file", [done, "key.cbor"], "BAD_COMMAND_ARGS");
      await no(m, "download_job_file", [done], "NOT_AUTHORIZED");
      await ok(a, "download_job_components", [done, "meta.json"], /1 file/);
      await no(a, "download_job_components", [done, "nope.json"], "FILE_NOT_FOUND");
      await no(m, "download_job_components", [done], "NOT_AUTHORIZED");
      await ok(a, "delete_workspace", [done], /audit log stays/);
      await no(m, "delete_workspace", [done], "NOT_AUTHORIZED");
      await no(m, "delete_job", [done], "NOT_AUTHORIZED");
      await ok(a, "delete_job", [long], /Deleted job/);
      await no(a, "get_job_meta", [long], "JOB_NOT_FOUND");
    });

    await t.step("operations", async () => {
      await ok(a, "sys_info", ["server"], /Deno/);
      await ok(a, "sys_info", ["client"], /site_b: \{"os"/);
      await no(m, "sys_info", ["server"], "NOT_AUTHORIZED");
      await no(m, "sys_info", ["client", "site_a"], "NOT_AUTHORIZED");
      await ok(a, "report_resources", ["server"], /job slots/);
      await ok(a, "report_resources", ["client", "site_a"], /max_concurrent_jobs/);
      await no(m, "report_resources", ["server"], "NOT_AUTHORIZED");
      await ok(a, "report_env", ["site_a"], /"workspace"/);
      await no(m, "report_env", ["site_a"], "NOT_AUTHORIZED");
      await ok(a, "configure_site_log", ["server", "debug"], /debug/);
      await ok(a, "configure_site_log", ["client", "info"], /site_a: \{"log_level":"info"\}/);
      await no(a, "configure_site_log", ["client"], "BAD_COMMAND_ARGS");
      await no(m, "configure_site_log", ["server", "info"], "NOT_AUTHORIZED");
    });

    await t.step("shell commands, on the server and at a site", async () => {
      await ok(a, "pwd", ["server"], /^\/$/);
      await ok(a, "pwd", ["site_a"], /site_a: \n\//);
      await ok(a, "ls", ["server", "-l", "local"], /authorization\.json\.default/);
      await ok(a, "cat", ["site_b", "-n", "audit.log"], /site_b: \n {5}1\t\[E:/);
      await ok(a, "head", ["server", "-n", "1", "audit.log"], /_audit_start/);
      await ok(a, "tail", ["site_a", "-n", "1", "audit.log"], /site_a: \n\[E:/);
      await ok(a, "grep", ["server", "-i", "REGISTER", "audit.log"], /_register/);
      for (const cmd of ["pwd", "ls", "cat", "head", "tail", "grep"]) {
        const args = cmd === "pwd" || cmd === "ls" ? [] : cmd === "grep" ? ["x", "audit.log"] : [
          "audit.log",
        ];
        covered.add(cmd);
        await no(m, cmd, ["server", ...args], "NOT_AUTHORIZED");
        await no(m, cmd, ["site_a", ...args], "NOT_AUTHORIZED");
      }
      await no(a, "cat", ["server", "startup/server.key"], "BAD_COMMAND_ARGS");
      await no(a, "ls", ["server", "/etc"], "BAD_COMMAND_ARGS");
      await no(a, "grep", ["site_a", "(", "audit.log"], "BAD_COMMAND_ARGS");
      await no(a, "ls", [], "BAD_COMMAND_ARGS");
    });

    await t.step("sites: remove, disable, enable, dead, restart, shutdown", async () => {
      await no(m, "disable_client", ["site_b"], "NOT_AUTHORIZED");
      await ok(a, "disable_client", ["site_b"], /disabled/);
      await waitFor(
        "site_b to be refused",
        async () => (await fed.auditLog("localhost")).includes("client_disabled"),
      );
      await no(a, "check_status", ["client", "site_b"], "OFFLINE");
      await no(m, "enable_client", ["site_b"], "NOT_AUTHORIZED");
      await ok(a, "enable_client", ["site_b"], /enabled/);
      // A refused site stops retrying (a lasting refusal); its operator starts it again.
      await fed.stop("site_b");
      await fed.start("site_b");
      await waitFor(
        "site_b back",
        async () => (await a.command("check_status", ["client", "site_b"])).ok,
      );
      await no(m, "remove_client", ["site_b"], "NOT_AUTHORIZED");
      await ok(a, "remove_client", ["site_b"], /Ended the session/);
      await no(a, "remove_client", ["a", "b"], "BAD_COMMAND_ARGS");
      await no(m, "dead", ["site_b"], "NOT_AUTHORIZED");
      await ok(a, "dead", ["site_b"]);
      await waitFor(
        "site_b back",
        async () => (await a.command("check_status", ["client", "site_b"])).ok,
      );
      await no(m, "restart", ["client", "site_b"], "NOT_AUTHORIZED");
      await ok(a, "restart", ["client", "site_b"], /"restart":"requested"/);
      // Without a supervisor the site leaves with 75, the status that asks for a restart.
      await waitFor("site_b to restart", () => fed.log("site_b").includes("restart requested"));
      assert.equal((await fed.stop("site_b")).code, 75);
      await fed.start("site_b");
      await waitFor(
        "site_b back",
        async () => (await a.command("check_status", ["client", "site_b"])).ok,
      );
      await no(m, "shutdown", ["client", "site_b"], "NOT_AUTHORIZED");
      await ok(a, "shutdown", ["client", "site_b"], /"shutdown":"requested"/);
      await waitFor("site_b to stop", () => fed.log("site_b").includes("shutdown requested"));
      assert.equal((await fed.stop("site_b")).code, 0);
      await no(m, "shutdown", ["server"], "NOT_AUTHORIZED");
      await no(a, "shutdown", ["everything"], "BAD_COMMAND_ARGS");
      await no(a, "frobnicate", [], "UNKNOWN_COMMAND");
      await ok(a, "shutdown", ["server"], /requested/);
      assert.equal((await fed.stop("localhost")).code, 0);
    });

    await t.step("every command of the table was exercised", () => {
      const missing = [...COMMANDS.keys()].filter((c) => !covered.has(c));
      assert.deepEqual(missing, []);
    });
  } finally {
    await admin?.close().catch(() => {});
    await member?.close().catch(() => {});
    for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
    await fed.close();
  }
});
