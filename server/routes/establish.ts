// Registration (sites) and login (console): the server side of wire-and-auth.md §3 and §6.
import {
  type Certificate,
  CertificateError,
  checkCertificate,
  parseCertificate,
  readIdentity,
  sign,
  verifySignature,
} from "../../core/pki/mod.ts";
import { x509 } from "../../core/pki/_x509.ts";
import { AuthenticationError } from "../../core/protocol/authentication_error.ts";
import type { AuthReason } from "../../core/protocol/auth_reason.ts";
import { K } from "../../core/protocol/api_kinds.ts";
import { constantTimeEqual } from "../../core/protocol/constant_time_equal.ts";
import { LABELS } from "../../core/protocol/labels.ts";
import { tbs } from "../../core/protocol/tbs.ts";
import { fingerprintBytes } from "../_fingerprint_bytes.ts";
import type { ConnectionInfo, ServerContext } from "../server_context.ts";
import type { LiveSession } from "../sessions/session_registry.ts";
import { toHex } from "../../core/util/to_hex.ts";

const CERT_REASONS: Record<CertificateError["code"], AuthReason> = {
  CERT_MALFORMED: "bad_chain",
  CERT_ROOT_INVALID: "bad_chain",
  CERT_UNTRUSTED: "bad_chain",
  CERT_IS_CA: "bad_chain",
  CERT_EXPIRED: "cert_expired",
  CERT_NOT_YET_VALID: "cert_expired",
  CERT_WRONG_USAGE: "wrong_eku",
  CERT_NAME_MISMATCH: "cn_mismatch",
};

/** Step 2: a fresh challenge signed with the server key. */
export async function openChallenge(
  ctx: ServerContext,
  kind: "site" | "admin",
  name: string,
  project: string,
  nonceC: Uint8Array,
): Promise<Record<string, unknown>> {
  const nonceS = crypto.getRandomValues(new Uint8Array(32));
  const regId = ctx.challenges.open({ kind, name, project, nonceC, nonceS });
  const { serverName } = ctx.settings;
  const sigS = await sign(
    ctx.key,
    tbs(
      kind === "admin" ? LABELS.adminServer : LABELS.regServer,
      ctx.settings.project,
      serverName,
      name,
      nonceC,
      nonceS,
    ),
  );
  const fields = {
    server_name: serverName,
    reg_id: regId,
    nonce_s: nonceS,
    cert: ctx.certificateDer,
    sig_s: sigS,
  };
  return kind === "admin" ? K.adminChallengeReply.make(fields) : K.regChallengeReply.make(fields);
}

/** The verified outcome of step 5. */
export interface EstablishedIdentity {
  name: string;
  org: string;
  role?: string;
  certificate: Certificate;
  fingerprint: Uint8Array;
}

/**
 * Step 5 for sites and admins, in the spec's order. Throws AuthenticationError with the reason.
 */
