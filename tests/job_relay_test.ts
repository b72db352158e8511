// A job's tasks travelling the real network path: the server's sandboxed controller posts tasks,
// site agents pull them over mTLS, run them in sandboxed executors and post results back; every
// hop is audited on its own side with references to the peer's event.
import assert from "node:assert/strict";
import { type AssignedTask, SiteAgent } from "../client/site_agent.ts";
import { ExecutorProcess } from "../core/sandbox/executor_process.ts";
import type { Tensor } from "../core/wire/mod.ts";
import { startServer } from "../server/start_server.ts";
import { MemoryAudit, provisionTestProject } from "./_fixtures/test_project.ts";

const core = new URL("../core/", import.meta.url).pathname;

Deno.test("hello-sag runs over mTLS: controller and executors sandboxed, every hop audited", async () => {
  const p = await provisionTestProject();
  const serverAudit = new MemoryAudit();
  const server = await startServer({
    kit: await p.kit("localhost", "server"),
    audit: serverAudit,
    hostname: "127.0.0.1",
    port: 0,
    log: () => {},
    settings: { idlePollMs: 50 },
  });
  const runDir = await Deno.makeTempDir({ prefix: "stockade_relay_" });
  const grant = { read: [`${core}`], write: [runDir], heapMb: 128 };
  const stop = new AbortController();
  const executors: ExecutorProcess[] = [];
  const siteAudits = new Map<string, MemoryAudit>();
  const agents = await Promise.all(["site_a", "site_b"].map(async (name) => {
    const audit = new MemoryAudit();
    siteAudits.set(name, audit);
    const executor = new ExecutorProcess({
      module: `${core}app_common/add_one_trainer.ts`,
      grant,
      cwd: runDir,
      log: () => {},
    });
    executors.push(executor);
    return new SiteAgent({
      kit: await p.kit(name, "client"),
      audit,
      target: `127.0.0.1:${server.listener.port}`,
      log: () => {},
      onTask: async (t: AssignedTask) => ({
        payload: await executor.run({
          taskId: t.taskId,
          taskName: t.taskName,
          payload: t.payload,
          context: {},
        }, 30_000),
      }),
    });
  }));
  const runs = agents.map((a) => a.run(stop.signal));
  try {
    const jobId = crypto.randomUUID();
    const runner = await server.ctx.jobs.start({
      jobId,
      sites: ["site_a", "site_b"],
      controller: {
        module: `${core}app_common/scatter_and_gather.ts`,
        args: {
          num_rounds: 5,
          min_clients: 2,
          train_timeout: 30,
          initial_weights: { w: { shape: [3, 3] } },
        },
      },
      grant,
      cwd: runDir,
      log: () => {},
    });
    const outcome = await runner.finished;
    assert.equal(outcome.status, "completed", JSON.stringify(outcome));
    const w = (outcome as { result: { weights: { w: Tensor } } }).result.weights.w;
    assert.ok([...w.data].every((v) => v === 5), `got ${[...w.data]}`);

    // 5 rounds × 2 sites: each sent task is answered, and the R links join the two sides.
    const sent = serverAudit.jobEvents.filter((e) => e.msg?.startsWith("sent task to client"));
    const received = serverAudit.jobEvents.filter((e) => e.msg?.startsWith("received result"));
    assert.equal(sent.length, 10);
    assert.equal(received.length, 10);
    for (const [site, audit] of siteAudits) {
      const got = audit.jobEvents.filter((e) => e.msg === "received task from server");
      assert.equal(got.length, 5);
      for (const g of got) {
        const s = sent.find((e) => e.id === g.ref);
        assert.ok(s && s.msg === `sent task to client "${site}"` && s.taskId === g.taskId);
      }
      const submitted = audit.jobEvents.filter((e) => e.msg === "submit result: OK");
      for (const sub of submitted) {
        assert.ok(
          received.some((r) =>
            r.ref === sub.id && r.msg === `received result from client "${site}"`
          ),
        );
      }
    }
    assert.ok(
      serverAudit.jobEvents.some((e) =>
        e.msg?.startsWith("server job process started: --no-prompt")
      ),
    );
  } finally {
    stop.abort();
    await Promise.allSettled(runs);
    for (const e of executors) await e.stop();
    await server.close();
    await Deno.remove(runDir, { recursive: true });
    await p.cleanup();
  }
});
