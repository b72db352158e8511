/** Decoder limits; a site sets them in the `wire` section of its `resources.json`. */
export interface DecodeLimits {
  /** Largest accepted message, in bytes. */
  maxMessageBytes: number;
  /** Deepest nesting of arrays and maps. */
  maxDepth: number;
  /** Most entries of one array or map. */
  maxEntries: number;
  /** Most data items in one message. */
  maxItems: number;
  /** Longest text string, in bytes. */
  maxTextBytes: number;
  /** Longest map key, in bytes. */
  maxKeyBytes: number;
}

/** The defaults of `wire-and-auth.md` §1. */
export const DEFAULT_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxMessageBytes: 1024 ** 3,
  maxDepth: 32,
  maxEntries: 65_536,
  maxItems: 1_000_000,
  maxTextBytes: 16 * 1024 ** 2,
  maxKeyBytes: 256,
});

/** The names used in `resources.json` and in `CBOR_LIMIT` errors. */
export const LIMIT_NAMES: Readonly<Record<keyof DecodeLimits, string>> = Object.freeze({
  maxMessageBytes: "max_message_bytes",
  maxDepth: "max_depth",
  maxEntries: "max_entries",
  maxItems: "max_items",
  maxTextBytes: "max_text_bytes",
  maxKeyBytes: "max_key_bytes",
});
