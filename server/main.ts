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
import { startServer } from "./start_server.ts";

const { kit, options, log } = await startRole("server", Deno.args, ["listen-host"]);
const listenHost = options["listen-host"] ?? "0.0.0.0";

const { resources, authz, audit } = await loadSitePolicies(kit, "server", log);
const server = await startServer({
  kit,
  audit,
  hostname: listenHost,
  log,
  authz,
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
  await audit.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
