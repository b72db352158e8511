/**
 * Federated authorization (`authorization.md`): the NVFlare-compatible policy format 1.0 (JSON or
 * YAML), its evaluation with Stockade's stricter rules, loading with live reload, the rights and
 * categories, and the console command → right table that server and clients check against.
 *
 * ```ts
 * import { authorize, parseAuthorizationPolicy } from "./mod.ts";
 * const policy = parseAuthorizationPolicy({
 *   format_version: "1.0",
 *   permissions: { lead: { operate: "o:site", submit_job: "any" }, member: { view: "any" } },
 * });
 * const d = authorize(policy, {
 *   right: "restart",
 *   user: { name: "ann@hosp-a.example", org: "hosp-a", role: "lead" },
 *   submitter: null,
 *   siteOrg: "hosp-b",
 * });
 * console.log(d.allowed, d.rule, d.reason); // false permissions.lead.operate "o:site" did not match
 * ```
 *
 * @module
 */
export { AuthorizationError, type AuthorizationErrorCode } from "./authorization_error.ts";
export type {
  AuthorizationDecision,
  AuthorizationPolicy,
  ConditionKind,
  PolicyCondition,
  PolicyEntry,
  PolicyRole,
} from "./authorization_policy.ts";
export { type AuthorizationRequest, authorize, type Identity } from "./authorize.ts";
export { CommandRefusal } from "./command_refusal.ts";
export { type CheckedAt, COMMANDS, type ConsoleCommand } from "./commands.ts";
export {
  type DecisionChange,
  diffPolicies,
  type PolicyDiff,
  type PolicyDiffEntry,
  type Relation,
} from "./diff_policies.ts";
export { loadAuthorizationPolicy } from "./load_authorization_policy.ts";
export { lookupCommand } from "./lookup_command.ts";
export {
  parseAuthorizationPolicy,
  type ParseAuthorizationPolicyOptions,
} from "./parse_authorization_policy.ts";
export { PolicyError, type PolicyErrorCode } from "./policy_error.ts";
export { type PolicyReloadResult, PolicyStore, type PolicyStoreOptions } from "./policy_store.ts";
export {
  type LoadedAuthorizationPolicy,
  readAuthorizationPolicy,
} from "./read_authorization_policy.ts";
export {
  CATEGORIES,
  type Category,
  categoryOf,
  isCategory,
  isRight,
  JOB_SCOPED_RIGHTS,
  type Right,
  RIGHTS,
} from "./rights.ts";
