import type { ClassAllowList } from "./class_allow_list.ts";
import { componentNodes } from "./component_nodes.ts";
import type { AppConfig } from "./validate_app_config.ts";

/** Outcome of an unsafe-component check (`jobs.md` §7). */
export type ComponentCheckResult =
  | { allowed: true; warnings: string[] }
  | {
    allowed: false;
    code: "COMPONENT_REJECTED";
    /** Why, without the node path. */
    reason: string;
    /** Where, e.g. `executors[0].executor.args.model`. */
    nodePath: string;
    /** `component not authorized: <reason> (at <node_path>)`. */
    message: string;
    warnings: string[];
  };

/** Options of `checkComponents()`. */
export interface CheckComponentsOptions {
  /** The app has `custom/`: the allow-list is skipped (the `byoc` right applies instead). */
  byoc: boolean;
}

const COMPONENT_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** True when `path` is allowed by `entry` (exact, package prefix ending in `.`, or package). */
export function allowListMatches(entry: string, path: string): boolean {
  if (entry === "*" || path === entry) return true;
  if (entry.endsWith(".")) return path.startsWith(entry);
  return path.startsWith(`${entry}.`);
}

/** The component path of a node, or why there is none usable. */
export function componentPath(node: Record<string, unknown>): { path: string } | {
  reason: string;
} {
  if ("name" in node) return { reason: `a "name" key is not a component path` };
  const key = "path" in node ? "path" : "class_path" in node ? "class_path" : undefined;
  if (key === undefined) return { reason: `no "path" or "class_path"` };
  const value = node[key];
  if (typeof value !== "string" || value === "") {
    return { reason: `${key} ${JSON.stringify(value) ?? "undefined"} is not a non-empty string` };
  }
  if (!COMPONENT_PATH.test(value)) return { reason: `${key} "${value}" is not a dotted name` };
  return { path: value };
}

/**
 * Runs the built-in allow-list (`jobs.md` §7.3) over every component node of an app config
 * (§7.1). BYOC apps skip it. In `warn` mode an unlisted path is allowed with one warning per path;
 * a list holding `"*"` allows everything with one warning. The first rejection ends the check with
 * `COMPONENT_REJECTED`.
 */
export function checkComponents(
  config: AppConfig | Record<string, unknown>,
  policy: ClassAllowList,
  options: CheckComponentsOptions,
): ComponentCheckResult {
  const warnings: string[] = [];
  if (options.byoc) return { allowed: true, warnings };
  if (policy.allowsAll) warnings.push(`class_allow_list "*" allows every component`);
  const warned = new Set<string>();
  for (const { nodePath, node } of componentNodes(config)) {
    const found = componentPath(node);
    let reason: string;
    if ("path" in found) {
      if (policy.entries.some((e) => allowListMatches(e, found.path))) continue;
      if (policy.mode === "warn") {
        if (!warned.has(found.path)) {
          warned.add(found.path);
          warnings.push(`component "${found.path}" is not in class_allow_list (at ${nodePath})`);
        }
        continue;
      }
      reason = `"${found.path}" is not in class_allow_list`;
    } else {
      reason = found.reason;
    }
    return {
      allowed: false,
      code: "COMPONENT_REJECTED",
      reason,
      nodePath,
      message: `component not authorized: ${reason} (at ${nodePath})`,
      warnings,
    };
  }
  return { allowed: true, warnings };
}
