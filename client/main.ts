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
import { parseArgs } from "node:util";
import { requireIntactKit } from "../core/kit/mod.ts";
import { probeSandbox } from "../core/launch/mod.ts";
import { SiteAuditor } from "../core/audit/mod.ts";
import { loadResources } from "../core/resources/mod.ts";
import { FatalRefusal, SiteAgent } from "./site_agent.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { kit: { type: "string" }, "check-sandbox": { type: "string" } },
  strict: true,
});
if (!values.kit) {
  console.error("Missing --kit <dir>: start the site with `deno task client --kit <dir>`");
  Deno.exit(1);
}
const kit = await requireIntactKit(values.kit, "client");
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

const resources = await loadResources(kit.kitDir, "client");
for (const w of resources.warnings) log("warn", `${resources.file}: ${w}`);
const audit = await SiteAuditor.open(kit.kitDir, { maxBytes: resources.auditMaxBytes });
const stop = new AbortController();
Deno.addSignalListener("SIGTERM", () => stop.abort());
Deno.addSignalListener("SIGINT", () => stop.abort());
const agent = new SiteAgent({ kit, audit, log });
let status = 0;
try {
  await agent.run(stop.signal);
} catch (err) {
  log("error", err instanceof FatalRefusal ? err.message : `stopped: ${err}`);
  status = 1;
}
await audit.close();
Deno.exit(status);
