/** Machine-readable reasons of resource refusals (`resources-and-cc.md` §1–6). */
export type ResourceErrorCode =
  | "RESOURCES_INVALID"
  | "RESOURCES_UNKNOWN_KEY"
  | "RESOURCES_COMPONENT"
  | "RESOURCES_BUSY"
  | "RESOURCES_NEVER"
  | "RESOURCE_KEY_UNKNOWN"
  | "RESOURCE_SPEC_INVALID"
  | "RESERVATION_EXPIRED"
  | "RESERVATION_UNKNOWN"
  | "RESOURCES_INCONSISTENT"
  | "SANDBOX_PATH_INVALID";

/** A resource policy error, or a reservation the site cannot or will not grant. */
export class ResourceError extends Error {
  override name = "ResourceError";
  readonly code: ResourceErrorCode;

  constructor(code: ResourceErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
