import { isObject } from "./_names.ts";

/** Why a site's component policy is refused. */
export type ClassAllowListErrorCode = "CLASS_ALLOW_LIST_INVALID" | "CLASS_LIST_MODE_INVALID";

/** A site's `class_allow_list` or `class_list_enforcement_mode` is invalid: the site does not start. */
export class ClassAllowListError extends Error {
  override name = "ClassAllowListError";
  readonly code: ClassAllowListErrorCode;

  constructor(code: ClassAllowListErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A site's built-in component allow-list (`jobs.md` §7.3). */
export interface ClassAllowList {
  entries: readonly string[];
  mode: "enforce" | "warn";
  /** True when the site gave no list and the default `["stockade."]` applies (audit once). */
  isDefault: boolean;
  /** True when the list holds `"*"` (warning, one audit event per job). */
  allowsAll: boolean;
}

/** The list used when a site gives none. */
export const DEFAULT_CLASS_ALLOW_LIST: readonly string[] = Object.freeze(["stockade."]);

function checkEntry(e: unknown): string | undefined {
  if (typeof e !== "string") return "is not a string";
  if (e === "*") return undefined;
  if (e === "") return "is empty";
  if (e.trim() !== e) return "has surrounding whitespace";
  const body = e.endsWith(".") ? e.slice(0, -1) : e;
  if (body === "") return "has nothing before the dot";
  if (!e.endsWith(".") && !e.includes(".")) return 'neither ends in "." nor contains a "."';
  if (body.split(".").some((seg) => seg === "")) return "has an empty segment";
  return undefined;
}

/**
 * Reads `class_allow_list` and `class_list_enforcement_mode` from the top level of a site's
 * `resources.json` (`jobs.md` §7.3). Throws `ClassAllowListError` for a non-list value, an invalid
 * entry, or a mode other than exactly `enforce` or `warn`.
 */
export function parseClassAllowList(resources: Record<string, unknown>): ClassAllowList {
  if (!isObject(resources)) {
    throw new ClassAllowListError("CLASS_ALLOW_LIST_INVALID", "Resources must be an object");
  }
  const rawMode = resources.class_list_enforcement_mode;
  if (rawMode !== undefined && rawMode !== "enforce" && rawMode !== "warn") {
    throw new ClassAllowListError(
      "CLASS_LIST_MODE_INVALID",
      `class_list_enforcement_mode "${String(rawMode)}" must be "enforce" or "warn"`,
    );
  }
  const mode = rawMode ?? "enforce";
  const raw = resources.class_allow_list;
  if (raw === undefined) {
    return { entries: DEFAULT_CLASS_ALLOW_LIST, mode, isDefault: true, allowsAll: false };
  }
  if (!Array.isArray(raw)) {
    throw new ClassAllowListError("CLASS_ALLOW_LIST_INVALID", "class_allow_list must be a list");
  }
  for (const e of raw) {
    const why = checkEntry(e);
    if (why !== undefined) {
      throw new ClassAllowListError(
        "CLASS_ALLOW_LIST_INVALID",
        `class_allow_list entry ${JSON.stringify(e)} ${why}`,
      );
    }
  }
  const entries = Object.freeze([...raw as string[]]);
  return { entries, mode, isDefault: false, allowsAll: entries.includes("*") };
}
