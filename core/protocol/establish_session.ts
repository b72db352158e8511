import {
  type Certificate,
  checkCertificate,
  parseCertificate,
  type PrivateKey,
  sign,
  verifySignature,
} from "../pki/mod.ts";
import { decode } from "../wire/mod.ts";
import type { ApiClient } from "./api_client.ts";
import { TransportError } from "./api_error.ts";
import { K, ROUTES } from "./api_kinds.ts";
import { LABELS } from "./labels.ts";
import type { SessionCredentials } from "./sign_request.ts";
import { tbs } from "./tbs.ts";

/** Who is asking for a session, from its verified kit. */
export interface SessionIdentity {
  role: "site" | "admin";
  /** Site name or admin e-mail: the CN of `certificate`. */
  name: string;
  project: string;
  /** CN the server certificate must carry (`servers[0].identity`). */
  serverIdentity: string;
  certificate: Certificate;
  key: PrivateKey;
  rootCa: Certificate;
  siteInfo?: Record<string, unknown>;
}

/** An open session: what signs requests, and what the server said about it. */
export interface Session extends SessionCredentials {
  expiresAt: number;
  /** Server clock minus ours at login, in milliseconds. */
  clockOffsetMs: number;
  /** From the admin's certificate, as the server read it (admins only). */
  org?: string;
  role?: string;
}

/**
 * The mutual challenge–response of `wire-and-auth.md` §3 (sites) and §6 (console): the server
 * proves it holds the project's server key before the client signs anything, then the client
 * proves it holds its own. Sets `api.serverCert`. Throws ApiError when the server refuses and
 * TransportError when the server cannot be trusted or reached.
 */
export async function establishSession(api: ApiClient, who: SessionIdentity): Promise<Session> {
  const admin = who.role === "admin";
  const nonceC = crypto.getRandomValues(new Uint8Array(32));
  const challenge = admin
    ? K.adminChallenge.make({ user_name: who.name, project: who.project, nonce_c: nonceC })
    : K.regChallenge.make({ client_name: who.name, project: who.project, nonce_c: nonceC });
  const raw = await api.exchange(admin ? ROUTES.adminChallenge : ROUTES.regChallenge, challenge);

  // The reply names the certificate that must have signed it: check that certificate first.
  let peek: Record<string, unknown> = {};
  try {
    const v = decode(raw.body);
    if (typeof v === "object" && v !== null) peek = v as Record<string, unknown>;
  } catch {
    // Reported below as a reply without a certificate.
  }
  if (peek.kind === "error") {
    // Nothing can verify a refusal before the server is known: report it as unverified.
    throw new TransportError(
      `The server refused the challenge with status ${raw.status} (unverified): ` +
        `${String(peek.code)} ${String(peek.reason ?? "")} ${String(peek.message ?? "")}`.trim(),
    );
  }
  if (!(peek.cert instanceof Uint8Array)) {
    throw new TransportError(`The challenge reply (status ${raw.status}) carries no certificate`);
  }
  let serverCert: Certificate;
  try {
    serverCert = parseCertificate(peek.cert);
  } catch {
    throw new TransportError("The challenge reply carries an unreadable certificate");
  }
  try {
    await checkCertificate(serverCert, who.rootCa, {
      usage: "serverAuth",
      name: who.serverIdentity,
    });
  } catch (err) {
    throw new TransportError(
      `The server is not "${who.serverIdentity}" of this project: ${(err as Error).message}`,
    );
  }
  const body = await api.open(raw, serverCert);
  if (body.kind !== (admin ? "admin.challenge_reply" : "reg.challenge_reply")) {
    throw new TransportError(`Unexpected reply "${body.kind}" to a challenge`);
  }
  const serverName = body.server_name as string;
  const nonceS = body.nonce_s as Uint8Array;
  if (serverName !== who.serverIdentity) {
    throw new TransportError(
      `The server calls itself "${serverName}", expected "${who.serverIdentity}"`,
    );
  }
  const serverProof = tbs(
    admin ? LABELS.adminServer : LABELS.regServer,
    who.project,
    serverName,
    who.name,
    nonceC,
    nonceS,
  );
  if (!await verifySignature(serverCert, serverProof, body.sig_s as Uint8Array)) {
    throw new TransportError("The server's challenge signature does not verify");
  }
  api.serverCert = serverCert;

  const sigC = await sign(
    who.key,
    tbs(
      admin ? LABELS.adminClient : LABELS.regClient,
      who.project,
      who.name,
      serverName,
      nonceS,
      nonceC,
    ),
  );
  const cert = new Uint8Array(who.certificate.rawData);
  const regId = body.reg_id as Uint8Array;
  const t0 = Date.now();
  const reply = admin
    ? await api.call(
      ROUTES.adminLogin,
      K.adminLogin.make({
        reg_id: regId,
        user_name: who.name,
        cert,
        sig_c: sigC,
      }),
      ["admin.session"],
    )
    : await api.call(
      ROUTES.register,
      K.regRegister.make({
        reg_id: regId,
        client_name: who.name,
        cert,
        sig_c: sigC,
        ...(who.siteInfo ? { site_info: who.siteInfo } : {}),
      }),
      ["reg.session"],
    );
  const t1 = Date.now();
  return {
    token: reply.token as string,
    sid: reply.sid as Uint8Array,
    key: who.key,
    expiresAt: reply.expires_at as number,
    clockOffsetMs: (reply.server_time as number) * 1000 - (t0 + t1) / 2,
    ...(admin ? { org: reply.org as string, role: reply.role as string } : {}),
  };
}
