import type { AuthorizationDecision } from "./authorization_policy.ts";
import type { PolicyDiff, PolicyDiffEntry, Relation } from "./diff_policies.ts";

type Dim = keyof Relation;
const DIMS: Dim[] = ["userOrg", "userName", "siteOrg", "submitter"];

/** A set of relations: per dimension, the values it covers, or `null` for every value. */
export interface ChangeGroup {
  when: Record<Dim, (string | null)[] | null>;
  before: AuthorizationDecision;
  after: AuthorizationDecision;
  count: number;
}

/**
 * Merges the changed relations of one diff entry into few groups: relations that change the same
 * way (same decisions, rules and reasons) and differ in one dimension are merged, and a dimension
 * whose every value is covered becomes "any". The groups partition `entry.changes`.
 */
export function summarizeChanges(diff: PolicyDiff, entry: PolicyDiffEntry): ChangeGroup[] {
  const all: Record<Dim, (string | null)[]> = {
    userOrg: diff.userOrgs,
    userName: diff.userNames,
    siteOrg: ["same", "other"],
    submitter: ["none", "same_user", "same_org", "same_name", "other"],
  };
  const outcome = (c: { before: AuthorizationDecision; after: AuthorizationDecision }) =>
    JSON.stringify([
      c.before.allowed,
      c.before.rule,
      c.before.reason,
      c.after.allowed,
      c.after.rule,
      c.after.reason,
    ]);
  let groups: ChangeGroup[] = entry.changes.map((c) => ({
    when: {
      userOrg: [c.relation.userOrg],
      userName: [c.relation.userName],
      siteOrg: [c.relation.siteOrg],
      submitter: [c.relation.submitter],
    },
    before: c.before,
    after: c.after,
    count: 1,
  }));
  for (const d of DIMS) {
    const merged = new Map<string, ChangeGroup>();
    for (const g of groups) {
      const key = JSON.stringify([
        outcome(g),
        ...DIMS.filter((o) => o !== d).map((o) => g.when[o]),
      ]);
      const m = merged.get(key);
      if (m === undefined) merged.set(key, { ...g, when: { ...g.when } });
      else {
        m.when[d] = [...m.when[d]!, ...g.when[d]!];
        m.count += g.count;
      }
    }
    groups = [...merged.values()];
    for (const g of groups) {
      const values = g.when[d]!;
      if (all[d].every((v) => values.includes(v))) g.when[d] = null;
    }
  }
  return groups;
}

const SUBMITTER: Record<string, string> = {
  none: "no submitter",
  same_user: "the submitter is the user",
  same_org: "the submitter is another user of the user's org",
  same_name: "the submitter has the user's name and another org",
  other: "the submitter has another org and name",
};

/** `when …` or `in every case`, in words. */
export function describeGroup(g: ChangeGroup): string {
  const parts: string[] = [];
  const quoteOr = (vs: (string | null)[], other: string) =>
    vs.map((v) => v === null ? other : `"${v}"`).join(" or ");
  if (g.when.userOrg) parts.push(`the user's org is ${quoteOr(g.when.userOrg, "another")}`);
  if (g.when.userName) parts.push(`the user's name is ${quoteOr(g.when.userName, "another")}`);
  if (g.when.siteOrg) {
    parts.push(
      g.when.siteOrg[0] === "same" ? "the site is of the user's org" : "the site is of another org",
    );
  }
  if (g.when.submitter) parts.push(g.when.submitter.map((s) => SUBMITTER[s!]).join(" or "));
  return parts.length === 0 ? "in every case" : `when ${parts.join("; ")}`;
}
