import { type PrivateKey, sign } from "../pki/mod.ts";
import { toBase64Url } from "./base64.ts";
import { contentDigest, sha256 } from "./content_digest.ts";
import { HEADERS } from "./headers.ts";
import { LABELS } from "./labels.ts";
import { tbs } from "./tbs.ts";

/** A session as the holder of the token sees it. */
export interface SessionCredentials {
  token: string;
  sid: Uint8Array;
  key: PrivateKey;
}

/**
 * The authentication headers of one request (`wire-and-auth.md` §5): token, timestamp, a fresh
 * nonce, the body digest, and the signature over method, path and query exactly as sent, body
 * hash, timestamp, nonce and session id.
 */
export async function signRequest(
  method: string,
  pathAndQuery: string,
  body: Uint8Array,
  session: SessionCredentials,
  now: number = Date.now(),
): Promise<{ headers: Record<string, string>; nonce: Uint8Array }> {
  const nonce = crypto.getRandomValues(new Uint8Array(16));
  const hash = await sha256(body);
  const timestamp = Math.floor(now);
  const signature = await sign(
    session.key,
    tbs(LABELS.request, method, pathAndQuery, hash, timestamp, nonce, session.sid),
  );
  return {
    nonce,
    headers: {
      [HEADERS.authorization]: `Stockade ${session.token}`,
      [HEADERS.timestamp]: String(timestamp),
      [HEADERS.nonce]: toBase64Url(nonce),
      [HEADERS.digest]: contentDigest(hash),
      [HEADERS.signature]: toBase64Url(signature),
    },
  };
}
