/** Codes of `KitError`. */
export type KitErrorCode =
  | "KIT_CONFIG_INVALID"
  | "CONNECTION_OVERRIDE_INVALID"
  | "POLICY_AMBIGUOUS";

/** A kit's configuration cannot be loaded (after its integrity check passed). */
export class KitError extends Error {
  override name = "KitError";
  /** Machine-readable reason. */
  readonly code: KitErrorCode;

  constructor(code: KitErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
