/** HTTP header names of the request and response authentication (`wire-and-auth.md` §5). */
export const HEADERS = Object.freeze({
  authorization: "authorization",
  timestamp: "stockade-timestamp",
  nonce: "stockade-nonce",
  digest: "content-digest",
  signature: "stockade-signature",
  error: "stockade-error",
});

/** The media type of every request and response body. */
export const CBOR_TYPE = "application/cbor";
