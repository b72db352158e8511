// The real role processes, started the way operators start them (`deno task server|client`,
// i.e. the launcher under its permission set), with their real, computed permissions.
import assert from "node:assert/strict";
import { loadKit } from "../core/kit/mod.ts";
import { roleFlags, RUNTIME_DIR } from "../core/launch/mod.ts";
import { freePort } from "./_fixtures/federation.ts";
import { provisionTestProject, type TestProject } from "./_fixtures/test_project.ts";

async function project(port: number): Promise<TestProject> {
  return await provisionTestProject({ server: { fed_learn_port: port, admin_port: port } });
}

/** `deno task <role> --kit <dir> [--listen-host 127.0.0.1] -- <args>`, as a child process. */
function launch(role: "server" | "client", kitDir: string, args: string[] = []): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-P=launcher",
      `${role}/launcher.ts`,
      "--kit",
      kitDir,
      ...(role === "server" ? ["--listen-host", "127.0.0.1"] : []),
      ...(args.length ? ["--", ...args] : []),
    ],
    cwd: RUNTIME_DIR,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** What `--check-sandbox` reports from inside the running role process. */
async function probe(role: "server" | "client", kitDir: string, targets: unknown) {
  const child = launch(role, kitDir, ["--check-sandbox", JSON.stringify(targets)]);
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(text.split("\n").at(-1)!) as Record<string, Record<string, string>>;
}

Deno.test("a running site process cannot read, write, connect or run outside its grant", async () => {
  const port = freePort();
  const p = await project(port);
  try {
    const kit = p.kitDir("site_a");
    const other = p.kitDir("site_b");
    const r = await probe("client", kit, {
      read: ["/etc/hostname", `${other}/startup/client.key`, `${kit}/startup/client.key`],
      write: [
        `${kit}/startup/planted.txt`,
        `${kit}/local/planted.txt`,
        `${other}/planted.txt`,
        `${kit}/ok.txt`,
      ],
      connect: [`127.0.0.1:${freePort()}`, `127.0.0.2:${port}`],
      env: ["HOME"],
      run: ["/bin/sh"],
    });
    assert.equal(r.read!["/etc/hostname"], "NotCapable");
    assert.equal(r.read![`${other}/startup/client.key`], "NotCapable");
    assert.equal(r.read![`${kit}/startup/client.key`], "allowed");
    assert.equal(r.write![`${kit}/startup/planted.txt`], "NotCapable");
    assert.equal(r.write![`${kit}/local/planted.txt`], "NotCapable");
    assert.equal(r.write![`${other}/planted.txt`], "NotCapable");
    assert.equal(r.write![`${kit}/ok.txt`], "allowed");
    for (const v of Object.values(r.connect!)) assert.equal(v, "NotCapable");
    assert.equal(r.env!.HOME, "NotCapable");
    assert.equal(r.run!["/bin/sh"], "NotCapable");
  } finally {
    await p.cleanup();
  }
});

Deno.test("a running server process cannot read, write, connect or run outside its grant", async () => {
  const port = freePort();
  const p = await project(port);
  try {
    const kit = p.kitDir("localhost");
    const r = await probe("server", kit, {
      read: [
        "/etc/hostname",
        `${p.kitDir("site_a")}/startup/client.key`,
        `${p.prodDir}/../state/rootCA.key`,
      ],
      write: [`${kit}/startup/planted.txt`, `${kit}/ok.txt`],
      connect: ["127.0.0.2:9999", "10.0.0.1:443"],
      listen: [`127.0.0.1:${port}`, "127.0.0.1:0"],
      env: ["HOME"],
      run: ["/bin/sh"],
    });
    assert.deepEqual(Object.values(r.read!), ["NotCapable", "NotCapable", "NotCapable"]);
    assert.deepEqual(r.write, {
      [`${kit}/startup/planted.txt`]: "NotCapable",
      [`${kit}/ok.txt`]: "allowed",
    });
    assert.equal(r.connect!["10.0.0.1:443"], "NotCapable");
    assert.equal(r.listen![`127.0.0.1:${port}`], "allowed");
    assert.equal(r.env!.HOME, "NotCapable");
    assert.equal(r.run!["/bin/sh"], "NotCapable");
  } finally {
    await p.cleanup();
  }
});

