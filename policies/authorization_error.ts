/** Codes of `AuthorizationError`. */
export type AuthorizationErrorCode = "NOT_AUTHORIZED" | "UNKNOWN_COMMAND";

/**
 * A refused console command (`authorization.md` §6): `NOT_AUTHORIZED` with the message
 * `user '<name>' is not authorized for '<right>'` (the server prefixes `Authorization Error: `, a
 * client `site <name>: `), or `UNKNOWN_COMMAND` for a name outside the command table.
 */
export class AuthorizationError extends Error {
  override name = "AuthorizationError";
  /** Machine-readable reason. */
  readonly code: AuthorizationErrorCode;

  constructor(code: AuthorizationErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  /** The denial of `right` to the user named `user`, as §4 words it. */
  static notAuthorized(user: string, right: string): AuthorizationError {
    return new AuthorizationError(
      "NOT_AUTHORIZED",
      `user '${user}' is not authorized for '${right}'`,
    );
  }
}
