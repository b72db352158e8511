/**
 * Why a request, registration or login was refused (`wire-and-auth.md` §5), with its HTTP status.
 * The reason travels in the `error` body and the `Stockade-Error` header and is audited.
 */
export const AUTH_REASONS = Object.freeze({
  missing_token: 401,
  malformed_token: 401,
  bad_token_signature: 401,
  token_expired: 401,
  session_replaced: 401,
  wrong_token_type: 401,
  tls_cert_mismatch: 401,
  stale_timestamp: 401,
  digest_mismatch: 401,
  missing_signature: 401,
  bad_signature: 401,
  replay: 401,
  name_mismatch: 401,
  client_disabled: 403,
  no_registration_session: 401,
  registration_expired: 401,
  bad_chain: 401,
  cert_expired: 401,
  wrong_eku: 401,
  cn_mismatch: 401,
  project_mismatch: 401,
  too_many_clients: 403,
  cc_verification_failed: 403,
  /** No verified TLS peer for this connection (mtls), e.g. a direct dial of the loopback backend. */
  no_client_cert: 401,
  rate_limited: 429,
});

export type AuthReason = keyof typeof AUTH_REASONS;
