/**
 * Job folders (`jobs.md` §1–4, §7.1, §7.3–7.4): the transfer form and its path rules, validation
 * of meta, deploy_map and app configs, folder signing and verification against a site's own root,
 * and the pure unsafe-component checks (allow-list and sandbox request).
 *
 * ```ts
 * import { loadJobFolder, signJobFiles, verifyJobFiles, readJobFolder } from "./mod.ts";
 * const job = await loadJobFolder("examples/jobs/hello-sag");
 * job.appFor("site-1"); // "app"
 * // const signed = await signJobFiles(await readJobFolder(dir), { certificatePem, key });
 * // const submitter = await verifyJobFiles(signed, rootCa); // { name, org, role, ... }
 * ```
 *
 * @module
 */
export {
  allowListMatches,
  checkComponents,
  type CheckComponentsOptions,
  type ComponentCheckResult,
  componentPath,
} from "./check_components.ts";
export { checkJobPaths } from "./check_job_paths.ts";
export {
  checkSandboxRequest,
  type SandboxCheckResult,
  type SandboxGrant,
  type SandboxLimits,
} from "./check_sandbox_request.ts";
export {
  type ClassAllowList,
  ClassAllowListError,
  type ClassAllowListErrorCode,
  DEFAULT_CLASS_ALLOW_LIST,
  parseClassAllowList,
} from "./class_allow_list.ts";
export { type ComponentNode, componentNodes } from "./component_nodes.ts";
export {
  CERT_FILE,
  DEFAULT_MAX_JOB_BYTES,
  type JobFile,
  MAX_JOB_FILES,
  RESERVED_PREFIX,
  SIG_FILE,
} from "./job_file.ts";
export { isJobId } from "./is_job_id.ts";
export { type JobErrorCode, JobValidationError } from "./job_validation_error.ts";
export { loadJobFolder } from "./load_job_folder.ts";
export { readJobFolder, type ReadJobFolderOptions } from "./read_job_folder.ts";
export { routeTask } from "./route_task.ts";
export { type JobSigner, signJobFiles } from "./sign_job_files.ts";
export { stripSignatures } from "./strip_signatures.ts";
export {
  type AppConfig,
  type ComponentConfig,
  type ConfigSide,
  type ExecutorConfig,
  type FilterChainConfig,
  type FilterDirection,
  validateAppConfig,
  type ValidateAppConfigOptions,
} from "./validate_app_config.ts";
export {
  type JobApp,
  type JobMeta,
  type ValidatedJob,
  validateJob,
  type ValidateJobOptions,
} from "./validate_job.ts";
export {
  type JobSubmitter,
  verifyJobFiles,
  type VerifyJobFilesOptions,
} from "./verify_job_files.ts";
export { writeJobFiles } from "./write_job_files.ts";
