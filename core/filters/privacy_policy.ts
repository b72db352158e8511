import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { findPolicyFile } from "../kit/mod.ts";
import { checkPrivacyBudget } from "./check_privacy_budget.ts";
import { createFilter } from "./create_filter.ts";
import type { Filter } from "./filter.ts";
import { FilterError } from "./filter_error.ts";

type PrivacyBudget = ReturnType<typeof checkPrivacyBudget>;

/** Codes of `privacy.json` errors and of scope refusals at deployment (`privacy-and-filters.md` §1–2). */
export type PrivacyPolicyErrorCode =
  | "PRIVACY_SCOPES"
  | "PRIVACY_SCOPE_NAME"
  | "PRIVACY_SCOPE_DUPLICATE"
  | "PRIVACY_PROPERTIES"
  | "PRIVACY_FILTER"
  | "PRIVACY_BUDGET"
  | "PRIVACY_DEFAULT_SCOPE"
  | "PRIVACY_UNKNOWN_KEY"
  | "PRIVACY_SCOPE_REJECTED"
  | "PRIVACY_SCOPE_MISSING";

/** A bad privacy policy (the site does not start), or a job whose scope this site refuses. */
export class PrivacyPolicyError extends Error {
  override name = "PrivacyPolicyError";
  readonly code: PrivacyPolicyErrorCode;

