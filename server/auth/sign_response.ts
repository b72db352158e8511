import { sign } from "../../core/pki/mod.ts";
import { toBase64Url } from "../../core/protocol/base64.ts";
import { contentDigest, sha256 } from "../../core/protocol/content_digest.ts";
import { HEADERS } from "../../core/protocol/headers.ts";
import { LABELS } from "../../core/protocol/labels.ts";
import { tbs } from "../../core/protocol/tbs.ts";
import type { ServerContext } from "../server_context.ts";

/**
 * Headers that let clients and the console check a response came from the server unaltered:
 * Sign(server key, TBS[label, status, request nonce, body SHA-256, timestamp]).
 */
export async function signResponse(
  ctx: ServerContext,
  status: number,
  requestNonce: Uint8Array,
  body: Uint8Array,
): Promise<Record<string, string>> {
  const hash = await sha256(body);
  const timestamp = Date.now();
  const sig = await sign(ctx.key, tbs(LABELS.response, status, requestNonce, hash, timestamp));
  return {
    [HEADERS.timestamp]: String(timestamp),
    [HEADERS.digest]: contentDigest(hash),
    [HEADERS.signature]: toBase64Url(sig),
  };
}
