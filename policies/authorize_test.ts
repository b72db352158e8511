import assert from "node:assert/strict";
import type { AuthorizationPolicy } from "./authorization_policy.ts";
import { type AuthorizationRequest, authorize, type Identity } from "./authorize.ts";
import { parseAuthorizationPolicy } from "./parse_authorization_policy.ts";
import { readAuthorizationPolicy } from "./read_authorization_policy.ts";
import { CATEGORIES, type Category, categoryOf, RIGHTS } from "./rights.ts";

const policy = (permissions: unknown) =>
  parseAuthorizationPolicy({ format_version: "1.0", permissions });

const ann: Identity = { name: "ann@a.example", org: "org-a", role: "lead" };
const req = (over: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  right: "submit_job",
  user: ann,
  submitter: null,
  siteOrg: "org-a",
  ...over,
});
const allowed = (p: AuthorizationPolicy, over: Partial<AuthorizationRequest> = {}) =>
  authorize(p, req(over)).allowed;

Deno.test("authorize() lets a role-wide expression alone decide every right", () => {
  const p = policy({ lead: "o:org-a" });
  for (const right of [...RIGHTS, "custom_right"]) {
    const d = authorize(p, req({ right }));
    assert.deepEqual(d, { allowed: true, reason: '"o:org-a" matched', rule: "permissions.lead" });
  }
  assert.equal(allowed(p, { user: { ...ann, org: "org-b" } }), false);
});

Deno.test("authorize() lets a role's * entry decide over its other entries", () => {
  const p = policy({ lead: { "*": "none", submit_job: "any" } });
  const d = authorize(p, req());
  assert.equal(d.allowed, false);
  assert.equal(d.rule, "permissions.lead.*");
  assert.equal(
    allowed(policy({ lead: { view: "none", "*": ["any"] } }), { right: "check_status" }),
    true,
  );
});

Deno.test("authorize() denies without an entry for the role or the right", () => {
  const p = policy({ member: { view: "any" } });
  assert.deepEqual(authorize(p, req()), {
    allowed: false,
    reason: 'role "lead" has no entry in the policy',
    rule: null,
  });
  const d = authorize(p, req({ user: { ...ann, role: "member" } }));
  assert.equal(d.allowed, false);
  assert.equal(d.rule, null);
  assert.match(d.reason, /no entry for "submit_job"/);
  assert.equal(allowed(p, { user: { ...ann, role: "" }, right: "check_status" }), false);
});

Deno.test("authorize() lets each category grant exactly its member rights", () => {
  for (const category of Object.keys(CATEGORIES) as Category[]) {
    const p = policy({ lead: { [category]: "any" } });
    for (const right of RIGHTS) {
      const d = authorize(p, req({ right }));
      const member = categoryOf(right) === category;
      assert.equal(d.allowed, member, `${category} → ${right}`);
      assert.equal(d.rule, member ? `permissions.lead.${category}` : null);
    }
  }
});

Deno.test("authorize() needs explicit entries for rights without a category", () => {
  const uncategorized = RIGHTS.filter((r) => categoryOf(r) === undefined);
  assert.deepEqual(uncategorized, [
    "submit_job",
    "clone_job",
    "byoc",
    "list_job",
    "app_command",
    "admin_check_status",
    "dead",
    "list_sessions",
  ]);
  const allCategories = policy({
    lead: Object.fromEntries(Object.keys(CATEGORIES).map((c) => [c, "any"])),
  });
  for (const right of uncategorized) {
    assert.equal(allowed(allCategories, { right }), false, right);
    assert.equal(allowed(policy({ lead: { [right]: "any" } }), { right }), true, right);
  }
});

Deno.test("authorize() prefers an explicit right over its category, both ways", () => {
  const p = policy({
    lead: { operate: "any", shutdown: "none", view: "none", list_jobs: "any" },
  });
  assert.equal(allowed(p, { right: "restart" }), true);
  assert.deepEqual(authorize(p, req({ right: "shutdown" })), {
    allowed: false,
    reason: '"none" did not match',
    rule: "permissions.lead.shutdown",
  });
  assert.equal(allowed(p, { right: "show_stats" }), false);
  assert.equal(authorize(p, req({ right: "list_jobs" })).rule, "permissions.lead.list_jobs");
  assert.equal(allowed(p, { right: "list_jobs" }), true);
});