Deno.test("deno task server and client run a federation and stop cleanly on shutdown.fl", async () => {
  const port = freePort();
  const p = await project(port);
  const children: Deno.ChildProcess[] = [];
  try {
    // site_b has a privacy policy: it loads at start and is audited like resources.json.
    await Deno.writeTextFile(
      `${p.kitDir("site_b")}/local/privacy.json`,
      JSON.stringify({ scopes: [{ name: "public" }], default_scope: "public" }),
    );
    children.push(launch("server", p.kitDir("localhost")));
    children.push(...["site_a", "site_b"].map((s) => launch("client", p.kitDir(s))));
    // Drain every child's output from the start, so no pipe ever fills and blocks a role.
    const outputs = children.map((c) => c.output());
    // Both sites register: the server's audit log shows it.
    const auditFile = `${p.kitDir("localhost")}/audit.log`;
    const until = Date.now() + 30_000;
    for (;;) {
      const text = await Deno.readTextFile(auditFile).catch(() => "");
      const anchors = ["site_a", "site_b"].every((site) =>
        text.includes(`[A:_audit_anchor]site=${site} `)
      );
      if (/A:_register\][^\n]*\n[\s\S]*A:_register\]/.test(text) && anchors) break;
      if (Date.now() > until) throw new Error(`sites did not register:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Each site's first heartbeat anchors its audit chain in the server's log.
    const serverLog = await Deno.readTextFile(auditFile);
    for (const site of ["site_a", "site_b"]) {
      assert.match(
        serverLog,
        new RegExp(`\\[A:_audit_anchor\\]site=${site} head=[0-9a-f]{64} lines=\\d+`),
      );
    }
    assert.match(
      await Deno.readTextFile(`${p.kitDir("site_b")}/audit.log`),
      /\[A:_policy_load\]file=local\/privacy\.json sha256=[0-9a-f]{64}/,
    );
    for (const kit of ["localhost", "site_a"]) {
      const log = await Deno.readTextFile(`${p.kitDir(kit)}/audit.log`);
      assert.match(
        log,
        /\[U:system\]\[A:_policy_load\]file=local\/resources\.json\.default sha256=[0-9a-f]{64}/,
      );
      assert.match(
        log,
        /\[U:system\]\[A:_policy_load\]file=local\/authorization\.json\.default sha256=[0-9a-f]{64}/,
      );
    }
    // A running site reloads its authorization policy when the file changes: a broken one is
    // refused (the old one stays) and audited, a good one is swapped in and audited.
    const siteAudit = `${p.kitDir("site_a")}/audit.log`;
    const waitFor = async (re: RegExp) => {
      const until = Date.now() + 20_000;
      while (!re.test(await Deno.readTextFile(siteAudit))) {
        if (Date.now() > until) {
          throw new Error(`no ${re} in ${await Deno.readTextFile(siteAudit)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const policyFile = `${p.kitDir("site_a")}/local/authorization.json`;
    await Deno.writeTextFile(policyFile, `{"format_version": "1.0", "permissions": {}}`);
    await waitFor(/\[A:_policy_reload\]failed: [^\n]*permissions/);
    await Deno.writeTextFile(
      policyFile,
      JSON.stringify({ format_version: "1.0", permissions: { project_admin: "any" } }),
    );
    await waitFor(/\[A:_policy_reload\]file=local\/authorization\.json sha256=[0-9a-f]{64}/);
    // stop_fl.sh creates shutdown.fl; every launcher then stops its role and exits 0.
    for (const kit of ["site_a", "site_b", "localhost"]) {
      await Deno.writeTextFile(`${p.kitDir(kit)}/shutdown.fl`, "");
    }
    const timer = setTimeout(() => children.forEach((c) => c.kill("SIGKILL")), 30_000);
    const statuses = (await Promise.all(outputs)).map((o) => o.code);
    clearTimeout(timer);
    assert.deepEqual(statuses, [0, 0, 0]);
    // The logs each role wrote verify after it stopped.
    const { verifyAuditFiles } = await import("../core/audit/mod.ts");
    for (const kit of ["localhost", "site_a", "site_b"]) {
      const v = await verifyAuditFiles([`${p.kitDir(kit)}/audit.log`]);
      assert.ok(v.ok, `${kit}: ${JSON.stringify(v)}`);
    }
  } finally {
    for (const c of children) {
      try {
        c.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    await p.cleanup();
  }
});

for (
  const [kind, file, content, expected] of [
    ["privacy", "privacy.json", { scopes: [] }, /PRIVACY|privacy policy "local\/privacy\.json"/],
    ["authorization", "authorization.json", { format_version: "2.0" }, /bad format_version "2\.0"/],
  ] as const
) {
  Deno.test(`a site whose ${kind} policy does not load does not start`, async () => {
    const port = freePort();
    const p = await project(port);
    try {
      await Deno.writeTextFile(`${p.kitDir("site_a")}/local/${file}`, JSON.stringify(content));
      // The role itself, under its real flags (the launcher would retry a crash five times).
      const kit = await loadKit(p.kitDir("site_a"), "client");
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", ...roleFlags("client", kit), "client/main.ts", "--kit", kit.kitDir],
        cwd: RUNTIME_DIR,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const out = await child.output();
      clearTimeout(timer);
      assert.equal(out.code, 1);
      assert.match(new TextDecoder().decode(out.stderr), expected);
      // The refusal is in the site's audit log.
      assert.match(
        await Deno.readTextFile(`${p.kitDir("site_a")}/audit.log`),
        new RegExp(`\\[A:_policy_load\\]failed: [^\\n]*local/${file}`),
      );
    } finally {
      await p.cleanup();
    }
  });
}
