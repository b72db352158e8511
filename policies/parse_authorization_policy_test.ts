import assert from "node:assert/strict";
import { parseAuthorizationPolicy } from "./parse_authorization_policy.ts";
import { PolicyError, type PolicyErrorCode } from "./policy_error.ts";

const withPerms = (permissions: unknown) => ({ format_version: "1.0", permissions });

function refuses(value: unknown, code: PolicyErrorCode, includes?: string) {
  assert.throws(
    () => parseAuthorizationPolicy(value, { file: "local/authorization.json" }),
    (err: unknown) => {
      assert.ok(err instanceof PolicyError, String(err));
      assert.equal(err.code, code, err.message);
      assert.equal(err.name, "PolicyError");
      assert.match(err.message, /^Cannot load policy "local\/authorization\.json": /);
      if (includes !== undefined) assert.ok(err.message.includes(includes), err.message);
      return true;
    },
  );
}

Deno.test("parseAuthorizationPolicy() refuses an empty policy with AUTHZ_EMPTY", () => {
  refuses({}, "AUTHZ_EMPTY");
});

Deno.test("parseAuthorizationPolicy() refuses a non-object top level with AUTHZ_NOT_OBJECT", () => {
  for (const v of [[], null, "1.0", 1, true, undefined]) refuses(v, "AUTHZ_NOT_OBJECT");
});

Deno.test("parseAuthorizationPolicy() refuses a bad format_version with AUTHZ_FORMAT_VERSION", () => {
  refuses({ permissions: { a: "any" } }, "AUTHZ_FORMAT_VERSION", "missing");
  refuses({ format_version: "2.0", permissions: { a: "any" } }, "AUTHZ_FORMAT_VERSION", '"2.0"');
  refuses({ format_version: 1.0, permissions: { a: "any" } }, "AUTHZ_FORMAT_VERSION", "number 1");
  refuses({ format_version: " 1.0", permissions: { a: "any" } }, "AUTHZ_FORMAT_VERSION");
});

Deno.test("parseAuthorizationPolicy() refuses missing or empty permissions with AUTHZ_NO_PERMISSIONS", () => {
  refuses({ format_version: "1.0" }, "AUTHZ_NO_PERMISSIONS", "at permissions");
  refuses(withPerms({}), "AUTHZ_NO_PERMISSIONS", "at permissions");
});

Deno.test("parseAuthorizationPolicy() refuses array or scalar permissions with AUTHZ_PERMISSIONS_TYPE", () => {
  for (const p of [[], ["any"], "any", 3, true, null]) {
    refuses(withPerms(p), "AUTHZ_PERMISSIONS_TYPE");
  }
});

Deno.test("parseAuthorizationPolicy() refuses a number, boolean or null role with AUTHZ_ROLE_CONFIG_TYPE", () => {
  for (const r of [1, true, false, null]) {
    refuses(withPerms({ lead: r }), "AUTHZ_ROLE_CONFIG_TYPE", "at permissions.lead");
  }
});

Deno.test("parseAuthorizationPolicy() refuses bad expressions with AUTHZ_EXPRESSION_TYPE", () => {
  refuses(withPerms({ lead: { view: 1 } }), "AUTHZ_EXPRESSION_TYPE", "at permissions.lead.view");
  refuses(withPerms({ lead: { view: { any: 1 } } }), "AUTHZ_EXPRESSION_TYPE");
  refuses(withPerms({ lead: { view: null } }), "AUTHZ_EXPRESSION_TYPE");
  refuses(
    withPerms({ lead: { view: ["any", 2] } }),
    "AUTHZ_EXPRESSION_TYPE",
    "at permissions.lead.view[1]",
  );
  refuses(withPerms({ lead: [["any"]] }), "AUTHZ_EXPRESSION_TYPE", "at permissions.lead[0]");
});

Deno.test("parseAuthorizationPolicy() refuses an empty list with AUTHZ_EMPTY_LIST", () => {
  refuses(withPerms({ lead: { view: [] } }), "AUTHZ_EMPTY_LIST", "at permissions.lead.view");
  refuses(withPerms({ lead: [] }), "AUTHZ_EMPTY_LIST", "at permissions.lead");
});

Deno.test("parseAuthorizationPolicy() refuses an unknown condition type with AUTHZ_CONDITION_TYPE", () => {
  refuses(
    withPerms({ lead: { submit_job: "x:abc" } }),
    "AUTHZ_CONDITION_TYPE",
    'bad condition "x:abc" at permissions.lead.submit_job: unknown type "x"',
  );
  refuses(withPerms({ lead: { view: "not x:abc" } }), "AUTHZ_CONDITION_TYPE");
  refuses(withPerms({ lead: { view: ["any", "site:a"] } }), "AUTHZ_CONDITION_TYPE", "view[1]");
  refuses(withPerms({ lead: "any:x" }), "AUTHZ_CONDITION_TYPE");
});

Deno.test("parseAuthorizationPolicy() refuses malformed conditions with AUTHZ_CONDITION", () => {
  for (const c of ["o:a:b", "abc", "not", "not not any", "o:", "o:  ", "", "   ", ":x", "notany"]) {
    refuses(withPerms({ lead: { view: c } }), "AUTHZ_CONDITION", `${JSON.stringify(c)}`);
  }
});

