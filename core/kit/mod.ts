/**
 * Startup kits at run time: the start-time integrity check (`provisioning.md` §5) that server,
 * client and console run before anything else, kit loading with the `local/connection.json`
 * override, and the `local/` policy lookup of §6.
 *
 * ```ts
 * import { requireIntactKit } from "./mod.ts";
 * const kit = await requireIntactKit("/sites/site-a", "client"); // exits 2 on any problem
 * console.log(kit.name, kit.target);
 * ```
 *
 * @module
 */
export { findPolicyFile, type PolicyName } from "./find_policy_file.ts";
export { formatKitReport } from "./format_kit_report.ts";
export { KitError, type KitErrorCode } from "./kit_error.ts";
export { KitIntegrityError } from "./kit_integrity_error.ts";
export type { KitProblem, KitReport, KitStatus } from "./kit_report.ts";
export { CONFIG_FILES, type KitRole } from "./kit_role.ts";
export { type ConnectionSecurity, type LoadedKit, loadKit, parseTarget } from "./load_kit.ts";
export {
  assertKitIntact,
  requireIntactKit,
  type RequireIntactKitOptions,
} from "./require_intact_kit.ts";
export { verifyKit, type VerifyKitOptions } from "./verify_kit.ts";
