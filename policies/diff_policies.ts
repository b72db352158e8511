import type { AuthorizationDecision, AuthorizationPolicy } from "./authorization_policy.ts";
import { type AuthorizationRequest, authorize } from "./authorize.ts";
import { isCategory, isRight, RIGHTS } from "./rights.ts";

/**
 * How a user stands towards the site and the job, up to what conditions can tell apart:
 * the user's org and name (a value some condition names, or `null` for any other), whether the
 * site is of the user's org, and how the submitter relates to the user.
 */
export interface Relation {
  userOrg: string | null;
  userName: string | null;
  siteOrg: "same" | "other";
  submitter: "none" | "same_user" | "same_org" | "same_name" | "other";
}

/** One relation whose decision differs between the two policies. */
export interface DecisionChange {
  relation: Relation;
  before: AuthorizationDecision;
  after: AuthorizationDecision;
}

/** The result of `diffPolicies()`. */
export interface PolicyDiff {
  /** The user orgs compared: every org a condition names, and `null` for any other. */
  userOrgs: (string | null)[];
  /** The user names compared: every name a condition names, and `null` for any other. */
  userNames: (string | null)[];
  /** The (role, right) pairs with at least one change, sorted by role then right. */
  entries: PolicyDiffEntry[];
}

/** The changed decisions of one role and right. */
export interface PolicyDiffEntry {
  role: string;
  right: string;
  /** How many relations were compared for this role and right. */
  compared: number;
  changes: DecisionChange[];
}

// Conditions' values never contain ":", so these stand for "some other org/name" unambiguously.
const OTHER_ORG = ":other-org";
const ANOTHER_ORG = ":another-org";
const OTHER_NAME = ":other-name";
const ANOTHER_NAME = ":another-name";

function literals(policies: AuthorizationPolicy[], kind: "org" | "name"): string[] {
  const found = new Set<string>();
  for (const p of policies) {
    for (const role of p.roles.values()) {
      for (const entry of [role.roleWide, ...role.entries.values()]) {
        for (const c of entry?.conditions ?? []) if (c.kind === kind) found.add(c.value);
      }
    }
  }
  return [...found].sort();
}

/**
 * The decisions that change between two policy versions: every role of either policy, every
 * right (those of `authorization.md` §5 and any other key either policy names), and every relation
 * of the user to the site and submitter that the conditions distinguish.
 */
export function diffPolicies(
  before: AuthorizationPolicy,
  after: AuthorizationPolicy,
): PolicyDiff {
  const both = [before, after];
  const roles = [...new Set(both.flatMap((p) => [...p.roles.keys()]))].filter((r) => r !== "");
  roles.sort();
  const rights = new Set<string>(RIGHTS);
  for (const p of both) {
    for (const role of p.roles.values()) {
      for (const key of role.entries.keys()) if (isRight(key) || !isCategory(key)) rights.add(key);
    }
  }
  const orgs = [...literals(both, "org"), OTHER_ORG];
  const names = [...literals(both, "name"), OTHER_NAME];
  const submitters: Relation["submitter"][] = [
    "none",
    "same_user",
    "same_org",
    "same_name",
    "other",
  ];
  const sortedRights = [...rights].sort();
  const out: PolicyDiffEntry[] = [];
  for (const role of roles) {
    for (const right of sortedRights) {
      const entry: PolicyDiffEntry = { role, right, compared: 0, changes: [] };
      for (const org of orgs) {
        for (const name of names) {
          for (const site of ["same", "other"] as const) {
            for (const sub of submitters) {
              const request: AuthorizationRequest = {
                right,
                user: { name, org, role },
                submitter: sub === "none" ? null : {
                  name: sub === "same_user" || sub === "same_name" ? name : ANOTHER_NAME,
                  org: sub === "same_user" || sub === "same_org" ? org : ANOTHER_ORG,
                  role: "",
                },
                siteOrg: site === "same" ? org : ANOTHER_ORG,
              };
              entry.compared++;
              const b = authorize(before, request);
              const a = authorize(after, request);
              if (a.allowed === b.allowed) continue;
              entry.changes.push({
                relation: {
                  userOrg: org === OTHER_ORG ? null : org,
                  userName: name === OTHER_NAME ? null : name,
                  siteOrg: site,
                  submitter: sub,
                },
                before: b,
                after: a,
              });
            }
          }
        }
      }
      if (entry.changes.length > 0) out.push(entry);
    }
  }
  return {
    userOrgs: orgs.map((o) => o === OTHER_ORG ? null : o),
    userNames: names.map((n) => n === OTHER_NAME ? null : n),
    entries: out,
  };
}
