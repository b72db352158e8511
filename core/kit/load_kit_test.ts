import assert from "node:assert/strict";
import { assertKitIntact } from "./require_intact_kit.ts";
import { findPolicyFile } from "./find_policy_file.ts";
import { loadKit, parseTarget } from "./load_kit.ts";
import { makeTestKit } from "./_test_kit.ts";

Deno.test("loadKit() reads the kit and applies local/connection.json", async () => {
  const dir = await makeTestKit();
  try {
    const kit = await assertKitIntact(dir, "client");
    assert.equal(kit.name, "site-a");
    assert.equal(kit.project, "kit-test");
    assert.equal(kit.target, "server.example:8002");
    assert.equal(kit.serverIdentity, "server.example");
    assert.equal(kit.connectionSecurity, "mtls");
    assert.match(kit.keyPem, /BEGIN PRIVATE KEY/);
    await Deno.writeTextFile(`${dir}/local/connection.json`, '{"target": "10.1.2.3:9443"}');
    assert.equal((await loadKit(dir, "client")).target, "10.1.2.3:9443");
    await Deno.writeTextFile(`${dir}/local/connection.json`, '{"target": "10.1.2.3"}');
    await assert.rejects(loadKit(dir, "client"), { code: "CONNECTION_OVERRIDE_INVALID" });
    await Deno.writeTextFile(`${dir}/local/connection.json`, '{"target": "a:1", "x": 1}');
    await assert.rejects(loadKit(dir, "client"), { code: "CONNECTION_OVERRIDE_INVALID" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("assertKitIntact() throws KitIntegrityError for a tampered kit", async () => {
  const dir = await makeTestKit();
  try {
    await Deno.writeTextFile(`${dir}/startup/extra.txt`, "x");
    await assert.rejects(assertKitIntact(dir, "client"), (e: unknown) => {
      const err = e as { code: string; report: { problems: { status: string }[] } };
      assert.equal(err.code, "KIT_INTEGRITY");
      assert.deepEqual(err.report.problems.map((p) => p.status), ["NOT_SIGNED"]);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseTarget() accepts host:port only", () => {
  assert.equal(parseTarget("a.example:1"), "a.example:1");
  assert.equal(parseTarget("a.example:0"), undefined);
  assert.equal(parseTarget("a.example:65536"), undefined);
  assert.equal(parseTarget("a b:80"), undefined);
  assert.equal(parseTarget(80), undefined);
});

Deno.test("findPolicyFile() prefers local files, falls back to .default, refuses ambiguity", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/local`);
    assert.equal(await findPolicyFile(dir, "authorization"), undefined);
    await Deno.writeTextFile(`${dir}/local/authorization.json.default`, "{}");
    await Deno.writeTextFile(`${dir}/local/privacy.json.sample`, "{}");
    assert.equal(
      await findPolicyFile(dir, "authorization"),
      `${dir}/local/authorization.json.default`,
    );
    assert.equal(await findPolicyFile(dir, "privacy"), undefined);
    await Deno.writeTextFile(`${dir}/local/authorization.yml`, "{}");
    assert.equal(await findPolicyFile(dir, "authorization"), `${dir}/local/authorization.yml`);
    await Deno.writeTextFile(`${dir}/local/authorization.json`, "{}");
    await assert.rejects(findPolicyFile(dir, "authorization"), { code: "POLICY_AMBIGUOUS" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