  constructor(code: PrivacyPolicyErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** One scope: its data locations, its filters (constructed at load), its budget. */
export interface PrivacyScope {
  name: string;
  properties: Record<string, string>;
  taskDataFilters: Filter[];
  taskResultFilters: Filter[];
  budget?: PrivacyBudget;
}

/** A site's privacy policy. */
export interface PrivacyPolicy {
  scopes: ReadonlyMap<string, PrivacyScope>;
  defaultScope?: string;
}

const SCOPE_KEYS = new Set([
  "name",
  "properties",
  "task_data_filters",
  "task_result_filters",
  "privacy_budget",
]);

/**
 * Validates `privacy.json` (already parsed) and constructs every filter, so unknown names and bad
 * arguments fail at load, not mid-job. Throws `PrivacyPolicyError` naming `file` and the path.
 */
export async function parsePrivacyPolicy(
  value: unknown,
  options: { file: string },
): Promise<PrivacyPolicy> {
  const fail = (
    code: PrivacyPolicyErrorCode,
    path: string,
    msg: string,
    cause?: unknown,
  ): never => {
    throw new PrivacyPolicyError(
      code,
      `Cannot load privacy policy "${options.file}": ${msg} at ${path}`,
      cause === undefined ? undefined : { cause },
    );
  };
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(value)) return fail("PRIVACY_SCOPES", "$", "the file must hold an object");
  for (const key of Object.keys(value)) {
    if (key !== "scopes" && key !== "default_scope") {
      fail("PRIVACY_UNKNOWN_KEY", key, `unknown key "${key}"`);
    }
  }
  if (!Array.isArray(value.scopes) || value.scopes.length === 0) {
    fail("PRIVACY_SCOPES", "scopes", "must be a non-empty list");
  }
  const scopes = new Map<string, PrivacyScope>();
  for (const [i, s] of (value.scopes as unknown[]).entries()) {
    const at = `scopes[${i}]`;
    if (!isObj(s)) return fail("PRIVACY_SCOPES", at, "must be an object");
    for (const key of Object.keys(s)) {
      if (!SCOPE_KEYS.has(key)) fail("PRIVACY_UNKNOWN_KEY", `${at}.${key}`, `unknown key "${key}"`);
    }
    if (typeof s.name !== "string" || s.name.trim() === "") {
      fail("PRIVACY_SCOPE_NAME", `${at}.name`, "must be a non-empty string");
    }
    const name = s.name as string;
    if (scopes.has(name)) {
      fail("PRIVACY_SCOPE_DUPLICATE", `${at}.name`, `scope "${name}" is defined twice`);
    }
    const properties = s.properties ?? {};
    if (!isObj(properties) || !Object.values(properties).every((v) => typeof v === "string")) {
      fail("PRIVACY_PROPERTIES", `${at}.properties`, "must be an object of strings");
    }
    const chain = async (key: "task_data_filters" | "task_result_filters"): Promise<Filter[]> => {
      const list = s[key] ?? [];
      if (!Array.isArray(list)) return fail("PRIVACY_FILTER", `${at}.${key}`, "must be a list");
      const out: Filter[] = [];
      for (const [j, entry] of list.entries()) {
        try {
          out.push(await createFilter(entry, { source: "site" }));
        } catch (err) {
          const why = err instanceof FilterError ? err.message : String(err);
          fail("PRIVACY_FILTER", `${at}.${key}[${j}]`, why, err);
        }
      }
      return out;
    };
    let budget: PrivacyBudget | undefined;
    if (s.privacy_budget !== undefined) {
      try {
        budget = checkPrivacyBudget(s.privacy_budget);
      } catch (err) {
        fail(
          "PRIVACY_BUDGET",
          `${at}.privacy_budget`,
          err instanceof Error ? err.message : String(err),
          err,
        );
      }
    }
    scopes.set(name, {
      name,
      properties: properties as Record<string, string>,
      taskDataFilters: await chain("task_data_filters"),
      taskResultFilters: await chain("task_result_filters"),
      ...(budget ? { budget } : {}),
    });
  }
  const dflt = value.default_scope;
  if (dflt !== undefined && (typeof dflt !== "string" || !scopes.has(dflt))) {
    fail("PRIVACY_DEFAULT_SCOPE", "default_scope", `${JSON.stringify(dflt)} names no scope`);
  }
  return { scopes, ...(typeof dflt === "string" ? { defaultScope: dflt } : {}) };
}

/**
 * The scope a job runs under at this site (`privacy-and-filters.md` §2): `meta.scope` when it is a
 * non-empty string, else the site's default. Without a policy the site has no filters and accepts
 * any scope (`undefined` scope: audited as `privacy=none`).
 */
export function scopeForJob(
  policy: PrivacyPolicy | undefined,
  metaScope: unknown,
  site: string,
): PrivacyScope | undefined {
  if (policy === undefined) return undefined;
  const name = typeof metaScope === "string" && metaScope !== "" ? metaScope : policy.defaultScope;
  if (name === undefined) {
    throw new PrivacyPolicyError(
      "PRIVACY_SCOPE_MISSING",
      `site ${site} needs a privacy scope and the job names none`,
    );
  }
  const scope = policy.scopes.get(name);
  if (!scope) {
    throw new PrivacyPolicyError(
      "PRIVACY_SCOPE_REJECTED",
      `site ${site} defines no privacy scope "${name}"`,
    );
  }
  return scope;
}

/**
 * Loads `local/privacy.{json,yaml,yml}` of a kit; no file means no privacy policy (the `.sample`
 * is never read). Returns the policy with the file name and SHA-256 for the `_policy_load` event.
 */
export async function loadPrivacyPolicy(
  kitDir: string,
): Promise<{ policy: PrivacyPolicy; file: string; sha256: string } | undefined> {
  const path = await findPolicyFile(kitDir, "privacy");
  if (path === undefined) return undefined;
  const file = path.slice(kitDir.length + 1);
  const bytes = await Deno.readFile(path);
  let value: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    value = /\.ya?ml$/.test(path)
      ? parseYaml(text, { schema: "core", uniqueKeys: true })
      : JSON.parse(text);
  } catch (err) {
    throw new PrivacyPolicyError(
      "PRIVACY_SCOPES",
      `Cannot load privacy policy "${file}": ${(err as Error).message}`,
    );
  }
  return {
    policy: await parsePrivacyPolicy(value, { file }),
    file,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
}
