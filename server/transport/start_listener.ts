import type { Hono } from "hono";
import type { ConnectionInfo, ServerContext } from "../server_context.ts";
import { startDenoServer } from "./deno_server.ts";
import { startHttps1Server } from "./https1_server.ts";
import { startMtlsTerminator, type TerminatorLimits } from "./mtls_terminator.ts";
import type { ListenerOptions, RunningListener } from "./running_listener.ts";

/** Which code serves mTLS: the terminator (HTTP/2, default) or `node:https` (HTTP/1.1). */
export type MtlsTransport = "terminator" | "http1";

/** Starts the listener the server's `connection_security` and `transport` call for. */
export function startListener(
  ctx: ServerContext,
  app: Hono<{ Bindings: ConnectionInfo }>,
  options: ListenerOptions & TerminatorLimits & { transport?: MtlsTransport },
): Promise<RunningListener> {
  const security = ctx.settings.security;
  if (security === "mtls") {
    return options.transport === "http1"
      ? startHttps1Server(ctx, app, options)
      : startMtlsTerminator(ctx, app, options);
  }
  return startDenoServer(app, { ...options, security });
}
