import type { ConditionKind } from "./authorization_policy.ts";
import { normalize } from "./_normalize.ts";

/** A condition before its decisions are attached. */
export interface ParsedCondition {
  text: string;
  negated: boolean;
  kind: ConditionKind;
  value: string;
}

/** Why a condition string is refused; the caller adds the file and path. */
export class ConditionProblem {
  constructor(
    readonly code: "AUTHZ_CONDITION" | "AUTHZ_CONDITION_TYPE",
    readonly detail: string,
  ) {}
}

const KEYWORDS: Record<string, ConditionKind> = {
  any: "any",
  all: "any",
  none: "none",
  no: "none",
};

/** Parses one condition string (`authorization.md` §2 grammar); throws `ConditionProblem`. */
export function parseCondition(raw: string): ParsedCondition {
  const text = normalize(raw);
  let term = text;
  let negated = false;
  if (term.startsWith("not ")) {
    negated = true;
    term = term.slice(4);
    if (term === "not" || term.startsWith("not ")) {
      throw new ConditionProblem("AUTHZ_CONDITION", `"not" may appear only once`);
    }
  }
  if (term === "") throw new ConditionProblem("AUTHZ_CONDITION", "it is empty");
  if (term === "not") throw new ConditionProblem("AUTHZ_CONDITION", `"not" needs a term after it`);
  const keyword = Object.hasOwn(KEYWORDS, term) ? KEYWORDS[term] : undefined;
  if (keyword !== undefined) return { text, negated, kind: keyword, value: "" };
  const parts = term.split(":");
  if (parts.length === 1) {
    throw new ConditionProblem(
      "AUTHZ_CONDITION",
      `expected "any", "all", "none", "no" or "<type>:<value>"`,
    );
  }
  if (parts.length > 2) {
    throw new ConditionProblem("AUTHZ_CONDITION", `a value may not contain ":"`);
  }
  const type = parts[0]!.trim();
  const value = parts[1]!.trim();
  if (type === "") throw new ConditionProblem("AUTHZ_CONDITION", `the type before ":" is missing`);
  const isOrg = type === "o" || type === "org";
  if (!isOrg && type !== "n" && type !== "name") {
    throw new ConditionProblem(
      "AUTHZ_CONDITION_TYPE",
      `unknown type "${type}" (use o, org, n or name)`,
    );
  }
  if (value === "") throw new ConditionProblem("AUTHZ_CONDITION", `the value after ":" is empty`);
  let kind: ConditionKind;
  if (isOrg) kind = value === "site" ? "org_site" : value === "submitter" ? "org_submitter" : "org";
  else kind = value === "submitter" ? "name_submitter" : "name";
  return { text, negated, kind, value: kind === "org" || kind === "name" ? value : "" };
}
