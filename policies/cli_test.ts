import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { policyCli } from "./cli.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT = fileURLToPath(new URL("./defaults/authorization.json.default", import.meta.url));

async function run(args: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await policyCli(args, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { status, out: out.join("\n"), err: err.join("\n") };
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "stockade_policy_cli_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const explain = (user: string, right: string, more: string[] = []) =>
  run([
    "explain",
    "--policy",
    DEFAULT,
    "--site-org",
    "org-a",
    "--user",
    user,
    "--right",
    right,
    ...more,
  ]);

Deno.test("policyCli() explain prints the decision and the entry that produced it", async () => {
  const allow = await explain("ann:org-a:lead", "restart");
  assert.equal(allow.status, 0);
  assert.equal(allow.out, 'ALLOW\nrule: permissions.lead.operate\nreason: "o:site" matched');
  const deny = await explain("ann:org-b:lead", "delete_job", ["--submitter", "bob:org-b:lead"]);
  assert.equal(deny.status, 0);
  assert.equal(
    deny.out,
    "DENY: user 'ann' is not authorized for 'delete_job'\n" +
      'rule: permissions.lead.manage_job\nreason: "n:submitter" did not match',
  );
  const json = await explain("ann:org-b:org_admin", "delete_job", [
    "--submitter",
    "bob:org-b:lead",
    "--json",
  ]);
  assert.deepEqual(JSON.parse(json.out), {
    allowed: true,
    reason: '"o:submitter" matched',
    rule: "permissions.org_admin.manage_job",
    warnings: [],
  });
  const unknown = await explain("ann:org-a:member", "veiw");
  assert.match(unknown.err, /warning: "veiw" is not a right/);
  assert.match(unknown.out, /^DENY/);
});

Deno.test("policyCli() refuses bad usage with status 2", async () => {
  for (
    const args of [
      [],
      ["frobnicate"],
      ["explain", "--policy", DEFAULT, "--site-org", "a", "--user", "ann:org-a", "--right", "ls"],
      ["explain", "--policy", DEFAULT, "--site-org", "a", "--user", "a:b:c"],
      ["explain", "--policy", DEFAULT, "--bogus"],
      ["check"],
      ["diff", DEFAULT],
    ]
  ) {
    const r = await run(args);
    assert.equal(r.status, 2, args.join(" "));
    assert.match(r.err, /Usage:/);
  }
  const help = await run(["check", "--help"]);
  assert.equal(help.status, 0);
  assert.match(help.out, /^Usage:/);
});

Deno.test("policyCli() check lists warnings and fails on a policy that does not load", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/warn.yaml`,
      `format_version: "1.0"\npermissions:\n  lead: {sumbit_job: any}\n`,
    );
    await Deno.writeTextFile(
      `${dir}/bad.json`,
      `{"format_version": "1.0", "permissions": {"lead": {"submit_job": "x:abc"}}}`,
    );
    const ok = await run(["check", DEFAULT, `${dir}/warn.yaml`]);
    assert.equal(ok.status, 0);
    assert.match(ok.out, new RegExp(`^OK ${DEFAULT}$`, "m"));
    assert.match(ok.out, /^OK .*warn\.yaml \(1 warning\)\n {2}warning: "sumbit_job"/m);
    const bad = await run(["check", `${dir}/warn.yaml`, `${dir}/bad.json`, "--json"]);
    assert.equal(bad.status, 1);
    const [first, second] = JSON.parse(bad.out);
    assert.equal(first.ok, true);
    assert.equal(second.ok, false);
    assert.equal(second.error.code, "AUTHZ_CONDITION_TYPE");
    assert.match(second.error.message, /bad condition "x:abc" at permissions\.lead\.submit_job/);
    const missing = await run([
      "explain",
      "--policy",
      `${dir}/none.json`,
      "--site-org",
      "a",
      "--user",
      "a:b:c",
      "--right",
      "ls",
    ]);
    assert.equal(missing.status, 1);
    assert.match(missing.err, /\[AUTHZ_FILE\]$/);
  });
});

Deno.test("policyCli() diff prints the decisions that change", async () => {
  await withDir(async (dir) => {
    const changed = JSON.parse(await Deno.readTextFile(DEFAULT));
    changed.permissions.member = { view: "any", download_job: "n:submitter" };
    await Deno.writeTextFile(`${dir}/new.json`, JSON.stringify(changed));
    const r = await run(["diff", DEFAULT, `${dir}/new.json`]);
    assert.equal(r.status, 0);
    assert.deepEqual(r.out.split("\n").map((l) => l.split(":")[0]), [
      "member download_job",
      "member download_job_components",
      "member download_job_file",
    ]);
    assert.match(
      r.out,
      /DENY -> ALLOW when the submitter is the user or the submitter has the user's name and another org \(was no entry/,
    );
    const same = await run(["diff", DEFAULT, DEFAULT]);
    assert.equal(same.out, "No decision changes");
    const json = JSON.parse((await run(["diff", DEFAULT, `${dir}/new.json`, "--json"])).out);
    assert.equal(json.entries.length, 3);
  });
});

Deno.test("deno task policy reads YAML with only read permission (-P=policy)", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/a.yml`,
      `format_version: "1.0"\npermissions:\n  member: {view: any}\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-P=policy", "policies/cli.ts", "check", `${dir}/a.yml`, DEFAULT],
      cwd: ROOT,
      env: { NO_COLOR: "1", LOG_TOKENS: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(stdout, `OK ${dir}/a.yml\nOK ${DEFAULT}\n`);
  });
});
