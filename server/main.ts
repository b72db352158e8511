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
import { BudgetLedger, loadSandboxedFilter } from "../core/filters/mod.ts";
import { startServer } from "./start_server.ts";

const { kit, options, log, logLevel } = await startRole("server", Deno.args, ["listen-host"]);
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
  filters: {
    privacy: () => privacy.policy,
    ledger,
    jobFilter: (customDir, path, args) => loadSandboxedFilter({ customDir, path, args }),
  },
  logLevel,
  // Exit 75 after `restart`: the launcher's supervisor starts the server again (core/launch).
  stop: (restart) => void stop(restart ? 75 : 0),
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
const stop = async (status = 0) => {
  if (stopping) return;
  stopping = true;
  log("info", "stopping");
  await server.close();
  await authz.close();
  await privacy.close();
  await audit.close();
  Deno.exit(status);
};
Deno.addSignalListener("SIGTERM", () => void stop());
Deno.addSignalListener("SIGINT", () => void stop());
