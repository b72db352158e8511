/**
 * The server process (SP). Started by `deno task server --kit <dir>` (server/launcher.ts), which
 * checks the kit and runs this file with permissions computed from it. Checks the kit again
 * before anything else, opens the audit log, and serves the API until SIGTERM or SIGINT.
 *
 * Usage: `server/main.ts --kit <dir> [--listen-host <addr>] [--check-sandbox [<targets JSON>]]`
 *
 * @module
 */
import { loadSitePolicies, startRole } from "../core/launch/mod.ts";
import { BudgetLedger } from "../core/filters/mod.ts";
import { startServer } from "./start_server.ts";

const { kit, options, log } = await startRole("server", Deno.args, ["listen-host"]);
const listenHost = options["listen-host"] ?? "0.0.0.0";

const { resources, authz, privacy, audit } = await loadSitePolicies(kit, "server", log);
// Server-side filters spend from the server's own ledger; an unreadable one stops the server.
const ledger = await BudgetLedger.open(`${kit.kitDir}/privacy_budget.json`).catch(async (err) => {
  log("error", err instanceof Error ? err.message : String(err));
  await Promise.all([authz.close(), privacy.close()]);
  await audit.close();
  Deno.exit(1);
});
const server = await startServer({
  kit,
  audit,
  hostname: listenHost,
  log,
  authz,
  filters: { privacy: () => privacy.policy, ledger },
  settings: {
    limits: resources.wire,
    jobHeapMb: resources.sandbox.heapMb,
    ...(resources.server
      ? {
        tokenTtlS: resources.server.tokenTtlS,
        adminIdleTimeoutS: resources.server.adminIdleTimeoutS,
        maxNumClients: resources.server.maxNumClients,
        maxJobs: resources.server.maxJobs,
        maxJobBytes: resources.server.maxJobBytes,
      }
      : {}),
  },
});
const port = server.listener.port;
log(
  "info",
  `listening on ${listenHost}:${port} (${kit.connectionSecurity})`,
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  log("info", "stopping");
  await server.close();
  await authz.close();
  await privacy.close();
  await audit.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
