/**
 * The tamper-evident audit trail (`audit.md`): NVFlare-compatible lines with a trailing hash
 * chain, one writer per file, rotation, crash recovery, and the verifier behind
 * `deno task audit verify`.
 *
 * @module
 */
export { AuditFile, type AuditFileOptions } from "./audit_file.ts";
export { chainHash, type ParsedLine, parseLine, ZERO_HASH } from "./audit_line.ts";
export { SiteAuditor } from "./site_auditor.ts";
export { type AuditVerdict, verifyAuditFiles } from "./verify_audit.ts";