// Each condition with a request it matches and one it does not; `not` must invert both.
const bob: Identity = { name: "bob@a.example", org: "org-a", role: "lead" };
const carl: Identity = { name: "carl@b.example", org: "org-b", role: "lead" };
const CONDITIONS: [string, Partial<AuthorizationRequest>, Partial<AuthorizationRequest> | null][] =
  [
    ["any", {}, null],
    ["all", {}, null],
    ["none", {}, null],
    ["no", {}, null],
    ["o:site", { siteOrg: "org-a" }, { siteOrg: "org-b" }],
    ["org:site", { siteOrg: "org-a" }, { siteOrg: "org-b" }],
    ["o:submitter", { submitter: bob }, { submitter: carl }],
    ["org:submitter", { submitter: bob }, { submitter: carl }],
    ["n:submitter", { submitter: { ...carl, name: ann.name } }, { submitter: bob }],
    ["name:submitter", { submitter: ann }, { submitter: bob }],
    ["o:org-a", {}, { user: { ...ann, org: "org-b" } }],
    ["org:org-a", {}, { user: { ...ann, org: "org-b" } }],
    ["n:ann@a.example", {}, { user: { ...ann, name: "bob@a.example" } }],
    ["name:ann@a.example", {}, { user: { ...ann, name: "bob@a.example" } }],
  ];

Deno.test("authorize() evaluates every condition type with and without not", () => {
  for (const [cond, yes, no] of CONDITIONS) {
    const never = cond === "none" || cond === "no";
    const positive = policy({ lead: { submit_job: cond } });
    const negative = policy({ lead: { submit_job: `not ${cond}` } });
    const d = authorize(positive, req(yes));
    assert.equal(d.allowed, !never, cond);
    assert.equal(d.reason, never ? `"${cond}" did not match` : `"${cond}" matched`);
    const n = authorize(negative, req(yes));
    assert.equal(n.allowed, never, `not ${cond}`);
    assert.match(n.reason, never ? /only "not" conditions/ : new RegExp(`"not ${cond}" matched`));
    if (no !== null) {
      assert.equal(allowed(positive, no), false, `${cond} on a non-matching request`);
      assert.equal(allowed(negative, no), true, `not ${cond} on a non-matching request`);
    }
  }
});

Deno.test("authorize() lets a matching not condition deny over matching positives", () => {
  const p = policy({ lead: { submit_job: ["any", "o:org-a", "not n:ann@a.example"] } });
  assert.deepEqual(authorize(p, req()), {
    allowed: false,
    reason: '"not n:ann@a.example" matched',
    rule: "permissions.lead.submit_job",
  });
  assert.equal(allowed(p, { user: { ...ann, name: "bob@a.example" } }), true);
});

Deno.test("authorize() allows when any positive of a list matches, denies when none does", () => {
  const p = policy({ lead: { submit_job: ["o:org-x", "n:bob@a.example", "o:site"] } });
  assert.equal(authorize(p, req()).reason, '"o:site" matched');
  const d = authorize(p, req({ siteOrg: "org-b" }));
  assert.equal(d.allowed, false);
  assert.equal(d.reason, 'none of "o:org-x", "n:bob@a.example", "o:site" matched');
});

Deno.test("authorize() never matches submitter conditions without a submitter", () => {
  for (const submitter of [null, undefined]) {
    for (const cond of ["o:submitter", "n:submitter"]) {
      const p = policy({ lead: { manage_job: cond } });
      const r: AuthorizationRequest = { right: "abort_job", user: ann, siteOrg: "org-a" };
      if (submitter === null) r.submitter = null;
      assert.equal(authorize(p, r).allowed, false, `${cond} with submitter ${submitter}`);
    }
  }
  // NVFlare compared empty strings: a user with an empty org matched a missing submitter's org.
  const p = policy({ lead: { manage_job: ["o:submitter", "n:submitter"] } });
  const blank = { name: "", org: "", role: "lead" };
  assert.equal(allowed(p, { right: "abort_job", user: blank }), false);
});

Deno.test("authorize() never matches empty names or orgs", () => {
  const blankOrg = { ...ann, org: "" };
  const blankName = { ...ann, name: "" };
  assert.equal(allowed(policy({ lead: "o:site" }), { user: blankOrg, siteOrg: "" }), false);
  assert.equal(
    allowed(policy({ lead: "o:submitter" }), { user: blankOrg, submitter: { ...bob, org: "" } }),
    false,
  );
  assert.equal(
    allowed(policy({ lead: "n:submitter" }), { user: blankName, submitter: { ...bob, name: "" } }),
    false,
  );
  assert.equal(
    allowed(policy({ lead: "o:site" }), { user: { ...ann, org: "  " }, siteOrg: " " }),
    false,
  );
  // A blank value can still make `any` allow and `not` conditions not apply.
  assert.equal(
    allowed(policy({ lead: "any" }), { user: { name: "", org: "", role: "lead" } }),
    true,
  );
  assert.equal(allowed(policy({ lead: "not o:org-a" }), { user: blankOrg }), true);
});

