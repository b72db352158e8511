import { ResourceError } from "./resource_error.ts";
import type { SandboxLimits } from "./parse_resources.ts";

/** What a job asks for in `meta.sandbox` (`jobs.md` §7.4, already checked for unknown keys). */
export interface SandboxRequest {
  read_properties?: string[];
  heap_mb?: number;
  task_wall_time_s?: number;
}

/** The limits and read grants a job's executor gets at this site. */
export interface JobSandbox {
  heapMb: number;
  taskWallTimeS: number;
  /** Granted property name → real path. */
  readPaths: Record<string, string>;
}

/**
 * The executor's effective sandbox at a site (`resources-and-cc.md` §6): the job's request or the
 * site default, within the site's maxima and the memory its slot reservation holds; read grants
 * are the job scope's property values the site allows, resolved with realpath. Requires read
 * access to the granted paths. Throws `ResourceError` naming the offending value.
 */
export async function jobSandbox(
  request: SandboxRequest | undefined,
  limits: SandboxLimits,
  scopeProperties: Record<string, string>,
  options: { reservedMemGiB?: number } = {},
): Promise<JobSandbox> {
  const heapMb = request?.heap_mb ?? limits.heapMb;
  if (heapMb > limits.maxHeapMb) {
    throw new ResourceError(
      "RESOURCES_INCONSISTENT",
      `Heap of ${heapMb} MB exceeds this site's max_heap_mb ${limits.maxHeapMb}`,
    );
  }
  if (options.reservedMemGiB !== undefined && heapMb > options.reservedMemGiB * 1024) {
    throw new ResourceError(
      "RESOURCES_INCONSISTENT",
      `Heap of ${heapMb} MB exceeds the ${options.reservedMemGiB} GiB the job reserved at this site`,
    );
  }
  const taskWallTimeS = request?.task_wall_time_s ?? limits.taskWallTimeS;
  if (taskWallTimeS > limits.maxTaskWallTimeS) {
    throw new ResourceError(
      "RESOURCES_INCONSISTENT",
      `Task wall time of ${taskWallTimeS} s exceeds this site's max_task_wall_time_s ${limits.maxTaskWallTimeS}`,
    );
  }
  const readPaths: Record<string, string> = {};
  for (const name of request?.read_properties ?? []) {
    if (!limits.readPathProperties.includes(name)) {
      throw new ResourceError(
        "SANDBOX_PATH_INVALID",
        `This site grants no read access to property "${name}"`,
      );
    }
    const value = scopeProperties[name];
    if (value === undefined) {
      throw new ResourceError(
        "SANDBOX_PATH_INVALID",
        `The job's privacy scope defines no property "${name}"`,
      );
    }
    if (!value.startsWith("/")) {
      throw new ResourceError(
        "SANDBOX_PATH_INVALID",
        `Property "${name}" is "${value}", not an absolute path`,
      );
    }
    try {
      readPaths[name] = await Deno.realPath(value);
    } catch {
      throw new ResourceError(
        "SANDBOX_PATH_INVALID",
        `Property "${name}" names "${value}", which does not exist`,
      );
    }
  }
  return { heapMb, taskWallTimeS, readPaths };
}
