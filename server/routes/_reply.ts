// Turning handler results and refusals into signed CBOR responses, and auditing refusals.
import { AuthenticationError } from "../../core/protocol/authentication_error.ts";
import { fromBase64Url } from "../../core/protocol/base64.ts";
import { CBOR_TYPE, HEADERS } from "../../core/protocol/headers.ts";
import { encode, WireError } from "../../core/wire/mod.ts";
import { signResponse } from "../auth/sign_response.ts";
import type { ConnectionInfo, ServerContext } from "../server_context.ts";
import { ApiRefusal } from "./api_refusal.ts";

/** The nonce the response signature binds to (empty when the request sent none). */
export function requestNonce(headers: Headers): Uint8Array {
  const n = fromBase64Url(headers.get(HEADERS.nonce) ?? "");
  return n && n.length <= 64 ? n : new Uint8Array(0);
}

/** A signed CBOR response. */
export async function reply(
  ctx: ServerContext,
  headers: Headers,
  status: number,
  message: unknown,
  extra: Record<string, string> = {},
): Promise<Response> {
  const body = encode(message);
  const signed = await signResponse(ctx, status, requestNonce(headers), body);
  return new Response(body, {
    status,
    headers: { "content-type": CBOR_TYPE, ...signed, ...extra },
  });
}

/** An `error` reply for a refusal; authentication failures are audited as `_auth_failed`. */
export async function refusal(
  ctx: ServerContext,
  headers: Headers,
  err: unknown,
  route: string,
  conn: ConnectionInfo,
): Promise<Response> {
  if (err instanceof AuthenticationError) {
    await ctx.audit.addEvent({
      user: err.claimed,
      action: "_auth_failed",
      msg: `reason=${err.reason} route=${route} peer=${conn.remote}`,
    });
    ctx.log("info", `refused ${route} from ${conn.remote} (${err.claimed}): ${err.reason}`);
    return reply(ctx, headers, err.status, {
      kind: "error",
      v: 1,
      code: err.code,
      message: err.message,
      reason: err.reason,
    }, { [HEADERS.error]: err.reason });
  }
  if (err instanceof ApiRefusal) {
    return reply(ctx, headers, err.status, {
      kind: "error",
      v: 1,
      code: err.code,
      message: err.message,
    });
  }
  if (err instanceof WireError) {
    return reply(ctx, headers, 400, { kind: "error", v: 1, code: err.code, message: err.message });
  }
  ctx.log("error", `internal error on ${route}: ${err instanceof Error ? err.stack : err}`);
  return reply(ctx, headers, 500, {
    kind: "error",
    v: 1,
    code: "INTERNAL",
    message: "Internal server error",
  });
}

/**
 * Reads a request body, refusing it once it passes `max` bytes (declared or actual) before the
 * rest is buffered.
 */
export async function readBody(req: Request, max: number): Promise<Uint8Array> {
  const tooBig = (n: number) =>
    new WireError("CBOR_LIMIT", `Message of ${n} bytes exceeds max_message_bytes (${max})`, {
      offset: 0,
      limit: "max_message_bytes",
    });
  const declared = Number(req.headers.get("content-length") ?? "-1");
  if (declared > max) {
    await req.body?.cancel();
    throw tooBig(declared);
  }
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel();
      throw tooBig(total);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
