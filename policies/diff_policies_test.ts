import assert from "node:assert/strict";
import { diffPolicies } from "./diff_policies.ts";
import { parseAuthorizationPolicy } from "./parse_authorization_policy.ts";
import { RIGHTS } from "./rights.ts";
import { describeGroup, summarizeChanges } from "./_summarize_changes.ts";

const policy = (permissions: unknown) =>
  parseAuthorizationPolicy({ format_version: "1.0", permissions });

Deno.test("diffPolicies() finds no change between equivalent policies", () => {
  const a = policy({ Lead: { view: "any", operate: ["o:site"] } });
  const b = policy({ lead: { check_status: "any", view: "all", operate: "O: Site" } });
  assert.deepEqual(diffPolicies(a, b).entries, []);
});

Deno.test("diffPolicies() reports a role-wide change for every right", () => {
  const d = diffPolicies(policy({ admin: "any" }), policy({ admin: "none" }));
  assert.deepEqual(d.entries.map((e) => e.right), [...RIGHTS].sort());
  for (const e of d.entries) {
    assert.equal(e.changes.length, e.compared);
    const groups = summarizeChanges(d, e);
    assert.equal(groups.length, 1);
    assert.equal(describeGroup(groups[0]!), "in every case");
    assert.equal(groups[0]!.before.rule, "permissions.admin");
  }
});

Deno.test("diffPolicies() tells which relations change", () => {
  const before = policy({ lead: { operate: "o:site", manage_job: "n:submitter" } });
  const after = policy({ lead: { operate: "any", manage_job: "o:submitter" } });
  const d = diffPolicies(before, after);
  const restart = d.entries.find((e) => e.right === "restart")!;
  assert.ok(restart.changes.every((c) => c.relation.siteOrg === "other"));
  assert.ok(restart.changes.every((c) => !c.before.allowed && c.after.allowed));
  assert.deepEqual(summarizeChanges(d, restart).map(describeGroup), [
    "when the site is of another org",
  ]);
  const abort = d.entries.find((e) => e.right === "abort_job")!;
  assert.deepEqual(summarizeChanges(d, abort).map((g) => [g.after.allowed, describeGroup(g)]), [
    [true, "when the submitter is another user of the user's org"],
    [false, "when the submitter has the user's name and another org"],
  ]);
});

Deno.test("diffPolicies() tells orgs and names that conditions name apart", () => {
  const before = policy({ lead: { submit_job: ["o:org-a", "n:ben"] } });
  const after = policy({ lead: { submit_job: "o:org-a" } });
  const d = diffPolicies(before, after);
  assert.deepEqual(d.userOrgs, ["org-a", null]);
  assert.deepEqual(d.userNames, ["ben", null]);
  assert.equal(d.entries.length, 1);
  const [group, ...rest] = summarizeChanges(d, d.entries[0]!);
  assert.equal(rest.length, 0);
  assert.equal(describeGroup(group!), `when the user's org is another; the user's name is "ben"`);
});

Deno.test("diffPolicies() covers rights only one policy names and roles only one has", () => {
  const d = diffPolicies(
    policy({ lead: { my_right: "any" } }),
    policy({ member: { view: "any" } }),
  );
  assert.deepEqual(
    d.entries.filter((e) => e.role === "lead").map((e) => e.right),
    ["my_right"],
  );
  assert.equal(d.entries.filter((e) => e.role === "member").length, 7);
});
