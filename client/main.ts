/**
 * The client process (CP) of a site. Started by `deno task client --kit <dir>`
 * (client/launcher.ts), which checks the kit and runs this file with permissions computed from
 * it. Checks the kit again before anything else, opens the site's audit log, and keeps the site
 * connected to the server until SIGTERM or SIGINT.
 *
 * Usage: `client/main.ts --kit <dir> [--check-sandbox [<targets JSON>]]`
 *
 * @module
 */
import { loadSitePolicies, RUNTIME_DIR, startRole } from "../core/launch/mod.ts";
import { JobManager } from "./jobs/job_manager.ts";
import { FatalRefusal, SiteAgent } from "./site_agent.ts";

const { kit, log } = await startRole("client", Deno.args);

const { audit, authz } = await loadSitePolicies(kit, "client", log);
const stop = new AbortController();
Deno.addSignalListener("SIGTERM", () => stop.abort());
Deno.addSignalListener("SIGINT", () => stop.abort());
// Deployed jobs run here; until the deployment protocol lands no job is ever added, so every
// task is answered "not deployed" (and audited) rather than dropped.
const jobs = new JobManager({ audit, log, runtimeRead: [`${RUNTIME_DIR}/core`] });
const agent = new SiteAgent({
  kit,
  audit,
  log,
  auditHead: () => audit.head,
  onTask: (t) => jobs.run(t, kit.name),
});
let status = 0;
try {
  await agent.run(stop.signal);
} catch (err) {
  log("error", err instanceof FatalRefusal ? err.message : `stopped: ${err}`);
  status = 1;
}
await jobs.close();
await authz.close();
await audit.close();
Deno.exit(status);
