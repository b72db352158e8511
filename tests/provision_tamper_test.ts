// Tampering with a provisioned kit: each change is reported with its §5 status, the role's
// start-time check exits 2 before anything starts, and `deno task kit verify` exits non-zero.
import assert from "node:assert/strict";
import { provisionProject } from "../provision/mod.ts";
import { verifyKit } from "../core/kit/mod.ts";
import { example, ROOT, runDeno, runTask, withTempDir } from "./provision_test_helpers.ts";

/** Starts the fixture role process with read access to the kit only. */
function start(kitDir: string, role: string) {
  return runDeno([
    "run",
    "--no-prompt",
    `--allow-read=${kitDir}`,
    `${ROOT}/tests/provision_start_fixture.ts`,
    kitDir,
    role,
  ]);
}

Deno.test("tampered kits are reported with their status and nothing starts", async () => {
  await withTempDir(async (ws) => {
    const r = await provisionProject({ projectFile: example("mixed/project.yml"), workspace: ws });
    const other = await provisionProject({
      projectFile: example("minimal/project.yml"),
      workspace: ws,
    });
    const k = (name: string) => `${r.prodDir}/${name}`;

    // Intact: starts.
    const ok = await start(k("site-a"), "client");
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "STARTED site-a\n");

    // 1. Edit a signed file.
    const edited = `${k("site-a")}/startup/fed_client.json`;
    await Deno.writeTextFile(edited, (await Deno.readTextFile(edited)).replace("8443", "9443"));
    // 2. Add a file.
    await Deno.writeTextFile(`${k("site-b")}/startup/notes.txt`, "hello");
    // 3. Remove a file.
    await Deno.remove(`${k("site-c")}/startup/stop_fl.sh`);
    // 4. Swap in a certificate (and its key) from another project.
    for (const f of ["server.crt", "server.key"]) {
      await Deno.copyFile(
        `${other.prodDir}/server.example.org/startup/${f}`,
        `${k("fl.hosp-a.example")}/startup/${f}`,
      );
    }
    // 5. A key that does not match the certificate.
    await Deno.copyFile(
      `${k("lee@hosp-b.example")}/startup/client.key`,
      `${k("ana@hosp-a.example")}/startup/client.key`,
    );

    const expected: [string, string, string[]][] = [
      ["site-a", "client", ["INVALID_SIGNATURE startup/fed_client.json"]],
      ["site-b", "client", ["NOT_SIGNED startup/notes.txt"]],
      ["site-c", "client", ["MISSING startup/stop_fl.sh"]],
      ["fl.hosp-a.example", "server", [
        "INVALID_SIGNATURE startup/server.crt",
        "INVALID_SIGNATURE startup/server.key",
        "CERT_INVALID startup/server.crt",
      ]],
      ["ana@hosp-a.example", "admin", [
        "INVALID_SIGNATURE startup/client.key",
        "KEY_MISMATCH startup/client.key",
      ]],
    ];
    for (const [name, role, problems] of expected) {
      const report = await verifyKit(k(name), { role: role as "client" });
      assert.deepEqual(report.problems.map((p) => `${p.status} ${p.file}`), problems, name);
      const run = await start(k(name), role);
      assert.equal(run.code, 2, `${name}: ${run.stderr}`);
      assert.equal(run.stdout, "", `${name} must not start`);
      assert.match(
        run.stderr,
        new RegExp(
          `^Cannot start ${name.replace(/\./g, "\\.")}: startup kit integrity check failed\n`,
        ),
      );
      for (const p of problems) {
        const [status, file] = p.split(" ");
        assert.match(run.stderr, new RegExp(`\n  ${status} +${file}`));
      }
      assert.match(
        run.stderr,
        /Files in startup\/ are signed at provisioning and must not be edited/,
      );
    }
    const swapped = (await verifyKit(k("fl.hosp-a.example"))).problems.find((p) =>
      p.status === "CERT_INVALID"
    );
    assert.match(swapped?.detail ?? "", /was not issued by root "CN=tumour_seg"/);

    // The same through the CLI, read-only: exit 2 and a JSON report.
    const cli = await runTask(["kit", "verify", k("site-b"), "--json"]);
    assert.equal(cli.code, 2, cli.stderr);
    const json = JSON.parse(cli.stdout);
    assert.equal(json.ok, false);
    assert.deepEqual(json.problems, [{ status: "NOT_SIGNED", file: "startup/notes.txt" }]);
    const fine = await runTask(["kit", "verify", `${other.prodDir}/site-1`]);
    assert.equal(fine.code, 0, fine.stderr);
    assert.match(fine.stdout, /Startup kit of site-1 \(client\) is intact/);
  });
});
