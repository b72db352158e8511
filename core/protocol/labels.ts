/**
 * The first element of every signed structure (`wire-and-auth.md` §3–6): a signature made for one
 * purpose never verifies for another.
 */
export const LABELS = Object.freeze({
  regServer: "stockade/reg/server/v1",
  regClient: "stockade/reg/client/v1",
  adminServer: "stockade/admin/server/v1",
  adminClient: "stockade/admin/client/v1",
  token: "stockade/token/v1",
  request: "stockade/req/v1",
  response: "stockade/resp/v1",
});
