/** Machine-readable reasons provisioning refuses a project, an addition or an archive. */
export type ProvisionErrorCode =
  | "PROJECT_FILE_INVALID"
  | "PROJECT_API_VERSION"
  | "PROJECT_NAME_INVALID"
  | "PROJECT_NO_PARTICIPANTS"
  | "PROJECT_NO_SERVER"
  | "PROJECT_MULTIPLE_SERVERS"
  | "PARTICIPANT_INVALID"
  | "PARTICIPANT_TYPE_UNSUPPORTED"
  | "PARTICIPANT_TYPE_UNKNOWN"
  | "PARTICIPANT_NAME_DUPLICATE"
  | "PARTICIPANT_NAME_INVALID"
  | "PARTICIPANT_KEY_UNSUPPORTED"
  | "ORG_INVALID"
  | "ROLE_INVALID"
  | "ADMIN_ROLE_MISSING"
  | "PORT_INVALID"
  | "HOST_NAME_INVALID"
  | "CONN_SECURITY_INVALID"
  | "CONNECT_TO_INVALID"
  | "CAPACITY_INVALID"
  | "TRANSPORT_INVALID"
  | "CUSTOM_CA_INVALID"
  | "BUILDER_UNSUPPORTED"
  | "BUILDER_ARGS_INVALID"
  | "ADDITION_KEY_INVALID"
  | "STATE_MISSING"
  | "STATE_MISMATCH"
  | "STATE_INVALID"
  | "ROOT_KEY_LOCKED"
  | "ROOT_PASSPHRASE_INVALID"
  | "ROLE_CHANGED"
  | "PASSWORD_FILE_INVALID"
  | "WORKSPACE_INVALID"
  | "KIT_ARCHIVE_DECRYPT_FAILED"
  | "KIT_ARCHIVE_PATH"
  | "KIT_ROOT_MISMATCH"
  | "KIT_ARCHIVE_DEST";

/** Provisioning or kit unpacking refused its input; `code` says why. */
export class ProvisionError extends Error {
  override name = "ProvisionError";
  readonly code: ProvisionErrorCode;

  constructor(code: ProvisionErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
