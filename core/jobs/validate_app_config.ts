import { isObject } from "./_names.ts";
import { JobValidationError } from "./job_validation_error.ts";

/** A component entry: `{"id"?, "path" | "class_path", "args"?}` (`jobs.md` §1). */
export type ComponentConfig = Record<string, unknown>;

/** An executor entry: the tasks it serves and the component that runs them. */
export interface ExecutorConfig {
  tasks: string[];
  executor: ComponentConfig;
}

/** Direction of a filter entry (`privacy-and-filters.md` §3). */
export type FilterDirection = "in" | "out" | "inout";

/** A job filter chain entry: tasks, filters and an optional direction. */
export interface FilterChainConfig {
  tasks: string[];
  filters: ComponentConfig[];
  direction?: FilterDirection;
}

/** A validated `config_fed_server.json` or `config_fed_client.json`. */
export interface AppConfig {
  format_version: 2;
  server?: Record<string, unknown>;
  components: ComponentConfig[];
  workflows: ComponentConfig[];
  handlers: ComponentConfig[];
  executors: ExecutorConfig[];
  task_data_filters: FilterChainConfig[];
  task_result_filters: FilterChainConfig[];
}

/** Which side a config is for; it fixes the default filter directions. */
export type ConfigSide = "server" | "client";

/** Options of `validateAppConfig()`. */
export interface ValidateAppConfigOptions {
  /** App name, for messages. */
  app: string;
  /** Config file name, for messages. */
  file: string;
  side: ConfigSide;
}

const TOP_KEYS = new Set([
  "format_version",
  "server",
  "components",
  "workflows",
  "handlers",
  "executors",
  "task_data_filters",
  "task_result_filters",
]);
const COMPONENT_KEYS = new Set(["id", "path", "class_path", "args", "name"]);
// Default directions per side and chain (`privacy-and-filters.md` §3).
const DEFAULT_DIRECTION = {
  client: { task_data_filters: "in", task_result_filters: "out" },
  server: { task_data_filters: "out", task_result_filters: "in" },
} as const;

/**
 * Parses and validates an app config (`jobs.md` §1): JSON, `format_version: 2`, only the known
 * top-level keys, component entries, executor entries with non-empty task lists and no task served
 * by two executors, and filter chains (`privacy-and-filters.md` §3). Component paths themselves are
 * judged by the allow-list at each site (§7.3). Throws `JobValidationError` `JOB_CONFIG_INVALID`, or
 * `JOB_FILTER_DUPLICATE` for two filter entries of one task and direction.
 */
export function validateAppConfig(
  input: Uint8Array | unknown,
  options: ValidateAppConfigOptions,
): AppConfig {
  const invalid = (detail: string) =>
    new JobValidationError(
      "JOB_CONFIG_INVALID",
      `config "${options.file}" of app "${options.app}" is invalid: ${detail}`,
      { path: `${options.app}/config/${options.file}` },
    );
  let raw: unknown = input;
  if (input instanceof Uint8Array) {
    try {
      raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input));
    } catch (err) {
      throw invalid(`not JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (!isObject(raw)) throw invalid("not a JSON object");
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.has(key)) throw invalid(`unknown top-level key "${key}"`);
  }
  if (raw.format_version !== 2) {
    throw invalid(`format_version "${String(raw.format_version)}" is not 2`);
  }
  const list = (key: string): unknown[] => {
    const v = raw[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw invalid(`"${key}" is not a list`);
    return v;
  };
  const component = (v: unknown, where: string): ComponentConfig => {
    if (!isObject(v)) throw invalid(`${where} is not an object`);
    for (const key of Object.keys(v)) {
      if (!COMPONENT_KEYS.has(key)) throw invalid(`${where} has unknown key "${key}"`);
    }
    if (!("path" in v) && !("class_path" in v) && !("name" in v)) {
      throw invalid(`${where} has no "path" or "class_path"`);
    }
    if ("id" in v && typeof v.id !== "string") throw invalid(`${where} id is not a string`);
    if ("args" in v && !isObject(v.args)) throw invalid(`${where} args is not an object`);
    return v;
  };
  const tasks = (v: unknown, where: string): string[] => {
    if (!Array.isArray(v) || v.length === 0) {
      throw invalid(`${where} tasks is not a non-empty list`);
    }
    for (const t of v) {
      if (typeof t !== "string" || t === "") {
        throw invalid(`${where} task "${String(t)}" is not a non-empty string`);
      }
    }
    return v as string[];
  };
  if (raw.server !== undefined && !isObject(raw.server)) throw invalid(`"server" is not an object`);
  const out: AppConfig = {
    format_version: 2,
    components: list("components").map((c, i) => component(c, `components[${i}]`)),
    workflows: list("workflows").map((c, i) => component(c, `workflows[${i}]`)),
    handlers: list("handlers").map((c, i) => component(c, `handlers[${i}]`)),
    executors: [],
    task_data_filters: [],
    task_result_filters: [],
  };
  if (isObject(raw.server)) out.server = raw.server;
  const owner = new Map<string, number>();
  list("executors").forEach((e, i) => {
    const where = `executors[${i}]`;
    if (!isObject(e)) throw invalid(`${where} is not an object`);
    for (const key of Object.keys(e)) {
      if (key !== "tasks" && key !== "executor") throw invalid(`${where} has unknown key "${key}"`);
    }
    const names = tasks(e.tasks, where);
    for (const t of names) {
      const prev = owner.get(t);
      if (prev !== undefined && prev !== i) {
        throw invalid(`task "${t}" has two executors (executors[${prev}] and ${where})`);
      }
      owner.set(t, i);
    }
    out.executors.push({ tasks: names, executor: component(e.executor, `${where}.executor`) });
  });
  for (const chain of ["task_data_filters", "task_result_filters"] as const) {
    const taken = new Set<string>();
    list(chain).forEach((e, i) => {
      const where = `${chain}[${i}]`;
      if (!isObject(e)) throw invalid(`${where} is not an object`);
      for (const key of Object.keys(e)) {
        if (key !== "tasks" && key !== "filters" && key !== "direction") {
          throw invalid(`${where} has unknown key "${key}"`);
        }
      }
      const names = tasks(e.tasks, where);
      if (!Array.isArray(e.filters) || e.filters.length === 0) {
        throw invalid(`${where} filters is not a non-empty list`);
      }
      const filters = e.filters.map((f, j) => component(f, `${where}.filters[${j}]`));
      const entry: FilterChainConfig = { tasks: names, filters };
      if (e.direction !== undefined) {
        if (e.direction !== "in" && e.direction !== "out" && e.direction !== "inout") {
          throw invalid(`${where} direction "${String(e.direction)}" is not in, out or inout`);
        }
        entry.direction = e.direction;
      }
      const dir = entry.direction ?? DEFAULT_DIRECTION[options.side][chain];
      for (const t of names) {
        for (const d of dir === "inout" ? ["in", "out"] : [dir]) {
          const key = `${t}\0${d}`;
          if (taken.has(key)) {
            throw new JobValidationError(
              "JOB_FILTER_DUPLICATE",
              `config "${options.file}" of app "${options.app}" has two ${chain} entries for task "${t}" and direction "${d}"`,
              { path: `${options.app}/config/${options.file}` },
            );
          }
          taken.add(key);
        }
      }
      out[chain].push(entry);
    });
  }
  return out;
}
