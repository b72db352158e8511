import { type Certificate, verifySignature } from "../pki/mod.ts";
import { fromBase64Url } from "./base64.ts";
import { contentDigest, sha256 } from "./content_digest.ts";
import { constantTimeEqual } from "./constant_time_equal.ts";
import { HEADERS } from "./headers.ts";
import { LABELS } from "./labels.ts";
import { tbs } from "./tbs.ts";

/**
 * Checks the server's signature on a response (`wire-and-auth.md` §5): digest of the body, and
 * Sign(server key, TBS[label, status, request nonce, body hash, timestamp]). Returns a reason
 * when the response must be dropped, or undefined when it is authentic.
 */
export async function verifyResponse(
  status: number,
  headers: Headers,
  body: Uint8Array,
  requestNonce: Uint8Array,
  server: Certificate,
): Promise<string | undefined> {
  const ts = headers.get(HEADERS.timestamp);
  const digest = headers.get(HEADERS.digest);
  const sigText = headers.get(HEADERS.signature);
  if (ts === null || digest === null || sigText === null) return "response is not signed";
  if (!/^[0-9]{1,16}$/.test(ts)) return "response timestamp is malformed";
  const hash = await sha256(body);
  const enc = new TextEncoder();
  if (!constantTimeEqual(enc.encode(digest), enc.encode(contentDigest(hash)))) {
    return "response body does not match its digest";
  }
  const sig = fromBase64Url(sigText);
  if (sig === undefined) return "response signature is malformed";
  const ok = await verifySignature(
    server,
    tbs(LABELS.response, status, requestNonce, hash, Number(ts)),
    sig,
  );
  return ok ? undefined : "response signature does not verify with the server certificate";
}
