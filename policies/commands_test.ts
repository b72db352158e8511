import assert from "node:assert/strict";
import { AuthorizationError } from "./authorization_error.ts";
import { COMMANDS } from "./commands.ts";
import { lookupCommand } from "./lookup_command.ts";
import { categoryOf, isRight, JOB_SCOPED_RIGHTS, RIGHTS } from "./rights.ts";

// The command column of authorization.md §6, row by row.
const SPEC_COMMANDS = [
  "check_status",
  "show_scopes",
  "list_jobs",
  "get_job_meta",
  "show_stats",
  "show_errors",
  "reset_errors",
  "list_job",
  "submit_job",
  "clone_job",
  "abort_job",
  "delete_job",
  "delete_workspace",
  "configure_job_log",
  "download_job",
  "download_job_file",
  "download_job_components",
  "app_command",
  "sys_info",
  "report_resources",
  "report_env",
  "configure_site_log",
  "shutdown",
  "restart",
  "remove_client",
  "disable_client",
  "enable_client",
  "pwd",
  "ls",
  "cat",
  "head",
  "tail",
  "grep",
  "admin_check_status",
  "dead",
  "list_sessions",
];

Deno.test("COMMANDS holds exactly the commands of authorization.md §6", () => {
  assert.deepEqual([...COMMANDS.keys()].sort(), [...SPEC_COMMANDS].sort());
});

Deno.test("COMMANDS maps every command to a known right and that right's category", () => {
  for (const command of COMMANDS.values()) {
    assert.ok(isRight(command.right), `command "${command.name}" has no right`);
    assert.equal(command.category, categoryOf(command.right), command.name);
    for (const r of command.alsoRights) assert.ok(isRight(r), `${command.name}: ${r}`);
    assert.equal(command.jobScoped, JOB_SCOPED_RIGHTS.has(command.right), command.name);
    if (!command.hidden) assert.match(command.usage, new RegExp(`^${command.name}( |$)`));
  }
});

Deno.test("COMMANDS leaves only abort, set_timeout and call without a command", () => {
  const used = new Set([...COMMANDS.values()].flatMap((c) => [c.right, ...c.alsoRights]));
  assert.deepEqual(RIGHTS.filter((r) => !used.has(r)), ["abort", "set_timeout", "call"]);
});

Deno.test("COMMANDS records where §6 checks each command", () => {
  const at = (name: string) => lookupCommand(name).checkedAt;
  assert.equal(at("list_jobs"), "S");
  assert.equal(at("check_status"), "S/C");
  assert.equal(at("ls"), "S/C");
  assert.equal(at("shutdown"), "S/C");
  assert.equal(at("show_stats"), "S+C");
  assert.equal(at("report_env"), "S+C");
  assert.equal(at("submit_job"), "S+C");
  assert.deepEqual(lookupCommand("submit_job").alsoRights, ["byoc"]);
  assert.deepEqual(lookupCommand("clone_job").alsoRights, ["submit_job"]);
  assert.equal(lookupCommand("download_job_components").category, "download_job");
  assert.equal(lookupCommand("list_job").category, undefined);
  assert.equal(lookupCommand("dead").hidden, true);
  assert.equal(lookupCommand("cat").usage, "cat <server|site> [options] [file]");
});

Deno.test("lookupCommand() refuses a command outside the table with UNKNOWN_COMMAND", () => {
  for (const name of ["bye", "help", "lpwd", "SHUTDOWN", "abort", "call", "", "__proto__"]) {
    assert.throws(
      () => lookupCommand(name),
      (e: unknown) => e instanceof AuthorizationError && e.code === "UNKNOWN_COMMAND",
      name,
    );
  }
});

Deno.test("AuthorizationError.notAuthorized() words the denial as §4 does", () => {
  const e = AuthorizationError.notAuthorized("ann@a.example", "shutdown");
  assert.equal(e.code, "NOT_AUTHORIZED");
  assert.equal(e.name, "AuthorizationError");
  assert.equal(e.message, "user 'ann@a.example' is not authorized for 'shutdown'");
});
