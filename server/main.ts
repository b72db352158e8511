/**
 * The server process (SP). Started by `deno task server --kit <dir>` (server/launcher.ts), which
 * checks the kit and runs this file with permissions computed from it. Checks the kit again
 * before anything else, opens the audit log, and serves the API until SIGTERM or SIGINT.
 *
 * Usage: `server/main.ts --kit <dir> [--listen-host <addr>] [--check-sandbox [<targets JSON>]]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { requireIntactKit } from "../core/kit/mod.ts";
import { probeSandbox } from "../core/launch/mod.ts";
import { SiteAuditor } from "../core/audit/mod.ts";
import { loadResources } from "../core/resources/mod.ts";
import { startServer } from "./start_server.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    kit: { type: "string" },
    "listen-host": { type: "string" },
    "check-sandbox": { type: "string" },
  },
  strict: true,
});
if (!values.kit) {
  console.error("Missing --kit <dir>: start the server with `deno task server --kit <dir>`");
  Deno.exit(1);
}
const kit = await requireIntactKit(values.kit, "server");
const log = (level: string, msg: string) => {
  if (level !== "debug") {
    console.error(`${new Date().toISOString()} [${kit.name}] ${level}: ${msg}`);
  }
};

if (values["check-sandbox"] !== undefined) {
  // Show what this process may do: for operators, and for the tests that prove the grant.
  console.log(JSON.stringify(await probeSandbox(JSON.parse(values["check-sandbox"] || "{}"))));
  Deno.exit(0);
}

const resources = await loadResources(kit.kitDir, "server");
for (const w of resources.warnings) log("warn", `${resources.file}: ${w}`);
const audit = await SiteAuditor.open(kit.kitDir, { maxBytes: resources.auditMaxBytes });
const server = await startServer({
  kit,
  audit,
  hostname: values["listen-host"] ?? "0.0.0.0",
  log,
  settings: {
    limits: resources.wire,
    ...(resources.server
      ? {
        tokenTtlS: resources.server.tokenTtlS,
        adminIdleTimeoutS: resources.server.adminIdleTimeoutS,
        maxNumClients: resources.server.maxNumClients,
      }
      : {}),
  },
});
const port = server.listener.port;
log(
  "info",
  `listening on ${values["listen-host"] ?? "0.0.0.0"}:${port} (${kit.connectionSecurity})`,
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  log("info", "stopping");
  await server.close();
  await audit.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
