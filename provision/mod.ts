/**
 * Provisioning (`provisioning.md`): project.yml → signed startup kits, dynamic additions under
 * the same root, and encrypted kit archives. The start-time kit check lives in `core/kit/`.
 *
 * ```ts
 * import { provisionProject } from "./mod.ts";
 * const result = await provisionProject({ projectFile: "project.yml", workspace: "workspace" });
 * console.log(result.prodDir, result.rootFingerprint);
 * ```
 *
 * @module
 */
export type { CommonProvisionOptions, KitSummary, ProvisionResult } from "./_build.ts";
export { addParticipant, type AddParticipantOptions } from "./add_participant.ts";
export {
  ARCHIVE_SCRYPT,
  type KitArchiveEntry,
  type KitArchiveHeader,
  readKitArchiveHeader,
  sealKitEntries,
  unpackKitArchive,
  type UnpackKitArchiveOptions,
  writeKitArchive,
  type WriteKitArchiveOptions,
} from "./kit_archive.ts";
export { generateKitPassword, normalizeKitPassword } from "./kit_password.ts";
export { type ParsedProject, parseProject } from "./parse_project.ts";
export type {
  AdminParticipant,
  CertSettings,
  ClientParticipant,
  ConnectTo,
  Participant,
  Project,
  ServerParticipant,
} from "./project.ts";
export { ProvisionError, type ProvisionErrorCode } from "./provision_error.ts";
export { type ProvisionOptions, provisionProject } from "./provision_project.ts";
