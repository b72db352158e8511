import type {
  AuthorizationDecision,
  AuthorizationPolicy,
  PolicyCondition,
  PolicyEntry,
} from "./authorization_policy.ts";
import { normalize } from "./_normalize.ts";

/** A certificate identity: CN, O and role (unstructuredName). */
export interface Identity {
  name: string;
  org: string;
  role: string;
}

/** What `authorize()` decides on (`authorization.md` §4, §7). */
export interface AuthorizationRequest {
  /** Canonical lowercase right name; any other spelling is denied. */
  right: string;
  /** The admin's identity, from the certificate that completed the login challenge. */
  user: Identity;
  /** The job's submitter for job-scoped rights; `null` or absent otherwise. */
  submitter?: Identity | null;
  /** O of the site's own certificate. */
  siteOrg: string;
}

// Empty values never match (authorization.md §8: unlike NVFlare, a missing submitter's empty org
// does not equal a user's empty org).
const same = (a: string, b: string): boolean => {
  const n = normalize(a);
  return n !== "" && n === normalize(b);
};

function matches(c: PolicyCondition, req: AuthorizationRequest): boolean {
  switch (c.kind) {
    case "any":
      return true;
    case "none":
      return false;
    case "org":
      return req.user.org !== "" && normalize(req.user.org) === c.value;
    case "name":
      return req.user.name !== "" && normalize(req.user.name) === c.value;
    case "org_site":
      return same(req.user.org, req.siteOrg);
    case "org_submitter":
      return !!req.submitter && same(req.user.org, req.submitter.org);
    case "name_submitter":
      return !!req.submitter && same(req.user.name, req.submitter.name);
  }
}

function evaluate(entry: PolicyEntry, req: AuthorizationRequest): AuthorizationDecision {
  for (const c of entry.negated) if (matches(c, req)) return c.decision;
  for (const c of entry.positive) if (matches(c, req)) return c.decision;
  return entry.otherwise;
}

/**
 * Decides whether `request.user` holds `request.right` at this site under `policy`
 * (`authorization.md` §4): the role's role-wide entry alone decides if it has one, else the entry
 * of the right, else that of its category; no entry denies. A matching `not` condition denies;
 * otherwise a matching positive condition allows, and an entry of only `not` conditions allows.
 * `rule` of the result is the JSON path of the deciding entry. Never throws for any request.
 *
 * ```ts
 * const d = authorize(policy, {
 *   right: "operate",
 *   user: { name: "ann@hosp-a.example", org: "hosp-a", role: "lead" },
 *   siteOrg: "hosp-a",
 * });
 * if (!d.allowed) throw AuthorizationError.notAuthorized("ann@hosp-a.example", "operate");
 * ```
 */
export function authorize(
  policy: AuthorizationPolicy,
  request: AuthorizationRequest,
): AuthorizationDecision {
  const { right } = request;
  if (right === "" || normalize(right) !== right) {
    return { allowed: false, reason: `"${right}" is not a canonical right name`, rule: null };
  }
  const roleName = normalize(request.user.role);
  const role = roleName === "" ? undefined : policy.roles.get(roleName);
  if (role === undefined) {
    return {
      allowed: false,
      reason: `role "${roleName}" has no entry in the policy`,
      rule: null,
    };
  }
  const entry = role.roleWide ?? role.byRight.get(right);
  if (entry === undefined) {
    return {
      allowed: false,
      reason: `role "${roleName}" has no entry for "${right}" or its category`,
      rule: null,
    };
  }
  return evaluate(entry, request);
}
