import { type DecodeLimits, DEFAULT_LIMITS } from "../wire/mod.ts";
import { GpuResourceManager } from "./gpu_resource_manager.ts";
import { ResourceError } from "./resource_error.ts";
import type { ResourceManager } from "./resource_manager.ts";
import { SlotResourceManager } from "./slot_resource_manager.ts";

/** Sandbox limits of a site (`resources-and-cc.md` §6). */
export interface SandboxLimits {
  heapMb: number;
  maxHeapMb: number;
  taskWallTimeS: number;
  maxTaskWallTimeS: number;
  readPathProperties: string[];
}

/** A component entry kept for another part of the site (checks, CC). */
export interface ComponentEntry {
  id: string;
  path: string;
  args: Record<string, unknown>;
}

/** A site's parsed `resources.json`. */
export interface SiteResources {
  maxConcurrentJobs: number;
  sandbox: SandboxLimits;
  managers: ResourceManager[];
  /** Server only: `servers[0]` settings and the scheduler's `max_jobs`. */
  server?: {
    maxNumClients: number;
    heartBeatTimeoutS: number;
    tokenTtlS: number;
    adminIdleTimeoutS: number;
    maxJobBytes: number;
    maxJobs: number;
  };
  /** Raw allow-list settings, validated by the component checks (`jobs.md` §7.3). */
  classAllowList?: unknown;
  classListEnforcementMode?: unknown;
  /** Site-registered component checks (`jobs.md` §7.2). */
  checks: ComponentEntry[];
  /** Confidential-computing components (`resources-and-cc.md` §7). */
  cc: ComponentEntry[];
  wire: DecodeLimits;
  auditMaxBytes: number;
  warnings: string[];
}

const MANAGERS: Record<string, "slot" | "gpu"> = {
  "stockade.resources.SlotResourceManager": "slot",
  "stockade.resources.GPUResourceManager": "gpu",
  "nvflare.app_common.resource_managers.gpu_resource_manager.GPUResourceManager": "gpu",
};
const SCHEDULERS = new Set([
  "stockade.server.JobScheduler",
  "nvflare.app_common.job_schedulers.job_scheduler.DefaultJobScheduler",
]);
const CC = new Set(["stockade.cc.MockAttestor", "stockade.cc.CCManager"]);
/** NVFlare component ids that have no meaning here: skipped with a warning. */
const IGNORED_IDS = new Set([
  "resource_consumer",
  "process_launcher",
  "error_log_sender",
  "job_manager",
  "job_store",
  "snapshot_persistor",
]);
const IGNORED_KEYS = new Set(["download_job_url", "admin_timeout", "allow_log_streaming"]);
const TOP_KEYS = new Set([
  "format_version",
  "client",
  "servers",
  "max_concurrent_jobs",
  "sandbox",
  "class_allow_list",
  "class_list_enforcement_mode",
  "components",
  "wire",
  "audit_max_bytes",
]);
const WIRE_KEYS: Record<string, keyof DecodeLimits> = {
  max_message_bytes: "maxMessageBytes",
  max_depth: "maxDepth",
  max_entries: "maxEntries",
  max_items: "maxItems",
  max_text_bytes: "maxTextBytes",
};

/**
 * Validates a site's `resources.json` (JSON or YAML already parsed) and builds its resource
 * managers. `role` tells which keys apply; `isSiteCheck(path)` says whether a component path names
 * code in the site's `local/custom/` (a component check). Throws `ResourceError` naming `file` and
 * the JSON path.
 */
