import net from "node:net";
import tls from "node:tls";
import type { Hono } from "hono";
import { AuthenticationError } from "../../core/protocol/authentication_error.ts";
import { TERMINATOR_SOURCE_ADDRESSES } from "../../core/launch/role_flags.ts";
import { refusal } from "../routes/_reply.ts";
import type { ConnectionInfo, ServerContext } from "../server_context.ts";
import { PeerVerifier, type VerifiedPeer } from "./peer_verifier.ts";
import type { ListenerOptions, RunningListener } from "./running_listener.ts";
import { TlsRefusals } from "./tls_refusals.ts";

/** Limits of the terminator (`transport.md` §3). */
export interface TerminatorLimits {
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxConnections?: number;
  maxPerIdentity?: number;
}

interface Binding {
  peer: VerifiedPeer;
  remote: string;
}

/**
 * HTTP/2 with mutual TLS (`transport.md` §2–3): a `node:tls` server verifies the client
 * certificate (and the code re-checks it against our root), then pipes the decrypted stream to a
 * `Deno.serve` backend on loopback that serves the Hono app. Each piped connection comes from its
 * own loopback source address and port, recorded before the first byte flows; the backend answers
 * 401 to any connection it cannot map, so dialling the backend directly gets nothing.
 */
export async function startMtlsTerminator(
  ctx: ServerContext,
  app: Hono<{ Bindings: ConnectionInfo }>,
  options: ListenerOptions & TerminatorLimits,
): Promise<RunningListener> {
  const bindings = new Map<string, Binding>();
  const perIdentity = new Map<string, number>();
  const live = new Set<net.Socket>();
  const verifier = new PeerVerifier(ctx.rootCa);
  const refusals = new TlsRefusals(ctx.audit);
  const maxConnections = options.maxConnections ?? 1024;
  const maxPerIdentity = options.maxPerIdentity ?? 64;
  const idleMs = options.idleTimeoutMs ?? 120_000;
  let sourceCounter = 0;

  const backend = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (req, info) => {
    const a = info.remoteAddr;
    const key = `${a.hostname}:${a.port}`;
    const b = bindings.get(key);
    if (b === undefined) {
      const conn: ConnectionInfo = { remote: key, serves: options.serves };
      return await refusal(
        ctx,
        req.headers,
        new AuthenticationError(
          "no_client_cert",
          "Connection did not come through the TLS terminator",
        ),
        new URL(req.url).pathname,
        conn,
      );
    }
    return await app.fetch(req, { remote: b.remote, peer: b.peer, serves: options.serves });
  });
  const backendPort = backend.addr.port;

  const server = tls.createServer({
    key: options.keyPem,
    cert: options.certPem,
    ca: [options.rootPem],
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: "TLSv1.3",
    ALPNProtocols: ["h2", "http/1.1"],
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
  }, (socket) => {
    socket.pause();
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    live.add(socket);
    socket.on("close", () => live.delete(socket));
    socket.on("error", () => socket.destroy());
    if (live.size > maxConnections) {
      socket.destroy();
      return;
    }
    void accept(socket, remote);
  });
  server.on("tlsClientError", refusals.onClientError(ctx.log));

  async function accept(socket: tls.TLSSocket, remote: string): Promise<void> {
    let peer: VerifiedPeer;
    try {
      peer = await verifier.verify(socket.getPeerX509Certificate()?.raw);
    } catch (err) {
      const reason = err instanceof AuthenticationError ? err.reason : "bad_chain";
      await refusals.record(reason, remote);
      socket.destroy();
      return;
    }
    const id = Array.from(peer.fingerprint.subarray(0, 8), (b) => b.toString(16)).join("");
    const count = (perIdentity.get(id) ?? 0) + 1;
    if (count > maxPerIdentity) {
      await refusals.record("rate_limited", remote);
      socket.destroy();
      return;
    }
    perIdentity.set(id, count);
    const release = () => {
      const n = (perIdentity.get(id) ?? 1) - 1;
      if (n <= 0) perIdentity.delete(id);
      else perIdentity.set(id, n);
    };
    // A rotating source address: with eight addresses and the kernel's ephemeral ports, an
    // address/port pair is not reused soon after close.
    const localAddress =
      TERMINATOR_SOURCE_ADDRESSES[sourceCounter++ % TERMINATOR_SOURCE_ADDRESSES.length]!;
    const upstream = net.connect({ host: "127.0.0.1", port: backendPort, localAddress });
    let key: string | undefined;
    const teardown = () => {
      if (key !== undefined) bindings.delete(key);
      key = undefined;
      upstream.destroy();
      socket.destroy();
    };
    socket.once("close", () => {
      release();
      teardown();
    });
    upstream.once("close", teardown);
    upstream.on("error", teardown);
    socket.on("error", teardown);
    upstream.once("connect", () => {
      key = `${upstream.localAddress}:${upstream.localPort}`;
      bindings.set(key, { peer, remote });
      upstream.setNoDelay(true);
      socket.setNoDelay(true);
      socket.setTimeout(idleMs, teardown);
      socket.pipe(upstream);
      upstream.pipe(socket);
      socket.resume();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    hostname: options.hostname,
    port,
    backendPort,
    refusals: () => refusals.count,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of live) s.destroy();
      });
      await backend.shutdown();
    },
  };
}
