import type { PrivacyBudget } from "./budget_ledger.ts";
import { FilterError } from "./filter_error.ts";

const KEYS = [
  "max_epsilon_per_job",
  "max_epsilon_per_scope",
  "max_delta_per_job",
  "max_delta_per_scope",
] as const;

/**
 * Checks a scope's `privacy_budget` (`privacy-and-filters.md` §8): an object of optional limits,
 * each a finite number > 0, δ limits also < 1. Throws `PRIVACY_BUDGET` naming the key and value.
 */
export function checkPrivacyBudget(value: unknown): PrivacyBudget {
  const fail = (why: string, key?: string) =>
    new FilterError("PRIVACY_BUDGET", `Privacy budget ${why}`, key === undefined ? {} : { key });
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw fail(`${JSON.stringify(value)} is not an object`);
  }
  const o = value as Record<string, unknown>;
  const out: PrivacyBudget = {};
  for (const [k, v] of Object.entries(o)) {
    const key = KEYS.find((x) => x === k);
    if (key === undefined) throw fail(`has unknown key "${k}"`, k);
    const isDelta = key.startsWith("max_delta");
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || (isDelta && v >= 1)) {
      throw fail(
        `key "${k}" has value "${JSON.stringify(v)}": expected a number > 0${
          isDelta ? " and < 1" : ""
        }`,
        k,
      );
    }
    out[key] = v;
  }
  return out;
}