Deno.test("parseAuthorizationPolicy() refuses keys equal after normalization with AUTHZ_DUPLICATE_KEY", () => {
  refuses(withPerms({ Lead: "any", lead: "none" }), "AUTHZ_DUPLICATE_KEY", '"Lead" and "lead"');
  refuses(withPerms({ " member": "any", "MEMBER ": "any" }), "AUTHZ_DUPLICATE_KEY");
  refuses(
    withPerms({ lead: { view: "any", " VIEW": "none" } }),
    "AUTHZ_DUPLICATE_KEY",
    "at permissions.lead",
  );
});

Deno.test("parseAuthorizationPolicy() accepts the spellings of authorization.md §3", () => {
  const p = parseAuthorizationPolicy(withPerms({
    lead: { view: ["org:nvidia", "name:bob", "  O:  NVIDIA  ", "o: nvidia", "not o: nvidia"] },
  }));
  const entry = p.roles.get("lead")!.entries.get("view")!;
  assert.deepEqual(
    entry.conditions.map((c) => [c.negated, c.kind, c.value, c.text]),
    [
      [false, "org", "nvidia", "org:nvidia"],
      [false, "name", "bob", "name:bob"],
      [false, "org", "nvidia", "o: nvidia"],
      [false, "org", "nvidia", "o: nvidia"],
      [true, "org", "nvidia", "not o: nvidia"],
    ],
  );
  assert.equal(entry.positive.length, 4);
  assert.equal(entry.negated.length, 1);
});

Deno.test("parseAuthorizationPolicy() normalizes role, key and condition case and whitespace", () => {
  const p = parseAuthorizationPolicy(withPerms({
    "  Project   Admin ": "ANY",
    LEAD: { " Submit_Job ": "N :  Ben  Smith", "MANAGE_JOB": "O:Submitter" },
  }));
  assert.deepEqual([...p.roles.keys()], ["project admin", "lead"]);
  const lead = p.roles.get("lead")!;
  assert.deepEqual([...lead.entries.keys()], ["submit_job", "manage_job"]);
  const c = lead.entries.get("submit_job")!.conditions[0]!;
  assert.deepEqual([c.kind, c.value, c.text], ["name", "ben smith", "n : ben smith"]);
  assert.equal(lead.entries.get("manage_job")!.conditions[0]!.kind, "org_submitter");
  assert.equal(p.roles.get("project admin")!.roleWide!.conditions[0]!.kind, "any");
  assert.equal(p.roles.get("project admin")!.rule, 'permissions["  Project   Admin "]');
});

Deno.test("parseAuthorizationPolicy() maps every term to its kind", () => {
  const p = parseAuthorizationPolicy(withPerms({
    r: {
      view: [
        "any",
        "all",
        "none",
        "no",
        "o:site",
        "org:submitter",
        "n:submitter",
        "name:x",
        "o:x",
        "n:site",
      ],
    },
  }));
  assert.deepEqual(
    p.roles.get("r")!.entries.get("view")!.conditions.map((c) => c.kind),
    [
      "any",
      "any",
      "none",
      "none",
      "org_site",
      "org_submitter",
      "name_submitter",
      "name",
      "org",
      "name",
    ],
  );
});

Deno.test("parseAuthorizationPolicy() warns about unknown keys and look-alikes, keeping them", () => {
  const p = parseAuthorizationPolicy({
    format_version: "1.0",
    permissions: {
      lead: { sumbit_job: "any", view: "n:site" },
      admin: { "*": "any", view: "none" },
    },
    extra: 1,
  });
  assert.ok(p.roles.get("lead")!.byRight.has("sumbit_job"));
  const text = p.warnings.join("\n");
  assert.match(text, /"sumbit_job" at permissions\.lead\.sumbit_job is neither a known right/);
  assert.match(text, /"n:site" at permissions\.lead\.view compares the user name/);
  assert.match(text, /other entries of permissions\.admin are ignored/);
  assert.match(text, /unknown top-level key "extra"/);
  assert.equal(p.warnings.length, 4);
  const clean = parseAuthorizationPolicy(withPerms({ lead: { view: "any", manage_job: "none" } }));
  assert.deepEqual(clean.warnings, []);
});

Deno.test("parseAuthorizationPolicy() resolves explicit rights over their category", () => {
  const p = parseAuthorizationPolicy(withPerms({
    lead: {
      manage_job: "any",
      delete_job: "none",
      download_job: "o:site",
      download_job_file: "no",
    },
  }));
  const byRight = p.roles.get("lead")!.byRight;
  assert.equal(byRight.get("abort_job")!.rule, "permissions.lead.manage_job");
  assert.equal(byRight.get("delete_job")!.rule, "permissions.lead.delete_job");
  assert.equal(byRight.get("download_job")!.rule, "permissions.lead.download_job");
  assert.equal(byRight.get("download_job_components")!.rule, "permissions.lead.download_job");
  assert.equal(byRight.get("download_job_file")!.rule, "permissions.lead.download_job_file");
  assert.equal(byRight.has("manage_job"), false, "a category is not itself a right");
  assert.equal(byRight.has("view"), false);
});

Deno.test("parseAuthorizationPolicy() without a file names no file", () => {
  assert.throws(
    () => parseAuthorizationPolicy({}),
    (e: unknown) => e instanceof PolicyError && e.message.startsWith("Cannot load policy: "),
  );
});

Deno.test("parseAuthorizationPolicy() keeps a __proto__ role as data", () => {
  const p = parseAuthorizationPolicy(
    JSON.parse(`{"format_version": "1.0", "permissions": {"__proto__": {"view": "any"}}}`),
  );
  assert.deepEqual([...p.roles.keys()], ["__proto__"]);
  assert.equal(({} as Record<string, unknown>).view, undefined);
});
