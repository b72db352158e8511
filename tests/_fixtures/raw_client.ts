// Low-level requests for conformance tests: build, tamper with and send signed requests.
import type { LoadedKit } from "../../core/kit/mod.ts";
import { ApiClient } from "../../core/protocol/api_client.ts";
import { establishSession, type Session } from "../../core/protocol/establish_session.ts";
import { parseCertificate, PrivateKey } from "../../core/pki/mod.ts";
import { type SessionCredentials, signRequest } from "../../core/protocol/sign_request.ts";
import { verifyResponse } from "../../core/protocol/verify_response.ts";
import { HEADERS } from "../../core/protocol/headers.ts";
import { decode, encode } from "../../core/wire/mod.ts";

/** An HTTP client presenting `kit`'s certificate (or none) and trusting `caPems`. */
export function httpClient(kit: LoadedKit | undefined, caPems: string[]): Deno.HttpClient {
  return Deno.createHttpClient({
    caCerts: caPems,
    ...(kit ? { cert: kit.certificatePem, key: kit.keyPem } : {}),
    http2: true,
    http1: true,
  });
}

export interface RawResult {
  status: number;
  reason: string | null;
  body: Record<string, unknown>;
  /** Whether the server's response signature verified. */
  signed: boolean;
}

/** Sends `message` with exactly `headers`; reads and checks the reply. */
export async function rawPost(
  client: Deno.HttpClient | undefined,
  base: string,
  route: string,
  body: Uint8Array,
  headers: Record<string, string>,
  nonce: Uint8Array,
  serverKit: LoadedKit,
): Promise<RawResult> {
  const res = await fetch(base + route, {
    method: "POST",
    body: body as Uint8Array<ArrayBuffer>,
    headers: { "content-type": "application/cbor", ...headers },
    ...(client ? { client } : {}),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const signed = (await verifyResponse(
    res.status,
    res.headers,
    bytes,
    nonce,
    parseCertificate(serverKit.certificatePem),
  )) === undefined;
  return {
    status: res.status,
    reason: res.headers.get(HEADERS.error),
    body: { ...(decode(bytes) as Record<string, unknown>) },
    signed,
  };
}

/** Signed headers for `message` under `creds`, with hooks to tamper. */
export async function signed(
  route: string,
  message: unknown,
  creds: SessionCredentials,
  options: { now?: number; bodyOverride?: unknown } = {},
): Promise<{ body: Uint8Array; headers: Record<string, string>; nonce: Uint8Array }> {
  const body = encode(message);
  const s = await signRequest("POST", route, body, creds, options.now);
  return {
    body: options.bodyOverride === undefined ? body : encode(options.bodyOverride),
    headers: s.headers,
    nonce: s.nonce,
  };
}

/** Registers (site) or logs in (admin) with a kit through the real client code. */
export async function openSession(
  kit: LoadedKit,
  target: string,
  role: "site" | "admin",
): Promise<{ api: ApiClient; session: Session }> {
  const api = new ApiClient({
    target,
    security: kit.connectionSecurity,
    caPem: kit.customRootCaPem && kit.connectionSecurity === "tls"
      ? kit.customRootCaPem
      : kit.rootCaPem,
    certPem: kit.certificatePem,
    keyPem: kit.keyPem,
  });
  try {
    const session = await establishSession(api, {
      role,
      name: kit.name,
      project: kit.project,
      serverIdentity: kit.serverIdentity,
      certificate: parseCertificate(kit.certificatePem),
      key: PrivateKey.fromPem(kit.keyPem),
      rootCa: parseCertificate(kit.rootCaPem),
    });
    return { api, session };
  } catch (err) {
    api.close();
    throw err;
  }
}
