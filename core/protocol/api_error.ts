/** The server answered with an `error` body: `code`, the auth `reason` if any, and HTTP status. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly reason: string | undefined;

  constructor(status: number, code: string, message: string, reason?: string) {
    super(reason ? `${message} (${code}: ${reason})` : `${message} (${code})`);
    this.status = status;
    this.code = code;
    this.reason = reason;
  }
}

/**
 * The exchange did not complete or its reply cannot be trusted: connection refused, TLS failure,
 * timeout, an unsigned or forged response. Retrying later may succeed.
 */
export class TransportError extends Error {
  override name = "TransportError";
}
