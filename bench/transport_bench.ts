/**
 * Transport figures (issue: server and client transport): signed tiny requests per second with
 * p50/p99 latency through the real API, and upload/download MB/s for 1, 16 and 256 MiB bodies, for
 * each transport, against raw TLS of the same Deno binary (one warm connection) as the reference.
 * Two ceiling rows show what the terminator's design allows before any HTTP.
 */
import { Hono } from "hono";
import { K, ROUTES } from "../core/protocol/api_kinds.ts";
import { startServer } from "../server/start_server.ts";
import type { ConnectionInfo } from "../server/server_context.ts";
import { startListener } from "../server/transport/start_listener.ts";
import { httpClient, openSession } from "../tests/_fixtures/raw_client.ts";
import { MemoryAudit, provisionTestProject } from "../tests/_fixtures/test_project.ts";
import type { BenchRow } from "./_report.ts";

const MiB = 1024 * 1024;
const SIZES = [1, 16, 256];
const group = "transport";

/** A bulk app: counts uploaded bytes, serves downloads of a requested size. */
function bulkApp(): Hono<{ Bindings: ConnectionInfo }> {
  const app = new Hono<{ Bindings: ConnectionInfo }>();
  const chunk = new Uint8Array(MiB).fill(7);
  app.post("/bulk", async (c) => {
    let n = 0;
    for await (const part of c.req.raw.body!) n += part.length;
    return c.text(String(n));
  });
  app.get("/bulk/:mib", (c) => {
    let left = Number(c.req.param("mib"));
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (left-- > 0) ctrl.enqueue(chunk);
        else ctrl.close();
      },
    });
    return new Response(body);
  });
  return app;
}

function body(mib: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(MiB).fill(3);
  let left = mib;
  return new ReadableStream({
    pull(ctrl) {
      if (left-- > 0) ctrl.enqueue(chunk);
      else ctrl.close();
    },
  });
}

async function timeIt(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/** Reads exactly `buf.length` bytes. */
async function readFull(conn: Deno.Conn, buf: Uint8Array): Promise<void> {
  let got = 0;
  while (got < buf.length) {
    const n = await conn.read(buf.subarray(got));
    if (n === null) throw new Error("connection closed early");
    got += n;
  }
}

async function writeMiB(conn: Deno.Conn, chunk: Uint8Array, mib: number): Promise<void> {
  for (let i = 0; i < mib; i++) {
    let off = 0;
    while (off < chunk.length) off += await conn.write(chunk.subarray(off));
  }
}

/**
 * Raw TLS over one warm connection: the ceiling of Deno's own TLS on this machine. Each transfer
 * is a 5-byte header (1 = upload, 2 = download; MiB count) and the bytes.
 */
async function rawTls(
  certPem: string,
  keyPem: string,
  caPem: string,
): Promise<Map<string, number>> {
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: certPem, key: keyPem });
  const serve = (async () => {
    const conn = await listener.accept();
    const chunk = new Uint8Array(MiB);
    const head = new Uint8Array(5);
    try {
      for (;;) {
        await readFull(conn, head);
        const mib = new DataView(head.buffer).getUint32(1);
        if (head[0] === 1) {
          for (let i = 0; i < mib; i++) await readFull(conn, chunk);
          await conn.write(new Uint8Array([1]));
        } else {
          await writeMiB(conn, chunk, mib);
        }
      }
    } catch {
      conn.close();
    }
  })();
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: listener.addr.port,
    caCerts: [caPem],
  });
  const out = new Map<string, number>();
  const chunk = new Uint8Array(MiB);
  for (const mib of SIZES) {
    for (const up of [true, false]) {
      const head = new Uint8Array(5);
      head[0] = up ? 1 : 2;
      new DataView(head.buffer).setUint32(1, mib);
      const secs = await timeIt(async () => {
        await conn.write(head);
        if (up) {
          await writeMiB(conn, chunk, mib);
          await readFull(conn, new Uint8Array(1));
        } else {
          for (let i = 0; i < mib; i++) await readFull(conn, chunk);
        }
      });
      out.set(`${up ? "up" : "down"} ${mib}`, (mib * MiB) / 1e6 / secs);
    }
  }
  conn.close();
  listener.close();
  await serve;
  return out;
}

/**
 * What the terminator's design allows at most: `node:tls` receiving 256 MiB into JS, and the same
 * piped to a loopback TCP socket, with no HTTP at all.
 */
