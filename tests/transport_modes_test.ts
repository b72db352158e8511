// Server restarts, and the tls and clear transports with the same application-layer
// authentication as mtls.
import assert from "node:assert/strict";
import { K, ROUTES } from "../core/protocol/api_kinds.ts";
import { FatalRefusal, SiteAgent } from "../client/site_agent.ts";
import { startServer } from "../server/start_server.ts";
import { httpClient, openSession, rawPost, signed } from "./_fixtures/raw_client.ts";
import { MemoryAudit, provisionTestProject } from "./_fixtures/test_project.ts";

const quiet = () => {};

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`Condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

Deno.test("SiteAgent re-registers by itself after the server restarts", async () => {
  const p = await provisionTestProject();
  const serverKit = await p.kit("localhost", "server");
  const common = {
    kit: serverKit,
    audit: new MemoryAudit(),
    hostname: "127.0.0.1",
    log: quiet,
    settings: { idlePollMs: 100 },
  } as const;
  let server = await startServer({ ...common, port: 0 });
  const port = server.listener.port;
  const stop = new AbortController();
  const agents = await Promise.all(["site_a", "site_b"].map(async (n) =>
    new SiteAgent({
      kit: await p.kit(n, "client"),
      audit: new MemoryAudit(),
      target: `127.0.0.1:${port}`,
      log: quiet,
      backoff: { initialMs: 100, maxMs: 1000 },
      // Counts polls: each must return at the server's pace, not be held.
      longPollMs: 0,
    })
  ));
  const runs = agents.map((a) => a.run(stop.signal));
  try {
    await waitFor(() => agents.every((a) => a.stats.polls >= 2), 10_000);
    await server.close();
    await waitFor(() => agents.every((a) => a.stats.failures >= 1), 10_000);
    server = await startServer({ ...common, port });
    await waitFor(() => agents.every((a) => a.stats.registrations >= 2), 10_000);
    const polls = agents.map((a) => a.stats.polls);
    await waitFor(() => agents.every((a, i) => a.stats.polls > polls[i]!), 10_000);
    assert.deepEqual(server.ctx.sessions.sites().map((s) => s.name).sort(), ["site_a", "site_b"]);
  } finally {
    stop.abort();
    await Promise.allSettled(runs);
    await server.close();
    await p.cleanup();
  }
});

Deno.test("SiteAgent stops with FatalRefusal when its site is disabled", async () => {
  const p = await provisionTestProject();
  const server = await startServer({
    kit: await p.kit("localhost", "server"),
    audit: new MemoryAudit(),
    hostname: "127.0.0.1",
    port: 0,
    log: quiet,
  });
  server.ctx.sessions.disable("site_a");
  const agent = new SiteAgent({
    kit: await p.kit("site_a", "client"),
    audit: new MemoryAudit(),
    target: `127.0.0.1:${server.listener.port}`,
    log: quiet,
  });
  try {
    await assert.rejects(() => agent.run(new AbortController().signal), FatalRefusal);
  } finally {
    await server.close();
    await p.cleanup();
  }
});

for (const security of ["tls", "clear"] as const) {
  Deno.test(`${security} mode: sites register and poll, and forged requests are refused`, async () => {
    const p = await provisionTestProject({ security });
    const audit = new MemoryAudit();
    const serverKit = await p.kit("localhost", "server");
    assert.equal(serverKit.connectionSecurity, security);
    const server = await startServer({
      kit: serverKit,
      audit,
      hostname: "127.0.0.1",
      port: 0,
      log: quiet,
    });
    const target = `127.0.0.1:${server.listener.port}`;
    const siteA = await p.kit("site_a", "client");
    const a = await openSession(siteA, target, "site");
    const client = security === "tls" ? httpClient(undefined, [siteA.rootCaPem]) : undefined;
    const base = `${security === "tls" ? "https" : "http"}://${target}`;
    try {
      const task = await a.api.call(
        ROUTES.taskGet,
        K.taskGet.make({ client_name: "site_a" }),
        ["task.none"],
        a.session,
      );
      assert.equal(task.kind, "task.none");
      // Without mTLS, the token and signature alone decide: a replay and a wrong key still fail.
      const req = await signed(
        ROUTES.taskGet,
        K.taskGet.make({ client_name: "site_a" }),
        a.session,
      );
      const first = await rawPost(
        client,
        base,
        ROUTES.taskGet,
        req.body,
        req.headers,
        req.nonce,
        serverKit,
      );
      assert.equal(first.status, 200);
      const again = await rawPost(
        client,
        base,
        ROUTES.taskGet,
        req.body,
        req.headers,
        req.nonce,
        serverKit,
      );
      assert.equal(again.reason, "replay");
      const siteB = await p.kit("site_b", "client");
      const { PrivateKey } = await import("../core/pki/mod.ts");
      const wrong = await signed(ROUTES.taskGet, K.taskGet.make({ client_name: "site_a" }), {
        ...a.session,
        key: PrivateKey.fromPem(siteB.keyPem),
      });
      const r = await rawPost(
        client,
        base,
        ROUTES.taskGet,
        wrong.body,
        wrong.headers,
        wrong.nonce,
        serverKit,
      );
      assert.equal(r.reason, "bad_signature");
      assert.deepEqual(audit.authFailures(), ["replay", "bad_signature"]);
    } finally {
      client?.close();
      a.api.close();
      await server.close();
      await p.cleanup();
    }
  });
}
