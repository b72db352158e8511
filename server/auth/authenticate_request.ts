import { fromBase64Url } from "../../core/protocol/base64.ts";
import { AuthenticationError } from "../../core/protocol/authentication_error.ts";
import { constantTimeEqual } from "../../core/protocol/constant_time_equal.ts";
import { contentDigest, sha256 } from "../../core/protocol/content_digest.ts";
import { HEADERS } from "../../core/protocol/headers.ts";
import { LABELS } from "../../core/protocol/labels.ts";
import { tbs } from "../../core/protocol/tbs.ts";
import { verifySignature } from "../../core/pki/mod.ts";
import type { ConnectionInfo, ServerContext } from "../server_context.ts";
import type { LiveSession } from "../sessions/session_registry.ts";
import { toHex } from "../../core/util/to_hex.ts";

/** A request as the checks see it: the raw bytes exactly as received. */
export interface IncomingRequest {
  method: string;
  /** Path and query exactly as sent. */
  target: string;
  headers: Headers;
  body: Uint8Array;
  conn: ConnectionInfo;
  /** Aborts when the peer goes away (a held poll then takes nothing). */
  signal?: AbortSignal;
}

const enc = new TextEncoder();

/** What the header checks established, for the body checks. */
export interface PendingAuthentication {
  session: LiveSession;
  claims: { sub: string; sid: Uint8Array };
  timestamp: number;
}

/**
 * The checks of `wire-and-auth.md` §5 that need only the headers (token, session, TLS binding,
 * clock), run before the body is read, so an unauthenticated peer cannot make the server buffer
 * a large body. The first failing check decides the reason.
 *
 * @throws {AuthenticationError} with the reason code
 */
export async function authenticateHeaders(
  ctx: ServerContext,
  headers: Headers,
  conn: ConnectionInfo,
  typ: "site" | "admin",
  now: number = Date.now(),
): Promise<PendingAuthentication> {
  const fail = (
    reason: ConstructorParameters<typeof AuthenticationError>[0],
    msg: string,
    claimed?: string,
  ): never => {
    throw new AuthenticationError(reason, msg, claimed === undefined ? {} : { claimed });
  };

  const auth = headers.get(HEADERS.authorization);
  if (auth === null) fail("missing_token", "No Authorization header");
  const m = /^Stockade ([A-Za-z0-9_.-]{1,4096})$/.exec(auth!);
  if (!m) fail("malformed_token", 'Authorization header is not "Stockade <token>"');
  const claims = await ctx.tokens.verify(m![1]!);
  const who = claims.sub;
  if (claims.exp * 1000 <= now) fail("token_expired", "Session token has expired", who);
  const session = ctx.sessions.get(claims.typ, claims.sub);
  if (!session || !constantTimeEqual(session.sid, claims.sid)) {
    fail("session_replaced", "Session has ended or been replaced; register again", who);
  }
  if (claims.typ !== typ) {
    fail("wrong_token_type", `A ${claims.typ} token cannot be used here`, who);
  }
  if (typ === "admin" && now - session!.lastSeen > ctx.settings.adminIdleTimeoutS * 1000) {
    ctx.sessions.end("admin", who);
    fail("token_expired", "Console session was idle too long; log in again", who);
  }

  if (ctx.settings.security === "mtls") {
    const peer = conn.peer;
    if (!peer || !constantTimeEqual(peer.fingerprint, claims.fp)) {
      fail("tls_cert_mismatch", "TLS client certificate is not the session's certificate", who);
    }
  }

  const tsText = headers.get(HEADERS.timestamp) ?? "";
  const ts = /^[0-9]{1,16}$/.test(tsText) ? Number(tsText) : NaN;
  if (!(Math.abs(now - ts) <= ctx.settings.maxClockSkewS * 1000)) {
    fail("stale_timestamp", "Request timestamp is missing or outside the allowed clock skew", who);
  }
  return { session: session!, claims, timestamp: ts };
}

/**
 * The rest of §5 once the body is read: digest, signature over method, target, body hash,
 * timestamp, nonce and session id, the replay cache, and the site's enabled state. Returns the
 * live session. The body-name check needs the decoded body and is done by `requireName()`.
 *
 * @throws {AuthenticationError} with the reason code
 */
export async function authenticateBody(
  ctx: ServerContext,
  req: IncomingRequest,
  pending: PendingAuthentication,
  typ: "site" | "admin",
  now: number = Date.now(),
): Promise<LiveSession> {
  const { session, claims, timestamp: ts } = pending;
  const who = claims.sub;
  const fail = (
    reason: ConstructorParameters<typeof AuthenticationError>[0],
    msg: string,
  ): never => {
    throw new AuthenticationError(reason, msg, { claimed: who });
  };
  const hash = await sha256(req.body);
  const digest = req.headers.get(HEADERS.digest) ?? "";
  if (!constantTimeEqual(enc.encode(digest), enc.encode(contentDigest(hash)))) {
    fail("digest_mismatch", "Body does not match Content-Digest");
  }

  const sigText = req.headers.get(HEADERS.signature);
  if (sigText === null) fail("missing_signature", "No Stockade-Signature header");
  const sig = fromBase64Url(sigText!);
  const nonce = fromBase64Url(req.headers.get(HEADERS.nonce) ?? "");
  if (!sig || !nonce || nonce.length !== 16) {
    fail("bad_signature", "Signature or nonce is malformed");
  }
  const signed = tbs(LABELS.request, req.method, req.target, hash, ts, nonce!, claims.sid);
  if (!await verifySignature(session.certificate, signed, sig!)) {
    fail("bad_signature", "Request signature does not verify with the session's certificate");
  }

  const seen = ctx.replay.check(session.sidHex, toHex(nonce!), now);
  if (seen === "replay") fail("replay", "Nonce was already used in this session");
  if (seen === "full") fail("rate_limited", "Too many requests in this session");

  if (typ === "site" && ctx.sessions.isDisabled(who)) {
    fail("client_disabled", `Site "${who}" is disabled`);
  }
  session.lastSeen = now;
  return session;
}

/** The body-name check of §5: the name in the body must be the token's subject. */
export function requireName(session: LiveSession, named: unknown): void {
  if (named !== session.name) {
    throw new AuthenticationError(
      "name_mismatch",
      `Body names "${String(named)}" but the session belongs to "${session.name}"`,
      { claimed: session.name },
    );
  }
}

/** Both phases, for a request whose body is already read. */
export async function authenticateRequest(
  ctx: ServerContext,
  req: IncomingRequest,
  typ: "site" | "admin",
  now: number = Date.now(),
): Promise<LiveSession> {
  const pending = await authenticateHeaders(ctx, req.headers, req.conn, typ, now);
  return authenticateBody(ctx, req, pending, typ, now);
}