async function terminatorCeilings(
  certPem: string,
  keyPem: string,
  rootPem: string,
  client: { certPem: string; keyPem: string },
): Promise<[string, number][]> {
  const { default: tls } = await import("node:tls");
  const { default: net } = await import("node:net");
  const total = 256 * MiB;
  const out: [string, number][] = [];
  const sinkSockets: { destroy(): void }[] = [];
  const sink = net.createServer((sock) => {
    sinkSockets.push(sock);
    let n = 0;
    sock.on("data", (d: Uint8Array) => {
      n += d.length;
      if (n >= total) sock.end(new Uint8Array([1]));
    });
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", () => r()));
  const sinkPort = (sink.address() as { port: number }).port;
  for (const mode of ["node:tls receive", "node:tls piped to loopback TCP"]) {
    const sockets: { destroy(): void }[] = [];
    const server = tls.createServer({
      key: keyPem,
      cert: certPem,
      ca: [rootPem],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: "TLSv1.3",
    }, (sock) => {
      sockets.push(sock);
      if (mode === "node:tls receive") {
        let n = 0;
        sock.on("data", (d: Uint8Array) => {
          n += d.length;
          if (n >= total) sock.end(new Uint8Array([1]));
        });
        return;
      }
      const up = net.connect({ host: "127.0.0.1", port: sinkPort }, () => {
        sock.pipe(up);
        up.pipe(sock);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: (server.address() as { port: number }).port,
      caCerts: [rootPem],
      cert: client.certPem,
      key: client.keyPem,
    });
    const secs = await timeIt(async () => {
      await writeMiB(conn, new Uint8Array(MiB), 256);
      await readFull(conn, new Uint8Array(1));
    });
    conn.close();
    // close() waits for open connections: end ours first.
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    out.push([mode, total / 1e6 / secs]);
  }
  for (const sock of sinkSockets) sock.destroy();
  await new Promise<void>((r) => sink.close(() => r()));
  return out;
}

export default async function transportBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const projects = {
    mtls: await provisionTestProject({ name: "bench_mtls" }),
    tls: await provisionTestProject({ name: "bench_tls", security: "tls" }),
    clear: await provisionTestProject({ name: "bench_clear", security: "clear" }),
  };
  try {
    const serverKit = await projects.mtls.kit("localhost", "server");
    const raw = await rawTls(serverKit.certificatePem, serverKit.keyPem, serverKit.rootCaPem);
    for (const [k, v] of raw) {
      rows.push({
        group,
        name: `raw Deno TLS ${k} MiB`,
        value: v,
        unit: "MB/s",
        note: "reference",
      });
    }
    const probe = await projects.mtls.kit("site_a", "client");
    const ceilings = await terminatorCeilings(
      serverKit.certificatePem,
      serverKit.keyPem,
      serverKit.rootCaPem,
      { certPem: probe.certificatePem, keyPem: probe.keyPem },
    );
    for (const [mode, v] of ceilings) {
      rows.push({
        group,
        name: `ceiling: ${mode}, 256 MiB up`,
        value: v,
        unit: "MB/s",
        ratio: v / raw.get("up 256")!,
        note: "vs raw TLS; no HTTP at all",
      });
    }
    const cases = [
      { label: "mtls terminator (h2)", p: projects.mtls, transport: "terminator" as const },
      { label: "mtls http1 (node:https)", p: projects.mtls, transport: "http1" as const },
      { label: "tls (Deno.serve)", p: projects.tls, transport: "terminator" as const },
      { label: "clear (Deno.serve)", p: projects.clear, transport: "terminator" as const },
    ];
    for (const c of cases) {
      const kit = await c.p.kit("localhost", "server");
      const server = await startServer({
        kit,
        audit: new MemoryAudit(),
        hostname: "127.0.0.1",
        port: 0,
        transport: c.transport,
        log: () => {},
      });
      const bulk = await startListener(server.ctx, bulkApp(), {
        hostname: "127.0.0.1",
        port: 0,
        serves: "all",
        certPem: kit.certificatePem,
        keyPem: kit.keyPem,
        rootPem: kit.rootCaPem,
        transport: c.transport,
      });
      const site = await c.p.kit("site_a", "client");
      const target = `127.0.0.1:${server.listener.port}`;
      const { api, session } = await openSession(site, target, "site");
      try {
        // Tiny signed requests: sign, send, verify the signed reply.
        const lat: number[] = [];
        const msg = K.taskGet.make({ client_name: "site_a" });
        const n = 400;
        const total = await timeIt(async () => {
          for (let i = 0; i < n; i++) {
            const t0 = performance.now();
            await api.call(ROUTES.taskGet, msg, ["task.none"], session);
            lat.push(performance.now() - t0);
          }
        });
        lat.sort((a, b) => a - b);
        rows.push({
          group,
          name: `${c.label}: signed task.get, sequential`,
          value: n / total,
          unit: "req/s",
        });
        rows.push({
          group,
          name: `${c.label}: task.get p50`,
          value: lat[Math.floor(n * 0.5)]!,
          unit: "ms",
        });
        rows.push({
          group,
          name: `${c.label}: task.get p99`,
          value: lat[Math.floor(n * 0.99)]!,
          unit: "ms",
        });

        const security = site.connectionSecurity;
        const client = security === "clear"
          ? undefined
          : httpClient(security === "mtls" ? site : undefined, [site.rootCaPem]);
        const base = `${security === "clear" ? "http" : "https"}://127.0.0.1:${bulk.port}`;
        const opts = client ? { client } : {};
        for (const mib of SIZES) {
          const up = await timeIt(async () => {
            const r = await fetch(`${base}/bulk`, { method: "POST", body: body(mib), ...opts });
            if (Number(await r.text()) !== mib * MiB) throw new Error("short upload");
          });
          const down = await timeIt(async () => {
            const r = await fetch(`${base}/bulk/${mib}`, opts);
            let got = 0;
            for await (const part of r.body!) got += part.length;
            if (got !== mib * MiB) throw new Error("short download");
          });
          for (const [dir, secs] of [["up", up], ["down", down]] as const) {
            const v = (mib * MiB) / 1e6 / secs;
            const ref = raw.get(`${dir} ${mib}`)!;
            rows.push({
              group,
              name: `${c.label}: ${dir}load ${mib} MiB`,
              value: v,
              unit: "MB/s",
              ratio: v / ref,
              note: mib === 256 && c.transport === "terminator" && security === "mtls"
                ? "vs raw TLS; goal ≥ 0.5× at 256 MiB"
                : "vs raw TLS",
            });
          }
        }
        client?.close();
      } finally {
        api.close();
        await bulk.close();
        await server.close();
      }
    }
  } finally {
    for (const p of Object.values(projects)) await p.cleanup();
  }
  return rows;
}
