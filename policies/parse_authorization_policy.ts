import type {
  AuthorizationDecision,
  AuthorizationPolicy,
  PolicyCondition,
  PolicyEntry,
  PolicyRole,
} from "./authorization_policy.ts";
import { ConditionProblem, parseCondition } from "./_condition.ts";
import { normalize, pathSegment } from "./_normalize.ts";
import { PolicyError, type PolicyErrorCode } from "./policy_error.ts";
import { CATEGORIES, isCategory, isRight } from "./rights.ts";

/** Options of `parseAuthorizationPolicy()`. */
export interface ParseAuthorizationPolicyOptions {
  /** File name used in messages, e.g. `local/authorization.json`. */
  file?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const decision = (allowed: boolean, reason: string, rule: string): AuthorizationDecision =>
  Object.freeze({ allowed, reason, rule });

/**
 * Validates an authorization policy of format 1.0 (`authorization.md` §2–3), already parsed from
 * JSON or YAML, normalizes it and precompiles the entry that decides each right of each role.
 * Throws `PolicyError` whose `code` is one of §3 and whose message names the file and JSON path.
 *
 * ```ts
 * const policy = parseAuthorizationPolicy({ format_version: "1.0", permissions: { member: { view: "any" } } });
 * ```
 */
export function parseAuthorizationPolicy(
  value: unknown,
  options: ParseAuthorizationPolicyOptions = {},
): AuthorizationPolicy {
  const prefix = options.file === undefined
    ? "Cannot load policy"
    : `Cannot load policy "${options.file}"`;
  const fail = (code: PolicyErrorCode, detail: string): never => {
    throw new PolicyError(code, `${prefix}: ${detail}`);
  };
  const warnings: string[] = [];

  if (!isObject(value)) {
    return fail("AUTHZ_NOT_OBJECT", `the policy must be an object, not ${describe(value)}`);
  }
  if (Object.keys(value).length === 0) {
    return fail("AUTHZ_EMPTY", `the policy is empty: it needs "format_version" and "permissions"`);
  }
  if (value.format_version !== "1.0") {
    fail(
      "AUTHZ_FORMAT_VERSION",
      value.format_version === undefined
        ? `"format_version" is missing at format_version: set it to the string "1.0"`
        : `bad format_version ${describe(value.format_version)} at format_version: ` +
          `it must be the string "1.0" (quoted in YAML)`,
    );
  }
  for (const key of Object.keys(value)) {
    if (key !== "format_version" && key !== "permissions") {
      warnings.push(`unknown top-level key "${key}" is ignored`);
    }
  }
  const permissions = value.permissions;
  if (permissions === undefined) {
    return fail("AUTHZ_NO_PERMISSIONS", `"permissions" is missing at permissions`);
  }
  if (!isObject(permissions)) {
    return fail(
      "AUTHZ_PERMISSIONS_TYPE",
      `bad permissions ${describe(permissions)} at permissions: it must map role names to entries`,
    );
  }
  if (Object.keys(permissions).length === 0) {
    return fail("AUTHZ_NO_PERMISSIONS", `"permissions" at permissions has no role`);
  }

  const parseEntry = (expr: unknown, rule: string, key: string): PolicyEntry => {
    let raws: [string, string][];
    if (typeof expr === "string") raws = [[expr, rule]];
    else if (Array.isArray(expr)) {
      if (expr.length === 0) {
        return fail("AUTHZ_EMPTY_LIST", `empty condition list at ${rule}: use "none" to deny`);
      }
      raws = expr.map((c, i) => {
        if (typeof c !== "string") {
          return fail(
            "AUTHZ_EXPRESSION_TYPE",
            `bad condition ${describe(c)} at ${rule}[${i}]: a condition must be a string`,
          );
        }
        return [c, `${rule}[${i}]`];
      });
    } else {
      return fail(
        "AUTHZ_EXPRESSION_TYPE",
        `bad expression ${describe(expr)} at ${rule}: use a condition string or a list of them`,
      );
    }
    const conditions = raws.map(([raw, at]): PolicyCondition => {
      let parsed;
      try {
        parsed = parseCondition(raw);
      } catch (err) {
        if (!(err instanceof ConditionProblem)) throw err;
        return fail(err.code, `bad condition ${JSON.stringify(raw)} at ${at}: ${err.detail}`);
      }
      if (parsed.kind === "name" && parsed.value === "site") {
        warnings.push(
          `condition "${parsed.text}" at ${at} compares the user name with "site"; ` +
            `did you mean "o:site"?`,
        );
      }
      return Object.freeze({
        ...parsed,
        decision: decision(!parsed.negated, `"${parsed.text}" matched`, rule),
      });
    });
    const negated = conditions.filter((c) => c.negated);
    const positive = conditions.filter((c) => !c.negated);
    const quoted = (cs: PolicyCondition[]) => cs.map((c) => `"${c.text}"`).join(", ");
    const otherwise = positive.length > 0
      ? decision(
        false,
        positive.length === 1
          ? `"${positive[0]!.text}" did not match`
          : `none of ${quoted(positive)} matched`,
        rule,
      )
      : decision(
        true,
        `${negated.length === 1 ? `"${negated[0]!.text}" did` : `none of ${quoted(negated)}`} ` +
          `not match and the entry has only "not" conditions`,
        rule,
      );
    return Object.freeze({ rule, key, conditions, negated, positive, otherwise });
  };

  const roles = new Map<string, PolicyRole>();
  const roleKeys = new Map<string, string>();
  for (const [roleKey, config] of Object.entries(permissions)) {
    const name = normalize(roleKey);
    const roleRule = `permissions${pathSegment(roleKey)}`;
    const earlier = roleKeys.get(name);
    if (earlier !== undefined) {
      fail(
        "AUTHZ_DUPLICATE_KEY",
        `roles "${earlier}" and "${roleKey}" at permissions are the same after normalization`,
      );
    }
    roleKeys.set(name, roleKey);
    if (name === "") warnings.push(`empty role name at ${roleRule} never applies`);
    let roleWide: PolicyEntry | undefined;
    const entries = new Map<string, PolicyEntry>();
    if (typeof config === "string" || Array.isArray(config)) {
      roleWide = parseEntry(config, roleRule, "");
    } else if (isObject(config)) {
      const keys = new Map<string, string>();
      for (const [key, expr] of Object.entries(config)) {
        const k = normalize(key);
        const rule = `${roleRule}${pathSegment(key)}`;
        const seen = keys.get(k);
        if (seen !== undefined) {
          fail(
            "AUTHZ_DUPLICATE_KEY",
            `keys "${seen}" and "${key}" at ${roleRule} are the same after normalization`,
          );
        }
        keys.set(k, key);
        const entry = parseEntry(expr, rule, k);
        if (k === "*") roleWide = entry;
        else {
          entries.set(k, entry);
          if (!isRight(k) && !isCategory(k)) {
            warnings.push(`"${k}" at ${rule} is neither a known right nor a category`);
          }
        }
      }
      if (roleWide !== undefined && entries.size > 0) {
        warnings.push(
          `the other entries of ${roleRule} are ignored: its "*" entry decides every right`,
        );
      }
      if (keys.size === 0) {
        warnings.push(`role at ${roleRule} has no entry: it is denied everything`);
      }
    } else {
      fail(
        "AUTHZ_ROLE_CONFIG_TYPE",
        `bad role entry ${describe(config)} at ${roleRule}: ` +
          `use a condition, a list of conditions, or an object of rights`,
      );
    }
    const byRight = new Map<string, PolicyEntry>();
    for (const [k, entry] of entries) {
      if (isRight(k) || !isCategory(k)) byRight.set(k, entry);
    }
    for (const [k, entry] of entries) {
      if (!isCategory(k)) continue;
      for (const right of CATEGORIES[k]) {
        if (!entries.has(right)) byRight.set(right, entry);
      }
    }
    roles.set(
      name,
      Object.freeze({ name, rule: roleRule, roleWide, entries, byRight }),
    );
  }
  return Object.freeze({ formatVersion: "1.0", roles, warnings: Object.freeze(warnings) });
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}
