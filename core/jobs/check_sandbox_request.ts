import { isObject } from "./_names.ts";

/** What a site offers to executors (`resources-and-cc.md` §6). */
export interface SandboxLimits {
  /** The job scope's `properties` (name → data location). */
  scopeProperties: Readonly<Record<string, string>>;
  /** The site's `sandbox.read_path_properties`. */
  siteReadPathProperties: readonly string[];
  /** The site's `sandbox.max_heap_mb` (default 8192). */
  maxHeapMb?: number;
  /** The site's `sandbox.max_task_wall_time_s` (default 86400). */
  maxTaskWallTimeS?: number;
}

/** What a job's sandbox request amounts to once granted. */
export interface SandboxGrant {
  /** Names of scope properties whose paths the executor may read. */
  readProperties: string[];
  heapMb?: number;
  taskWallTimeS?: number;
}

/** Outcome of `checkSandboxRequest()`. */
export type SandboxCheckResult =
  | { allowed: true; grant: SandboxGrant }
  | {
    allowed: false;
    code: "COMPONENT_REJECTED";
    reason: string;
    /** `meta.sandbox.<key>`. */
    nodePath: string;
    /** `component not authorized: <reason> (at <node_path>)`. */
    message: string;
  };

const KEYS = new Set(["read_properties", "heap_mb", "task_wall_time_s"]);

/**
 * Judges `meta.sandbox` at a site (`jobs.md` §7.4): only `read_properties`, `heap_mb` and
 * `task_wall_time_s`; each property defined in the job's scope and listed in the site's
 * `read_path_properties`; limits positive integers no larger than the site's maxima. Anything else
 * is rejected with the offending key or value. A missing request grants nothing extra.
 */
export function checkSandboxRequest(request: unknown, limits: SandboxLimits): SandboxCheckResult {
  const reject = (key: string, reason: string): SandboxCheckResult => {
    const nodePath = key === "" ? "meta.sandbox" : `meta.sandbox.${key}`;
    return {
      allowed: false,
      code: "COMPONENT_REJECTED",
      reason,
      nodePath,
      message: `component not authorized: ${reason} (at ${nodePath})`,
    };
  };
  const grant: SandboxGrant = { readProperties: [] };
  if (request === undefined) return { allowed: true, grant };
  if (!isObject(request)) return reject("", "sandbox request is not an object");
  for (const key of Object.keys(request)) {
    if (!KEYS.has(key)) return reject(key, `sandbox permission "${key}" cannot be granted`);
  }
  const props = request.read_properties;
  if (props !== undefined) {
    if (!Array.isArray(props)) return reject("read_properties", "read_properties is not a list");
    for (const p of props) {
      if (typeof p !== "string") {
        return reject("read_properties", `read property ${JSON.stringify(p)} is not a string`);
      }
      if (!Object.hasOwn(limits.scopeProperties, p)) {
        return reject("read_properties", `read property "${p}" is not defined in the job's scope`);
      }
      if (!limits.siteReadPathProperties.includes(p)) {
        return reject(
          "read_properties",
          `read property "${p}" is not in the site's read_path_properties`,
        );
      }
      if (!grant.readProperties.includes(p)) grant.readProperties.push(p);
    }
  }
  const limit = (key: "heap_mb" | "task_wall_time_s", max: number): number | string | undefined => {
    const v = request[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      return `${key} ${JSON.stringify(v)} is not a positive integer`;
    }
    if (v > max) return `${key} ${v} is above the site's maximum ${max}`;
    return v;
  };
  const heap = limit("heap_mb", limits.maxHeapMb ?? 8192);
  if (typeof heap === "string") return reject("heap_mb", heap);
  if (heap !== undefined) grant.heapMb = heap;
  const wall = limit("task_wall_time_s", limits.maxTaskWallTimeS ?? 86400);
  if (typeof wall === "string") return reject("task_wall_time_s", wall);
  if (wall !== undefined) grant.taskWallTimeS = wall;
  return { allowed: true, grant };
}