export async function completeChallenge(
  ctx: ServerContext,
  kind: "site" | "admin",
  msg: { reg_id: Uint8Array; name: string; cert: Uint8Array; sig_c: Uint8Array },
  conn: ConnectionInfo,
  now: number = Date.now(),
): Promise<EstablishedIdentity> {
  const claimed = msg.name;
  const fail = (reason: AuthReason, text: string): never => {
    throw new AuthenticationError(reason, text, { claimed });
  };
  const pending = ctx.challenges.take(msg.reg_id, kind, now);
  if (pending.name !== msg.name) {
    fail("no_registration_session", `The challenge was opened for "${pending.name}"`);
  }
  let cert: Certificate;
  try {
    cert = parseCertificate(msg.cert);
  } catch {
    return fail("bad_chain", "Certificate cannot be parsed");
  }
  try {
    await checkCertificate(cert, ctx.rootCa, {
      usage: "clientAuth",
      name: msg.name,
      at: new Date(now),
    });
  } catch (err) {
    if (err instanceof CertificateError) fail(CERT_REASONS[err.code], err.message);
    throw err;
  }
  const identity = readIdentity(cert);
  if (kind === "admin") {
    // An admin certificate carries org and role and may sign (wire-and-auth.md §6).
    const ku = cert.getExtension(x509.KeyUsagesExtension);
    const signs = ku !== null && (ku.usages & x509.KeyUsageFlags.digitalSignature) !== 0;
    if (!signs || !identity.org || !identity.role) {
      fail("wrong_eku", "Not an admin certificate: it needs digitalSignature, an O and a role");
    }
  } else if (identity.role !== undefined || !identity.org) {
    fail("wrong_eku", "Not a site certificate: it needs an O and no role");
  }
  if (pending.project !== ctx.settings.project) {
    fail("project_mismatch", `Project "${pending.project}" is not "${ctx.settings.project}"`);
  }
  const fp = fingerprintBytes(msg.cert);
  if (
    ctx.settings.security === "mtls" &&
    (!conn.peer || !constantTimeEqual(conn.peer.fingerprint, fp))
  ) {
    fail("tls_cert_mismatch", "The TLS client certificate is not the certificate presented");
  }
  const signed = tbs(
    kind === "admin" ? LABELS.adminClient : LABELS.regClient,
    ctx.settings.project,
    msg.name,
    ctx.settings.serverName,
    pending.nonceS,
    pending.nonceC,
  );
  if (!await verifySignature(cert, signed, msg.sig_c)) {
    fail("bad_signature", "Challenge signature does not verify with the presented certificate");
  }
  return {
    name: identity.name,
    org: identity.org!,
    ...(identity.role === undefined ? {} : { role: identity.role }),
    certificate: cert,
    fingerprint: fp,
  };
}

/** Starts the session for an established identity and returns the session reply fields. */
export async function startSession(
  ctx: ServerContext,
  kind: "site" | "admin",
  id: EstablishedIdentity,
  conn: ConnectionInfo,
  now: number = Date.now(),
): Promise<{ token: string; sid: Uint8Array; expires_at: number; server_time: number }> {
  const iat = Math.floor(now / 1000);
  const exp = kind === "admin"
    ? Math.min(iat + 28_800, Math.floor(id.certificate.notAfter.getTime() / 1000))
    : iat + ctx.settings.tokenTtlS;
  const sid = crypto.getRandomValues(new Uint8Array(16));
  const token = await ctx.tokens.issue({
    typ: kind,
    sub: id.name,
    org: id.org,
    ...(id.role === undefined ? {} : { role: id.role }),
    fp: id.fingerprint,
    sid,
    iat,
    exp,
    prj: ctx.settings.project,
  });
  ctx.sessions.start({
    typ: kind,
    name: id.name,
    org: id.org,
    ...(id.role === undefined ? {} : { role: id.role }),
    sid,
    sidHex: toHex(sid),
    certificate: id.certificate,
    fingerprint: id.fingerprint,
    expiresAt: exp * 1000,
    lastSeen: now,
    address: conn.remote,
  });
  return { token, sid, expires_at: exp, server_time: iat };
}

/**
 * A new token for a live site session: same session id, so requests in flight with the old
 * token still pass; only the expiry moves.
 */
export async function renewSession(
  ctx: ServerContext,
  s: LiveSession,
  now: number = Date.now(),
): Promise<{ token: string; expires_at: number; server_time: number }> {
  const iat = Math.floor(now / 1000);
  const exp = iat + ctx.settings.tokenTtlS;
  const token = await ctx.tokens.issue({
    typ: "site",
    sub: s.name,
    org: s.org,
    fp: s.fingerprint,
    sid: s.sid,
    iat,
    exp,
    prj: ctx.settings.project,
  });
  s.expiresAt = exp * 1000;
  return { token, expires_at: exp, server_time: iat };
}
