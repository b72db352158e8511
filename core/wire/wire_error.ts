/** Machine-readable reasons a message is refused by the codec or the kind registry. */
export type WireErrorCode =
  | "CBOR_MALFORMED"
  | "CBOR_TYPE_REJECTED"
  | "CBOR_TAG_REJECTED"
  | "CBOR_KEY_REJECTED"
  | "CBOR_LIMIT"
  | "CBOR_TRAILING"
  | "UNKNOWN_KIND"
  | "KIND_ROUTE_MISMATCH"
  | "SCHEMA_VIOLATION";

/** Where and why a message was refused; the server answers it with HTTP 400. */
export interface WireErrorDetail {
  /** Byte offset of the offending data item in the message, when decoding. */
  offset?: number;
  /** Path of the offending value, e.g. `$.weights[3].shape`. */
  path?: string;
  /** The rejected tag number, for `CBOR_TAG_REJECTED`. */
  tag?: number;
  /** The exceeded limit's name (`max_depth`, …), for `CBOR_LIMIT`. */
  limit?: string;
}

/**
 * A message that is not acceptable: malformed CBOR, a value outside the strict subset, a limit
 * exceeded, or a body that does not match its kind's schema.
 */
export class WireError extends Error {
  override name = "WireError";
  readonly code: WireErrorCode;
  readonly status = 400;
  readonly offset: number | undefined;
  readonly path: string | undefined;
  readonly tag: number | undefined;
  readonly limit: string | undefined;

  constructor(code: WireErrorCode, message: string, detail: WireErrorDetail = {}) {
    const where = [
      detail.offset === undefined ? "" : `at byte ${detail.offset}`,
      detail.path === undefined ? "" : `at ${detail.path}`,
    ].filter(Boolean).join(" ");
    super(where ? `${message} (${where})` : message);
    this.code = code;
    this.offset = detail.offset;
    this.path = detail.path;
    this.tag = detail.tag;
    this.limit = detail.limit;
  }
}
