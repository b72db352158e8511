import { isObject } from "./_names.ts";
import type { AppConfig } from "./validate_app_config.ts";

/** One component node of an app config (`jobs.md` §7.1). */
export interface ComponentNode {
  /** Where it sits, e.g. `executors[0].executor.args.model`. */
  nodePath: string;
  /** The component object as written. */
  node: Record<string, unknown>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Configs are parsed JSON; the bound keeps hostile nesting from exhausting the stack.
const MAX_DEPTH = 64;

function key(base: string, k: string): string {
  return IDENT.test(k) ? `${base}.${k}` : `${base}[${JSON.stringify(k)}]`;
}

/**
 * Lists the component nodes of an app config (`jobs.md` §7.1): each entry of `components`,
 * `workflows`, `handlers`, `executors[].executor`, every filter of `task_data_filters` and
 * `task_result_filters`, and every object with a `path` or `class_path` key anywhere inside any of
 * their `args`. Throws `RangeError` past 64 levels of nesting.
 */
export function componentNodes(config: AppConfig | Record<string, unknown>): ComponentNode[] {
  // Configs may come unvalidated (straight from JSON), so every level is re-checked here.
  const cfg = config as Record<string, unknown>;
  const out: ComponentNode[] = [];
  const visitArgs = (value: unknown, at: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw new RangeError(`Config nesting at "${at}" is too deep`);
    if (Array.isArray(value)) {
      value.forEach((v, i) => visitArgs(v, `${at}[${i}]`, depth + 1));
    } else if (isObject(value)) {
      if ("path" in value || "class_path" in value) out.push({ nodePath: at, node: value });
      for (const [k, v] of Object.entries(value)) visitArgs(v, key(at, k), depth + 1);
    }
  };
  const top = (node: unknown, at: string): void => {
    if (!isObject(node)) return;
    out.push({ nodePath: at, node });
    if ("args" in node) visitArgs(node.args, `${at}.args`, 1);
  };
  for (const section of ["components", "workflows", "handlers"]) {
    const list = cfg[section];
    if (Array.isArray(list)) list.forEach((n, i) => top(n, `${section}[${i}]`));
  }
  const executors = cfg.executors;
  if (Array.isArray(executors)) {
    executors.forEach((e, i) => {
      if (isObject(e)) top(e.executor, `executors[${i}].executor`);
    });
  }
  for (const chain of ["task_data_filters", "task_result_filters"]) {
    const list = cfg[chain];
    if (!Array.isArray(list)) continue;
    list.forEach((e, i) => {
      if (isObject(e) && Array.isArray(e.filters)) {
        e.filters.forEach((f, j) => top(f, `${chain}[${i}].filters[${j}]`));
      }
    });
  }
  return out;
}
