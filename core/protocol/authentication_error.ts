import { AUTH_REASONS, type AuthReason } from "./auth_reason.ts";

/** A refused identity: registration, login or request authentication failed for `reason`. */
export class AuthenticationError extends Error {
  override name = "AuthenticationError";
  readonly reason: AuthReason;
  /** `UNAUTHENTICATED`, `FORBIDDEN` (403) or `RATE_LIMITED` (429). */
  readonly code: "UNAUTHENTICATED" | "FORBIDDEN" | "RATE_LIMITED";
  readonly status: 401 | 403 | 429;
  /** The name the peer claimed, for the audit line (`?` when unknown). */
  readonly claimed: string;

  constructor(
    reason: AuthReason,
    message: string,
    options: { claimed?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.reason = reason;
    this.status = AUTH_REASONS[reason] as 401 | 403 | 429;
    this.code = this.status === 403
      ? "FORBIDDEN"
      : this.status === 429
      ? "RATE_LIMITED"
      : "UNAUTHENTICATED";
    this.claimed = options.claimed ?? "?";
  }
}
