/**
 * Role launchers (`overview.md`, "Processes and their permissions"): the exact Deno permission
 * flags of the server and client processes, computed from their kits; supervision (restart on
 * crash with backoff, `shutdown.fl`, `restart.fl`, signals); and a sandbox probe the roles run
 * for `--check-sandbox`.
 *
 * ```ts
 * import { roleFlags, supervise } from "./mod.ts";
 * import { requireIntactKit } from "../kit/mod.ts";
 * const kit = await requireIntactKit("/sites/site-a", "client");
 * const flags = roleFlags("client", kit);
 * Deno.exit(await supervise({ args: ["run", ...flags, "client/main.ts", "--kit", kit.kitDir], kitDir: kit.kitDir }));
 * ```
 *
 * @module
 */
export { probeSandbox, type SandboxReport, type SandboxTargets } from "./probe_sandbox.ts";
export {
  IGNORED_ENV,
  type LaunchRole,
  roleFlags,
  type RoleFlagsOptions,
  RUNTIME_DIR,
  runtimeSourceEntries,
  TERMINATOR_SOURCE_ADDRESSES,
} from "./role_flags.ts";
export { runLauncher, type RunLauncherOptions } from "./run_launcher.ts";
export { supervise, type SuperviseOptions } from "./supervise.ts";
export { type StartedRole, startRole } from "./start_role.ts";
export { processInfo } from "./process_info.ts";
export { isLogLevel, LOG_LEVELS, type LogLevel, logsAt } from "./log_level.ts";
export { loadSitePolicies, type SitePolicies } from "./load_site_policies.ts";
export { grantableDataPaths } from "./grantable_data_paths.ts";
export { roleArgs } from "./role_args.ts";
