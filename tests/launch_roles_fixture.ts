// Runs the real server transport or site agent from a kit, for tests/launch_roles_test.ts, which
// starts it under the role's computed flags. Arguments: server <kit>  |  client <kit>.
//   server: listens on 127.0.0.1 at the kit's port, prints "LISTENING", runs until SIGTERM
//   client: registers and polls twice, prints "POLLED", exits 0
import { loadKit } from "../core/kit/mod.ts";
import { SiteAgent } from "../client/site_agent.ts";
import { startServer } from "../server/start_server.ts";
import { MemoryAudit } from "./_fixtures/test_project.ts";

const [role, kitDir] = Deno.args;
const log = (level: string, msg: string) => {
  if (level !== "debug") console.error(`[${role}] ${level}: ${msg}`);
};
if (role === "server" && kitDir) {
  const server = await startServer({
    kit: await loadKit(kitDir, "server"),
    audit: new MemoryAudit(),
    hostname: "127.0.0.1",
    log,
    settings: { idlePollMs: 100 },
  });
  Deno.addSignalListener("SIGTERM", () => {
    void server.close().then(() => Deno.exit(0));
  });
  console.log("LISTENING");
} else if (role === "client" && kitDir) {
  const agent = new SiteAgent({
    kit: await loadKit(kitDir, "client"),
    audit: new MemoryAudit(),
    log,
    backoff: { initialMs: 100, maxMs: 500 },
  });
  const stop = new AbortController();
  const run = agent.run(stop.signal);
  while (agent.stats.polls < 2) await new Promise((r) => setTimeout(r, 50));
  stop.abort();
  await run;
  console.log("POLLED");
} else {
  throw new TypeError("Usage: launch_roles_fixture.ts server|client <kit>");
}
