/**
 * The server process (SP). Started by `deno task server --kit <dir>` (server/launcher.ts), which
 * checks the kit and runs this file with permissions computed from it. Checks the kit again
 * before anything else, opens the audit log, and serves the API until SIGTERM or SIGINT.
 *
 * Usage: `server/main.ts --kit <dir> [--listen-host <addr>] [--check-sandbox [<targets JSON>]]`
 *
 * @module
 */
import { startRole } from "../core/launch/mod.ts";
import { SiteAuditor } from "../core/audit/mod.ts";
import { loadPrivacyPolicy } from "../core/filters/mod.ts";
import { loadResources } from "../core/resources/mod.ts";
import { startServer } from "./start_server.ts";

const { kit, options, log } = await startRole("server", Deno.args, ["listen-host"]);
const listenHost = options["listen-host"] ?? "0.0.0.0";

const resources = await loadResources(kit.kitDir, "server");
for (const w of resources.warnings) log("warn", `${resources.file}: ${w}`);
const audit = await SiteAuditor.open(kit.kitDir, { maxBytes: resources.auditMaxBytes });
await audit.addEvent({
  user: "system",
  action: "_policy_load",
  msg: `file=${resources.file} sha256=${resources.sha256}`,
});
// A privacy policy that does not load stops the site (privacy-and-filters.md §1).
const privacy = await loadPrivacyPolicy(kit.kitDir).catch(async (err) => {
  log("error", err instanceof Error ? err.message : String(err));
  await audit.close();
  Deno.exit(1);
});
if (privacy) {
  await audit.addEvent({
    user: "system",
    action: "_policy_load",
    msg: `file=${privacy.file} sha256=${privacy.sha256}`,
  });
}
const server = await startServer({
  kit,
  audit,
  hostname: listenHost,
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
  `listening on ${listenHost}:${port} (${kit.connectionSecurity})`,
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
