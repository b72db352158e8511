/**
 * Site resources (`resources-and-cc.md` §1–6): `resources.json`, the slot and GPU managers, the
 * all-or-nothing reservation protocol with expiry and job concurrency, and the executor sandbox a
 * job gets at a site.
 *
 * @module
 */
export { type GpuHold, GpuResourceManager } from "./gpu_resource_manager.ts";
export { type JobSandbox, jobSandbox, type SandboxRequest } from "./job_sandbox.ts";
export {
  type ComponentEntry,
  parseResources,
  type SandboxLimits,
  type SiteResources,
} from "./parse_resources.ts";
export { ResourceError, type ResourceErrorCode } from "./resource_error.ts";
export type { ResourceManager, ResourceRequest } from "./resource_manager.ts";
export { Reservations } from "./reservations.ts";
export { SlotResourceManager } from "./slot_resource_manager.ts";
export { loadResources } from "./load_resources.ts";
