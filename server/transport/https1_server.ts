import https from "node:https";
import type net from "node:net";
import type tls from "node:tls";
import { getRequestListener, type HttpBindings } from "@hono/node-server";
import type { Hono } from "hono";
import { AuthenticationError } from "../../core/protocol/authentication_error.ts";
import { refusal } from "../routes/_reply.ts";
import type { ConnectionInfo, ServerContext } from "../server_context.ts";
import { PeerVerifier, type VerifiedPeer } from "./peer_verifier.ts";
import type { ListenerOptions, RunningListener } from "./running_listener.ts";
import { TlsRefusals } from "./tls_refusals.ts";

/**
 * The alternative mTLS transport (`transport: http1`): `node:https` with client certificates,
 * HTTP/1.1, the peer certificate read straight from the socket and re-checked in code, as the
 * terminator does.
 */
export async function startHttps1Server(
  ctx: ServerContext,
  app: Hono<{ Bindings: ConnectionInfo }>,
  options: ListenerOptions & { handshakeTimeoutMs?: number },
): Promise<RunningListener> {
  const verifier = new PeerVerifier(ctx.rootCa);
  const refusals = new TlsRefusals(ctx.audit);
  const checked = new WeakMap<tls.TLSSocket, Promise<VerifiedPeer>>();
  const live = new Set<net.Socket>();

  const listener = getRequestListener(async (req: Request, env) => {
    const socket = (env as HttpBindings).incoming.socket as tls.TLSSocket;
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    let pending = checked.get(socket);
    if (pending === undefined) {
      pending = verifier.verify(socket.getPeerX509Certificate()?.raw);
      checked.set(socket, pending);
    }
    try {
      const peer = await pending;
      return await app.fetch(req, { remote, peer, serves: options.serves });
    } catch (err) {
      const e = err instanceof AuthenticationError
        ? err
        : new AuthenticationError("bad_chain", "TLS client certificate refused");
      socket.once("finish", () => socket.destroy());
      return await refusal(ctx, req.headers, e, new URL(req.url).pathname, {
        remote,
        serves: options.serves,
      });
    }
    // Left on, node-server swaps the global Response class for its own, and every Deno.serve
    // listener in the same process then rejects the app's responses.
  }, { overrideGlobalObjects: false });

  const server = https.createServer({
    key: options.keyPem,
    cert: options.certPem,
    ca: [options.rootPem],
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: "TLSv1.3",
    ALPNProtocols: ["http/1.1"],
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
  }, listener);
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    live.add(socket);
    socket.on("close", () => live.delete(socket));
    socket.setNoDelay(true);
    // Check at once, before any request arrives; a refused peer gets nothing but a 401.
    const pending = verifier.verify(socket.getPeerX509Certificate()?.raw);
    checked.set(socket, pending);
    pending.catch((err) => {
      const reason = err instanceof AuthenticationError ? err.reason : "bad_chain";
      void refusals.record(reason, `${socket.remoteAddress}:${socket.remotePort}`);
    });
  });
  server.on("tlsClientError", refusals.onClientError(ctx.log));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => resolve());
  });
  return {
    hostname: options.hostname,
    port: (server.address() as net.AddressInfo).port,
    refusals: () => refusals.count,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of live) s.destroy();
      });
    },
  };
}
