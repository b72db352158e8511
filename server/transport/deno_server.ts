import type { Hono } from "hono";
import type { ConnectionInfo } from "../server_context.ts";
import type { ListenerOptions, RunningListener } from "./running_listener.ts";

/**
 * The `tls` and `clear` transports: `Deno.serve` over TLS (native HTTP/2) or plain TCP, for
 * servers behind a TLS-terminating proxy. Identity rests on the application layer alone here.
 */
export function startDenoServer(
  app: Hono<{ Bindings: ConnectionInfo }>,
  options: ListenerOptions & { security: "tls" | "clear" },
): Promise<RunningListener> {
  const handler = (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
    app.fetch(req, {
      remote: `${info.remoteAddr.hostname}:${info.remoteAddr.port}`,
      serves: options.serves,
    });
  const base = { hostname: options.hostname, port: options.port, onListen: () => {} };
  const server = options.security === "tls"
    ? Deno.serve({ ...base, cert: options.certPem, key: options.keyPem }, handler)
    : Deno.serve(base, handler);
  return Promise.resolve({
    hostname: options.hostname,
    port: server.addr.port,
    refusals: () => 0,
    close: () => server.shutdown(),
  });
}
