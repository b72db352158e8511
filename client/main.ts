/**
 * The client process (CP) of a site. Started by `deno task client --kit <dir>`
 * (client/launcher.ts), which checks the kit and runs this file with permissions computed from
 * it. Checks the kit again before anything else, loads the site's policies and audit log, and
 * keeps the site connected to the server until SIGTERM or SIGINT: it decides on deployments
 * under its own policies and runs the jobs it accepted in sandboxed executors.
 *
 * Usage: `client/main.ts --kit <dir> [--check-sandbox [<targets JSON>]]`
 *
 * @module
 */
import { loadSitePolicies, RUNTIME_DIR, startRole } from "../core/launch/mod.ts";
import { parseCertificate, readIdentity } from "../core/pki/mod.ts";
import { Reservations } from "../core/resources/mod.ts";
import { BudgetLedger, loadSandboxedFilter } from "../core/filters/mod.ts";
import { Deployer, hasSlotManager } from "./jobs/deployer.ts";
import { JobManager } from "./jobs/job_manager.ts";
import { loadSiteChecks } from "./jobs/load_site_checks.ts";
import { SiteConsole } from "./console/site_console.ts";
import { FatalRefusal, SiteAgent } from "./site_agent.ts";

const { kit, log, logLevel } = await startRole("client", Deno.args);
const started = new Date();

const { audit, authz, resources, privacy } = await loadSitePolicies(kit, "client", log);
let deployer: Deployer;
let jobs: JobManager;
let reservations: Reservations;
try {
  // The privacy budget ledger: an unreadable one stops the site (privacy-and-filters.md §8).
  const ledger = await BudgetLedger.open(`${kit.kitDir}/privacy_budget.json`);
  jobs = new JobManager({ audit, log, ledger, runtimeRead: [`${RUNTIME_DIR}/core`] });
  deployer = new Deployer({
    site: kit.name,
    siteOrg: readIdentity(parseCertificate(kit.certificatePem)).org ?? "",
    rootCa: parseCertificate(kit.rootCaPem),
    jobsDir: `${kit.kitDir}/jobs`,
    authorize: (r) => authz.authorize(r),
    privacy: () => privacy.policy,
    jobFilter: (customDir, path, args) => loadSandboxedFilter({ customDir, path, args }),
    reservations: reservations = new Reservations(resources.managers, {
      maxConcurrentJobs: resources.maxConcurrentJobs,
    }),
    sandbox: resources.sandbox,
    classAllowList: {
      ...(resources.classAllowList !== undefined
        ? { class_allow_list: resources.classAllowList }
        : {}),
      ...(resources.classListEnforcementMode !== undefined
        ? { class_list_enforcement_mode: resources.classListEnforcementMode }
        : {}),
    },
    checks: await loadSiteChecks(kit.kitDir, resources.checks),
    slotManager: hasSlotManager(resources.managers),
    jobs,
    audit,
    log,
  });
} catch (err) {
  log("error", err instanceof Error ? err.message : String(err));
  await authz.close();
  await privacy.close();
  await audit.close();
  Deno.exit(1);
}
const stop = new AbortController();
// Exit 75 after `restart`: the launcher's supervisor starts the site again (core/launch).
let restartRequested = false;
const siteConsole = new SiteConsole({
  site: kit.name,
  siteOrg: readIdentity(parseCertificate(kit.certificatePem)).org ?? "",
  workspace: kit.kitDir,
  authorize: (r) => authz.authorize(r),
  privacy: () => privacy.policy,
  jobs,
  resources: () => reservations.report(),
  logLevel,
  audit,
  started,
  stop: (restart) => {
    restartRequested = restart;
    log(
      "info",
      restart ? "restart requested from the console" : "shutdown requested from the console",
    );
    stop.abort();
  },
});
Deno.addSignalListener("SIGTERM", () => stop.abort());
Deno.addSignalListener("SIGINT", () => stop.abort());
const agent = new SiteAgent({
  kit,
  audit,
  log,
  auditHead: () => audit.head,
  onTask: (t) => jobs.run(t, kit.name),
  onCommand: (c) => c.command === "console" ? siteConsole.handle(c) : deployer.handle(c),
});
let status = 0;
try {
  await agent.run(stop.signal);
} catch (err) {
  log("error", err instanceof FatalRefusal ? err.message : `stopped: ${err}`);
  status = 1;
}
await deployer.close();
await jobs.close();
await authz.close();
await privacy.close();
await audit.close();
Deno.exit(status === 0 && restartRequested ? 75 : status);
