// Churn (transport.md §1): many sessions uploading 1 MiB bodies and closing, and clients
// killed with SIGKILL mid-upload. The server must stay up and keep serving.
import assert from "node:assert/strict";
import { K, ROUTES } from "../core/protocol/api_kinds.ts";
import { startServer } from "../server/start_server.ts";
import { httpClient, openSession, rawPost, signed } from "./_fixtures/raw_client.ts";
import { MemoryAudit, provisionTestProject } from "./_fixtures/test_project.ts";

const repo = new URL("..", import.meta.url).pathname;

async function killMidUpload(kitDir: string, target: string): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--allow-read=${kitDir}`,
      `--allow-net=${target}`,
      `${repo}tests/_fixtures/slow_upload.ts`,
      kitDir,
      target,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
    let seen = "";
    while (!seen.includes("uploading")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    clearTimeout(deadline);
    assert.ok(seen.includes("uploading"), "the child never started uploading");
    child.kill("SIGKILL");
    await reader.cancel();
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
  }
}

for (const transport of ["terminator", "http1"] as const) {
  Deno.test(`mTLS ${transport}: the server survives 50 upload sessions and clients killed mid-upload`, async () => {
    const p = await provisionTestProject();
    const serverKit = await p.kit("localhost", "server");
    const server = await startServer({
      kit: serverKit,
      audit: new MemoryAudit(),
      hostname: "127.0.0.1",
      port: 0,
      transport,
      log: () => {},
    });
    const target = `127.0.0.1:${server.listener.port}`;
    const siteA = await p.kit("site_a", "client");
    const a = await openSession(siteA, target, "site");
    try {
      const big = crypto.getRandomValues(new Uint8Array(65536));
      const payload = new Uint8Array(1024 * 1024);
      for (let i = 0; i < 16; i++) payload.set(big, i * 65536);
      let done = 0;
      // 50 sessions, 5 at a time: each a fresh TLS connection that uploads 1 MiB, then closes.
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(Array.from({ length: 5 }, async () => {
          const client = httpClient(siteA, [siteA.rootCaPem]);
          try {
            // A signed 1 MiB body: the server reads, hashes and verifies all of it.
            const real = await signed(ROUTES.heartbeat, payload, a.session);
            const r = await rawPost(
              client,
              `https://${target}`,
              ROUTES.heartbeat,
              real.body,
              real.headers,
              real.nonce,
              serverKit,
            );
            assert.equal(r.status, 400); // authenticated, then refused as not a message
            assert.ok(r.signed);
            done++;
          } finally {
            client.close();
          }
        }));
        if (batch % 2 === 0) await killMidUpload(p.kitDir("site_b"), target);
      }
      assert.equal(done, 50);
      const hb = await a.api.call(
        ROUTES.heartbeat,
        K.heartbeat.make({ client_name: "site_a" }),
        ["site.heartbeat_reply"],
        a.session,
      );
      assert.equal(hb.kind, "site.heartbeat_reply");
    } finally {
      a.api.close();
      await server.close();
      await p.cleanup();
    }
  });
}