export function parseResources(
  value: unknown,
  options: { file: string; role: "client" | "server"; isSiteCheck?: (path: string) => boolean },
): SiteResources {
  const { file } = options;
  const fail = (
    path: string,
    msg: string,
    code: "RESOURCES_INVALID" | "RESOURCES_UNKNOWN_KEY" | "RESOURCES_COMPONENT" =
      "RESOURCES_INVALID",
  ): never => {
    throw new ResourceError(code, `Cannot load resources "${file}": ${msg} at ${path}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const num = (
    v: unknown,
    path: string,
    dflt: number,
    opts: { int?: boolean; min?: number } = {},
  ): number => {
    if (v === undefined) return dflt;
    const min = opts.min ?? 0;
    if (
      typeof v !== "number" || !Number.isFinite(v) || v < min || (opts.int && !Number.isInteger(v))
    ) {
      fail(
        path,
        `${JSON.stringify(v)} must be ${opts.int ? "an integer" : "a number"} of at least ${min}`,
      );
    }
    return v as number;
  };

  if (!isObj(value)) return fail("$", "the file must hold an object");
  if (value.format_version !== 2) {
    fail("format_version", `must be 2, found ${JSON.stringify(value.format_version)}`);
  }
  const warnings: string[] = [];
  for (const key of Object.keys(value)) {
    if (IGNORED_KEYS.has(key)) warnings.push(`"${key}" is an NVFlare setting Stockade ignores`);
    else if (!TOP_KEYS.has(key)) fail(key, `unknown key "${key}"`, "RESOURCES_UNKNOWN_KEY");
  }
  if (value.client !== undefined) {
    if (!isObj(value.client)) fail("client", "must be an object");
    for (const k of Object.keys(value.client as object)) {
      if (k === "compression") {
        warnings.push(`"client.compression" is an NVFlare setting Stockade ignores`);
      } else if (k !== "retry_timeout") {
        fail(`client.${k}`, `unknown key "${k}"`, "RESOURCES_UNKNOWN_KEY");
      }
    }
    num((value.client as Record<string, unknown>).retry_timeout, "client.retry_timeout", 30);
  }

  const sb = value.sandbox ?? {};
  if (!isObj(sb)) return fail("sandbox", "must be an object");
  for (const k of Object.keys(sb)) {
    if (
      ![
        "heap_mb",
        "max_heap_mb",
        "task_wall_time_s",
        "max_task_wall_time_s",
        "read_path_properties",
      ].includes(k)
    ) {
      fail(`sandbox.${k}`, `unknown key "${k}"`, "RESOURCES_UNKNOWN_KEY");
    }
  }
  const rpp = sb.read_path_properties ?? [];
  if (!Array.isArray(rpp) || !rpp.every((p) => typeof p === "string" && p.length > 0)) {
    fail("sandbox.read_path_properties", "must be a list of property names");
  }
  const sandbox: SandboxLimits = {
    heapMb: num(sb.heap_mb, "sandbox.heap_mb", 2048, { int: true, min: 16 }),
    maxHeapMb: num(sb.max_heap_mb, "sandbox.max_heap_mb", 8192, { int: true, min: 16 }),
    taskWallTimeS: num(sb.task_wall_time_s, "sandbox.task_wall_time_s", 3600, { min: 1 }),
    maxTaskWallTimeS: num(sb.max_task_wall_time_s, "sandbox.max_task_wall_time_s", 86400, {
      min: 1,
    }),
    readPathProperties: rpp as string[],
  };
  if (sandbox.heapMb > sandbox.maxHeapMb) {
    fail("sandbox.heap_mb", `${sandbox.heapMb} exceeds max_heap_mb ${sandbox.maxHeapMb}`);
  }
  if (sandbox.taskWallTimeS > sandbox.maxTaskWallTimeS) {
    fail(
      "sandbox.task_wall_time_s",
      `${sandbox.taskWallTimeS} exceeds max_task_wall_time_s ${sandbox.maxTaskWallTimeS}`,
    );
  }

  const wireIn = value.wire ?? {};
  if (!isObj(wireIn)) return fail("wire", "must be an object");
  const wire: DecodeLimits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(wireIn)) {
    const field = WIRE_KEYS[k];
    if (!field) fail(`wire.${k}`, `unknown key "${k}"`, "RESOURCES_UNKNOWN_KEY");
    wire[field!] = num(v, `wire.${k}`, DEFAULT_LIMITS[field!], { int: true, min: 1 });
  }

  const managers: ResourceManager[] = [];
  const checks: ComponentEntry[] = [];
  const cc: ComponentEntry[] = [];
  let maxJobs = 4;
  const comps = value.components ?? [];
  if (!Array.isArray(comps)) return fail("components", "must be a list");
  comps.forEach((c, i) => {
    const at = `components[${i}]`;
    if (!isObj(c)) fail(at, "must be an object");
    const { id, path, args = {} } = c as Record<string, unknown>;
    if (typeof id !== "string" || !id) fail(`${at}.id`, "must be a non-empty string");
    if (IGNORED_IDS.has(id as string)) {
      warnings.push(`component "${id}" is an NVFlare component Stockade ignores`);
      return;
    }
    if (typeof path !== "string" || !path) fail(`${at}.path`, "must be a non-empty string");
    if (!isObj(args)) fail(`${at}.args`, "must be an object");
    const a = args as Record<string, unknown>;
    const kind = MANAGERS[path as string];
    if (kind === "slot") {
      managers.push(
        new SlotResourceManager({
          num_of_cpus: num(a.num_of_cpus, `${at}.args.num_of_cpus`, 1, { int: true, min: 1 }),
          mem_in_GiB: num(a.mem_in_GiB, `${at}.args.mem_in_GiB`, 1, { min: Number.MIN_VALUE }),
          expiration_period: num(a.expiration_period, `${at}.args.expiration_period`, 30),
        }),
      );
    } else if (kind === "gpu") {
      managers.push(
        new GpuResourceManager({
          num_of_gpus: num(a.num_of_gpus, `${at}.args.num_of_gpus`, 0, { int: true }),
          mem_per_gpu_in_GiB: num(a.mem_per_gpu_in_GiB, `${at}.args.mem_per_gpu_in_GiB`, 0),
          expiration_period: num(a.expiration_period, `${at}.args.expiration_period`, 30),
        }),
      );
    } else if (SCHEDULERS.has(path as string)) {
      maxJobs = num(a.max_jobs, `${at}.args.max_jobs`, 4, { int: true, min: 1 });
    } else if (CC.has(path as string)) {
      cc.push({ id: id as string, path: path as string, args: a });
    } else if (options.isSiteCheck?.(path as string)) {
      checks.push({ id: id as string, path: path as string, args: a });
    } else {
      fail(`${at}.path`, `unknown component "${path}"`, "RESOURCES_COMPONENT");
    }
  });

  let server: SiteResources["server"];
  if (options.role === "server") {
    const list = value.servers ?? [{}];
    if (!Array.isArray(list) || !isObj(list[0])) {
      return fail("servers", "must be a list holding one object");
    }
    const s0 = list[0] as Record<string, unknown>;
    server = {
      maxNumClients: num(s0.max_num_clients, "servers[0].max_num_clients", 100, {
        int: true,
        min: 1,
      }),
      heartBeatTimeoutS: num(s0.heart_beat_timeout, "servers[0].heart_beat_timeout", 600, {
        min: 1,
      }),
      tokenTtlS: num(s0.token_ttl_s, "servers[0].token_ttl_s", 3600, { int: true, min: 60 }),
      adminIdleTimeoutS: num(s0.admin_idle_timeout_s, "servers[0].admin_idle_timeout_s", 1800, {
        min: 1,
      }),
      maxJobBytes: num(s0.max_job_bytes, "servers[0].max_job_bytes", 536_870_912, {
        int: true,
        min: 1,
      }),
      maxJobs,
    };
  } else if (value.servers !== undefined) {
    fail("servers", "only a server's resources.json has servers", "RESOURCES_UNKNOWN_KEY");
  }

  return {
    maxConcurrentJobs: num(value.max_concurrent_jobs, "max_concurrent_jobs", 2, {
      int: true,
      min: 1,
    }),
    sandbox,
    managers,
    ...(server ? { server } : {}),
    ...(value.class_allow_list !== undefined ? { classAllowList: value.class_allow_list } : {}),
    ...(value.class_list_enforcement_mode !== undefined
      ? { classListEnforcementMode: value.class_list_enforcement_mode }
      : {}),
    checks,
    cc,
    wire,
    auditMaxBytes: num(value.audit_max_bytes, "audit_max_bytes", 104_857_600, {
      int: true,
      min: 4096,
    }),
    warnings,
  };
}
