/** What a condition term compares (`authorization.md` §4). */
export type ConditionKind =
  | "any"
  | "none"
  | "org"
  | "org_site"
  | "org_submitter"
  | "name"
  | "name_submitter";

/** One parsed condition of an entry. */
export interface PolicyCondition {
  /** The condition after normalization, e.g. `not o: hosp-c`. */
  readonly text: string;
  readonly negated: boolean;
  readonly kind: ConditionKind;
  /** The org or name compared with, for `org` and `name`; empty otherwise. */
  readonly value: string;
  /** The decision when this condition matches: DENY when negated, else ALLOW. */
  readonly decision: AuthorizationDecision;
}

/** One entry: a role-wide expression or the expression of one right or category key. */
export interface PolicyEntry {
  /** JSON path of the entry as written, e.g. `permissions.lead.submit_job`. */
  readonly rule: string;
  /** Normalized key: the right or category name, `*`, or empty for a role-wide expression. */
  readonly key: string;
  /** The entry's conditions in file order. */
  readonly conditions: readonly PolicyCondition[];
  readonly negated: readonly PolicyCondition[];
  readonly positive: readonly PolicyCondition[];
  /** The decision when no condition matches: DENY if there is a positive condition, else ALLOW. */
  readonly otherwise: AuthorizationDecision;
}

/** The entries of one role. */
export interface PolicyRole {
  /** Normalized role name. */
  readonly name: string;
  /** JSON path of the role, e.g. `permissions.lead`. */
  readonly rule: string;
  /** The role-wide entry (an expression for the role, or its `*` key); it alone decides. */
  readonly roleWide: PolicyEntry | undefined;
  /** Entries by normalized key, as written: rights, categories and unknown keys. */
  readonly entries: ReadonlyMap<string, PolicyEntry>;
  /** The entry that decides each right: its explicit entry, else its category's. */
  readonly byRight: ReadonlyMap<string, PolicyEntry>;
}

/** A parsed, normalized and precompiled authorization policy (format 1.0). */
export interface AuthorizationPolicy {
  readonly formatVersion: "1.0";
  /** Roles by normalized name. */
  readonly roles: ReadonlyMap<string, PolicyRole>;
  /** Things that load but look wrong, e.g. a key that is neither a right nor a category. */
  readonly warnings: readonly string[];
}

/** The outcome of `authorize()`. */
export interface AuthorizationDecision {
  readonly allowed: boolean;
  /** Why, e.g. `"o:site" matched` or `role "x" has no entry in the policy`. */
  readonly reason: string;
  /** JSON path of the entry that decided; `null` when none applied (DENY). */
  readonly rule: string | null;
}
