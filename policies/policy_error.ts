/**
 * Codes of `PolicyError`: those of `authorization.md` §3, plus `AUTHZ_SYNTAX` (the file is not
 * UTF-8 JSON or YAML) and `AUTHZ_FILE` (no policy file, or it cannot be read).
 */
export type PolicyErrorCode =
  | "AUTHZ_EMPTY"
  | "AUTHZ_NOT_OBJECT"
  | "AUTHZ_FORMAT_VERSION"
  | "AUTHZ_NO_PERMISSIONS"
  | "AUTHZ_PERMISSIONS_TYPE"
  | "AUTHZ_ROLE_CONFIG_TYPE"
  | "AUTHZ_EXPRESSION_TYPE"
  | "AUTHZ_EMPTY_LIST"
  | "AUTHZ_CONDITION_TYPE"
  | "AUTHZ_CONDITION"
  | "AUTHZ_DUPLICATE_KEY"
  | "AUTHZ_SYNTAX"
  | "AUTHZ_FILE";

/** An authorization policy that cannot be loaded; the message names the file and JSON path. */
export class PolicyError extends Error {
  override name = "PolicyError";
  /** Machine-readable reason. */
  readonly code: PolicyErrorCode;

  constructor(code: PolicyErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