Deno.test("authorize() normalizes user, submitter and site values but not the right", () => {
  const p = policy({
    lead: { submit_job: ["o:org-a"], manage_job: "n:submitter", operate: "o:site" },
  });
  const loud = { name: "  ANN@A.Example ", org: " ORG-A ", role: "  LEAD " };
  assert.equal(allowed(p, { user: loud }), true);
  assert.equal(allowed(p, { right: "abort_job", user: loud, submitter: ann }), true);
  assert.equal(allowed(p, { right: "restart", user: loud, siteOrg: "Org-A" }), true);
  assert.equal(allowed(policy({ lead: "o:my org" }), { user: { ...ann, org: "My \t Org" } }), true);
  const admin = policy({ project_admin: "any" });
  const pa = { ...ann, role: "project_admin" };
  assert.equal(allowed(admin, { right: "shutdown", user: pa }), true);
  for (const right of ["SHUTDOWN", "Shutdown", " shutdown", "shutdown ", ""]) {
    const d = authorize(admin, req({ right, user: pa }));
    assert.equal(d.allowed, false, JSON.stringify(right));
    assert.equal(d.rule, null);
  }
});

Deno.test("authorize() gives role super no bypass", () => {
  const p = policy({ lead: "any" });
  assert.equal(allowed(p, { user: { ...ann, role: "super" } }), false);
  const withSuper = policy({ super: { view: "any" } });
  assert.equal(allowed(withSuper, { user: { ...ann, role: "super" } }), false);
  assert.equal(allowed(withSuper, { user: { ...ann, role: "super" }, right: "list_jobs" }), true);
});

Deno.test("authorize() uses the submitter's identity, not its role", () => {
  const p = policy({ lead: { manage_job: "o:submitter" } });
  const submitter = { name: "x", org: "org-a", role: "org-b" };
  assert.equal(allowed(p, { right: "delete_job", submitter }), true);
  assert.equal(
    allowed(p, { right: "delete_job", submitter: { ...submitter, org: "org-b" } }),
    false,
  );
});

// authorization.md §1, in words: what each built-in role may do under the shipped default policy.
function expected(
  role: string,
  right: string,
  user: Identity,
  submitter: Identity | null,
  siteOrg: string,
): boolean {
  const category = categoryOf(right);
  const ownSite = user.org === siteOrg;
  switch (role) {
    case "project_admin":
      return true;
    case "org_admin":
      if (category === "manage_job" || category === "download_job") {
        return submitter !== null && submitter.org === user.org;
      }
      if (category === "view") return true;
      if (category === "operate" || category === "shell_commands") return ownSite;
      return false; // submit_job, clone_job, byoc and the other uncategorized rights
    case "lead":
      if (right === "submit_job" || right === "byoc") return true;
      if (right === "clone_job" || category === "manage_job" || category === "download_job") {
        return submitter !== null && submitter.name === user.name;
      }
      if (category === "view") return true;
      if (category === "operate" || category === "shell_commands") return ownSite;
      return false;
    case "member":
      return category === "view";
  }
  return false;
}

Deno.test("authorize() gives the built-in roles the decisions of authorization.md §1 under the default policy", async () => {
  const { policy: dflt, sha256 } = await readAuthorizationPolicy(
    new URL("./defaults/authorization.json.default", import.meta.url).pathname,
  );
  assert.equal(dflt.warnings.length, 0);
  assert.match(sha256, /^[0-9a-f]{64}$/);
  let checked = 0;
  for (const role of ["project_admin", "org_admin", "lead", "member"]) {
    const user = { name: "ann@a.example", org: "org-a", role };
    const submitters: (Identity | null)[] = [
      null,
      { ...user, role: "lead" },
      { name: "bob@a.example", org: "org-a", role: "lead" },
      { name: "carl@b.example", org: "org-b", role: "lead" },
    ];
    for (const right of RIGHTS) {
      for (const submitter of submitters) {
        for (const siteOrg of ["org-a", "org-b"]) {
          const d = authorize(dflt, { right, user, submitter, siteOrg });
          assert.equal(
            d.allowed,
            expected(role, right, user, submitter, siteOrg),
            `${role} ${right} submitter=${submitter?.name} site=${siteOrg}: ${d.reason}`,
          );
          checked++;
        }
      }
    }
  }
  assert.equal(checked, 4 * RIGHTS.length * 4 * 2);
});
