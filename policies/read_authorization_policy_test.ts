import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { KitError } from "../core/kit/mod.ts";
import { authorize } from "./authorize.ts";
import { loadAuthorizationPolicy } from "./load_authorization_policy.ts";
import { PolicyError, type PolicyErrorCode } from "./policy_error.ts";
import { readAuthorizationPolicy } from "./read_authorization_policy.ts";

const GOOD_JSON = `{"format_version": "1.0", "permissions": {"lead": {"view": "any"}}}`;
const GOOD_YAML = `format_version: "1.0"
permissions:
  lead:
    view: any
    submit_job: [o:site, "n:ben@b.example"]
  project_admin: any
`;

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "stockade_policy_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function refuses(
  dir: string,
  name: string,
  text: string | Uint8Array,
  code: PolicyErrorCode,
) {
  const path = `${dir}/${name}`;
  if (typeof text === "string") await Deno.writeTextFile(path, text);
  else await Deno.writeFile(path, text);
  await assert.rejects(readAuthorizationPolicy(path, { file: `local/${name}` }), (e: unknown) => {
    assert.ok(e instanceof PolicyError, String(e));
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.startsWith(`Cannot load policy "local/${name}": `), e.message);
    return true;
  });
}

Deno.test("readAuthorizationPolicy() reads JSON and YAML with the file's SHA-256", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.json`, GOOD_JSON);
    await Deno.writeTextFile(`${dir}/a.yml`, GOOD_YAML);
    const json = await readAuthorizationPolicy(`${dir}/a.json`);
    assert.equal(json.file, `${dir}/a.json`);
    assert.equal(json.sha256, createHash("sha256").update(GOOD_JSON).digest("hex"));
    assert.deepEqual([...json.policy.roles.keys()], ["lead"]);
    const yaml = await readAuthorizationPolicy(`${dir}/a.yml`, { file: "local/a.yml" });
    assert.equal(yaml.file, "local/a.yml");
    const d = authorize(yaml.policy, {
      right: "submit_job",
      user: { name: "ben@b.example", org: "org-b", role: "lead" },
      siteOrg: "org-a",
    });
    assert.deepEqual(d, {
      allowed: true,
      reason: '"n:ben@b.example" matched',
      rule: "permissions.lead.submit_job",
    });
  });
});

Deno.test("readAuthorizationPolicy() refuses a key repeated in a JSON file with AUTHZ_DUPLICATE_KEY", async () => {
  await withDir(async (dir) => {
    await refuses(
      dir,
      "a.json",
      `{"format_version": "1.0", "permissions": {"lead": {"view": "any", "view": "none"}}}`,
      "AUTHZ_DUPLICATE_KEY",
    );
    await refuses(
      dir,
      "b.json",
      `{"format_version": "1.0", "permissions": {"lead": "any"}, "format_version": "1.0"}`,
      "AUTHZ_DUPLICATE_KEY",
    );
    // The same key spelled with an escape is still the same key.
    await refuses(
      dir,
      "c.json",
      `{"format_version": "1.0", "permissions": {"lead": "any", "l\\u0065ad": "none"}}`,
      "AUTHZ_DUPLICATE_KEY",
    );
    const e = await readAuthorizationPolicy(`${dir}/a.json`).then(() => undefined, (e) => e);
    assert.match(String(e), /key "view" is repeated at permissions\.lead/);
  });
});

Deno.test("readAuthorizationPolicy() refuses a key repeated in a YAML file with AUTHZ_DUPLICATE_KEY", async () => {
  await withDir(async (dir) => {
    await refuses(
      dir,
      "a.yaml",
      `format_version: "1.0"\npermissions:\n  lead: any\n  lead: none\n`,
      "AUTHZ_DUPLICATE_KEY",
    );
  });
});

Deno.test("readAuthorizationPolicy() accepts repeated values and keys in different objects", async () => {
  await withDir(async (dir) => {
    const text = `{"format_version": "1.0", "permissions": {
      "lead": {"view": ["any", "any"], "operate": "o:site"},
      "member": {"view": "any", "operate": "o:site"}, "x": [{"a": 1}, {"a": 2}]}}`;
    await refuses(dir, "a.json", text, "AUTHZ_EXPRESSION_TYPE");
    await Deno.writeTextFile(`${dir}/b.json`, text.replace(`, "x": [{"a": 1}, {"a": 2}]`, ""));
    assert.equal((await readAuthorizationPolicy(`${dir}/b.json`)).policy.roles.size, 2);
  });
});

Deno.test("readAuthorizationPolicy() refuses unparsable files with AUTHZ_SYNTAX", async () => {
  await withDir(async (dir) => {
    await refuses(dir, "a.json", `{"format_version": "1.0",`, "AUTHZ_SYNTAX");
    await refuses(dir, "b.json", `format_version: "1.0"`, "AUTHZ_SYNTAX");
    await refuses(dir, "c.json", new Uint8Array([0x7b, 0xff, 0x7d]), "AUTHZ_SYNTAX");
    await refuses(dir, "d.json", "[".repeat(100) + "]".repeat(100), "AUTHZ_SYNTAX");
    await refuses(dir, "e.yaml", "a: [1, 2", "AUTHZ_SYNTAX");
    await refuses(dir, "f.yaml", "x: !!js/function 'f'", "AUTHZ_SYNTAX");
    await refuses(dir, "g.yaml", "? [a]\n: 1", "AUTHZ_SYNTAX");
    await refuses(dir, "h.yaml", "a: *x", "AUTHZ_SYNTAX");
    await refuses(dir, "i.yml", "a: 1\n---\nb: 2\n", "AUTHZ_SYNTAX");
  });
});

Deno.test("readAuthorizationPolicy() applies the format rules to YAML values", async () => {
  await withDir(async (dir) => {
    // YAML reads an unquoted 1.0 as a number, which §2 refuses.
    await refuses(
      dir,
      "a.yaml",
      "format_version: 1.0\npermissions: {lead: any}",
      "AUTHZ_FORMAT_VERSION",
    );
    await refuses(dir, "b.yaml", "", "AUTHZ_NOT_OBJECT");
    await refuses(dir, "c.yaml", "{}", "AUTHZ_EMPTY");
    await refuses(
      dir,
      "d.yaml",
      `format_version: "1.0"\npermissions: {lead: 3}`,
      "AUTHZ_ROLE_CONFIG_TYPE",
    );
  });
});

Deno.test("readAuthorizationPolicy() refuses a missing file with AUTHZ_FILE", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      readAuthorizationPolicy(`${dir}/none.json`, { file: "local/none.json" }),
      (e: unknown) =>
        e instanceof PolicyError && e.code === "AUTHZ_FILE" &&
        e.message === 'Cannot load policy "local/none.json": the file does not exist',
    );
  });
});

Deno.test("loadAuthorizationPolicy() follows provisioning.md §6", async () => {
  await withDir(async (kit) => {
    await Deno.mkdir(`${kit}/local`);
    await assert.rejects(
      loadAuthorizationPolicy(kit),
      (e: unknown) => e instanceof PolicyError && e.code === "AUTHZ_FILE",
    );
    await Deno.writeTextFile(`${kit}/local/authorization.json.sample`, GOOD_JSON);
    await assert.rejects(loadAuthorizationPolicy(kit), PolicyError);
    await Deno.writeTextFile(`${kit}/local/authorization.json.default`, GOOD_JSON);
    assert.equal((await loadAuthorizationPolicy(kit)).file, "local/authorization.json.default");
    await Deno.writeTextFile(`${kit}/local/authorization.yaml`, GOOD_YAML);
    const loaded = await loadAuthorizationPolicy(kit);
    assert.equal(loaded.file, "local/authorization.yaml");
    assert.ok(loaded.policy.roles.has("project_admin"));
    await Deno.writeTextFile(`${kit}/local/authorization.json`, GOOD_JSON);
    await assert.rejects(
      loadAuthorizationPolicy(kit),
      (e: unknown) => e instanceof KitError && e.code === "POLICY_AMBIGUOUS",
    );
    await Deno.remove(`${kit}/local/authorization.yaml`);
    await Deno.writeTextFile(`${kit}/local/authorization.json`, `{"format_version": "1.0"}`);
    await assert.rejects(loadAuthorizationPolicy(kit), (e: unknown) => {
      assert.ok(e instanceof PolicyError);
      assert.equal(e.code, "AUTHZ_NO_PERMISSIONS");
      assert.ok(e.message.startsWith(`Cannot load policy "local/authorization.json": `));
      return true;
    });
  });
});
