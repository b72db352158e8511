import {
  type AppConfig,
  checkComponents,
  checkJobPaths,
  checkSandboxRequest,
  type ClassAllowList,
  componentNodes,
  isJobId,
  type JobFile,
  JobValidationError,
  parseClassAllowList,
  type ValidatedJob,
  validateJob,
  verifyJobFiles,
  writeJobFiles,
} from "../../core/jobs/mod.ts";
import type { PrivacyPolicy, PrivacyScope } from "../../core/filters/mod.ts";
import {
  buildJobFilterChains,
  type FilterResolver,
  type JobFilterChains,
  JobFilterError,
  PrivacyPolicyError,
  scopeForJob,
} from "../../core/filters/mod.ts";
import type { Certificate } from "../../core/pki/mod.ts";
import {
  type ComponentEntry,
  jobSandbox,
  type Reservations,
  ResourceError,
  type SandboxLimits,
  SlotResourceManager,
} from "../../core/resources/mod.ts";
import type { AuditSink } from "../../core/util/audit_sink.ts";
import {
  type AuthorizationDecision,
  AuthorizationError,
  type AuthorizationRequest,
} from "../../policies/mod.ts";
import type { JobManager } from "./job_manager.ts";

/** A command from the server, as the site agent received it. */
export interface ReceivedCommand {
  command: string;
  commandId: string;
  jobId?: string;
  args: Record<string, unknown>;
  /** The server's audit event id for sending it. */
  ref: string;
}

/** The site's answer to a command. */
export type CommandAnswer =
  | { ok: true; data?: Record<string, unknown>; ref: string }
  | { ok: false; code: string; message: string; ref: string };

/** A site-registered component check (`jobs.md` §7.2), loaded from `local/custom/`. */
export type SiteCheck = (input: {
  job_id: string;
  job_meta: Record<string, unknown>;
  app: string;
  node_path: string;
  config: Record<string, unknown>;
  byoc: boolean;
  submitter: { name: string; org: string; role: string };
  sandbox_request: unknown;
}, args: Record<string, unknown>) => unknown;

/** What the deployer works with at a site. */
export interface DeployerOptions {
  site: string;
  /** The site's org: `o:site` in its policy. */
  siteOrg: string;
  rootCa: Certificate;
  /** Where deployed jobs live: `<workspace>/<job_id>/{app,run}`. */
  jobsDir: string;
  authorize: (request: AuthorizationRequest) => AuthorizationDecision;
  privacy: () => PrivacyPolicy | undefined;
  /**
   * Builds a filter from the job's `custom/` code in its own no-permission sandbox; without it,
   * a job naming such a filter is refused (`JOB_CONFIG_INVALID`).
   */
  jobFilter?: (
    customDir: string,
    ...entry: Parameters<FilterResolver>
  ) => ReturnType<FilterResolver>;
  reservations: Reservations;
  sandbox: SandboxLimits;
  /** `class_allow_list` and `class_list_enforcement_mode` of `resources.json`, raw. */
  classAllowList: { class_allow_list?: unknown; class_list_enforcement_mode?: unknown };
  checks: { entry: ComponentEntry; check: SiteCheck }[];
  /** True when a slot manager holds memory: the heap must fit the reservation. */
  slotManager: boolean;
  jobs: JobManager;
  audit: AuditSink;
  log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
}

/** A refusal at one step of `jobs.md` §6, with the code the spec gives it. */
class Refused extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface Checked {
  job: ValidatedJob;
  app: string;
  byoc: boolean;
  scope: PrivacyScope | undefined;
  submitter: { name: string; org: string; role: string };
}

/** Answers of the resource layer that another round may turn around: not a refusal of the job. */
const PASSING = new Set(["RESOURCES_BUSY", "RESERVATION_EXPIRED", "RESOURCES_NEVER"]);

/**
 * The site's side of scheduling and deployment (`jobs.md` §6, `resources-and-cc.md` §5): answers
 * `reserve` after checks 1–8, `deploy` after every check 1–11 (then writes the app, allocates the
 * reservation and hands the job to the `JobManager`), `cancel` and `end_job`. The submitter is the
 * signer of the files the site itself verified against its own root; the server's word counts for
 * nothing. Every decision is audited with the server's event as `R`.
 */
export class Deployer {
  readonly #o: DeployerOptions;
  readonly #allowList: ClassAllowList;
  /** Allocated reservation per deployed job, freed when the job ends here. */
  readonly #allocated = new Map<string, string>();
  #defaultListAudited = false;

  /** Throws `ClassAllowListError` for an invalid allow-list: the site must not start. */
  constructor(options: DeployerOptions) {
    this.#o = options;
    this.#allowList = parseClassAllowList(options.classAllowList as Record<string, unknown>);
  }

  /** Answers one command; never throws. */
  async handle(cmd: ReceivedCommand): Promise<CommandAnswer> {
    const jobId = cmd.jobId ?? "";
    if (!isJobId(jobId)) {
      // Step 1: every command a site answers names a job the server assigned an id.
      const ref = await this.#o.audit.addEvent({
        user: "system",
        action: cmd.command.slice(0, 100),
        ref: cmd.ref,
        msg: `denied: DEPLOY_REFUSED job id ${JSON.stringify(jobId)} is no uuid`,
      });
      return {
        ok: false,
        code: "DEPLOY_REFUSED",
        message: `site ${this.#o.site}: job id ${JSON.stringify(jobId)} is no uuid`,
        ref,
      };
    }
    try {
      switch (cmd.command) {
        case "reserve":
          return await this.#reserve(cmd, jobId);
        case "deploy":
          return await this.#deploy(cmd, jobId);
        case "cancel": {
          this.#o.reservations.cancel(String(cmd.args.token ?? ""), jobId);
          const ref = await this.#event(jobId, cmd.ref, "reservation cancelled");
          return { ok: true, ref };
        }
        case "end_job": {
          await this.end(jobId);
          const ref = await this.#event(jobId, cmd.ref, "job ended at this site");
          return { ok: true, ref };
        }
        default: {
          const ref = await this.#o.audit.addEvent({
            user: "system",
            action: cmd.command.slice(0, 100),
            ref: cmd.ref,
            msg: "denied: UNKNOWN_COMMAND",
          });
          return {
            ok: false,
            code: "UNKNOWN_COMMAND",
            message: `site ${this.#o.site}: unknown command "${cmd.command}"`,
            ref,
          };
        }
      }
    } catch (err) {
      this.#o.log("error", `command ${cmd.command}: ${err instanceof Error ? err.stack : err}`);
      const ref = await this.#event(jobId, cmd.ref, `command ${cmd.command} failed: ${err}`);
      return { ok: false, code: "INTERNAL", message: `site ${this.#o.site}: ${err}`, ref };
    }
  }

  /** Stops a job here and releases what it held. */
  async end(jobId: string): Promise<void> {
    await this.#o.jobs.remove(jobId);
    const token = this.#allocated.get(jobId);
    if (token) this.#o.reservations.free(token);
    this.#allocated.delete(jobId);
  }

  async close(): Promise<void> {
    for (const jobId of [...this.#allocated.keys()]) await this.end(jobId);
  }

  #event(jobId: string, ref: string, msg: string): Promise<string> {
    return this.#o.audit.addJobEvent({ jobId, ref, msg });
  }

  async #refusal(cmd: ReceivedCommand, jobId: string, err: Refused): Promise<CommandAnswer> {
    const verb = cmd.command === "reserve" ? "reservation refused" : "deploy refused";
    const ref = await this.#event(jobId, cmd.ref, `${verb}: ${err.code} ${err.message}`);
    return {
      ok: false,
      code: PASSING.has(err.code) ? err.code : "DEPLOY_REFUSED",
      message: `site ${this.#o.site}: ${err.code} ${err.message}`,
      ref,
    };
  }

  async #reserve(cmd: ReceivedCommand, jobId: string): Promise<CommandAnswer> {
    try {
      await this.#check(jobId, cmd.args.files, false);
      const token = this.#reserveResources(jobId, cmd.args.resource_spec);
      const ref = await this.#event(jobId, cmd.ref, "resources reserved");
      return { ok: true, data: { token }, ref };
    } catch (err) {
      if (err instanceof Refused) return await this.#refusal(cmd, jobId, err);
      throw err;
    }
  }

  async #deploy(cmd: ReceivedCommand, jobId: string): Promise<CommandAnswer> {
    const token = String(cmd.args.token ?? "");
    try {
      const files = cmd.args.files as JobFile[];
      const c = await this.#check(jobId, files, true);
      const config = c.job.apps.get(c.app)!.clientConfig!;
      // Step 11: the reservation becomes an allocation; the executor's sandbox is fixed now.
      try {
        this.#o.reservations.allocate(token, jobId);
      } catch (err) {
        if (err instanceof ResourceError) throw new Refused(err.code, err.message);
        throw err;
      }
      let sandbox;
      try {
        sandbox = await jobSandbox(
          c.job.meta.sandbox as Parameters<typeof jobSandbox>[0],
          this.#o.sandbox,
          c.scope?.properties ?? {},
          this.#o.slotManager ? { reservedMemGiB: memOf(c.job, this.#o.site) } : {},
        );
      } catch (err) {
        this.#o.reservations.free(token);
        if (err instanceof ResourceError) throw new Refused(err.code, err.message);
        throw err;
      }
      const base = `${this.#o.jobsDir}/${jobId}`;
      const appFiles = files.filter((f) => f.path.startsWith(`${c.app}/`))
        .map((f) => ({ ...f, path: f.path.slice(c.app.length + 1) }));
      let filters: JobFilterChains | undefined;
      try {
        await writeJobFiles(`${base}/app`, appFiles);
        await Deno.mkdir(`${base}/run`, { recursive: true });
        const appDir = await Deno.realPath(`${base}/app`);
        const runDir = await Deno.realPath(`${base}/run`);
        // The chains are fixed now (§2): the job's code filters need its files on disk.
        filters = await buildJobFilterChains({
          config,
          scope: c.scope,
          ...(this.#o.jobFilter && c.byoc
            ? { jobCode: (path, args) => this.#o.jobFilter!(`${appDir}/custom`, path, args) }
            : {}),
        });
        await this.#o.jobs.add({
          jobId,
          appDir,
          runDir,
          config,
          ...(filters ? { filters } : {}),
          grant: {
            read: [appDir, ...Object.values(sandbox.readPaths)],
            write: [runDir],
            heapMb: sandbox.heapMb,
          },
          taskWallTimeS: sandbox.taskWallTimeS,
          data: sandbox.readPaths,
          submitter: c.submitter,
          ...(c.scope ? { scope: c.scope.name } : {}),
        });
      } catch (err) {
        filters?.close();
        this.#o.reservations.free(token);
        await Deno.remove(base, { recursive: true }).catch(() => {});
        if (err instanceof JobFilterError) throw new Refused(err.code, err.message);
        throw new Refused("DEPLOY_FAILED", `the job could not be set up here: ${err}`);
      }
      this.#allocated.set(jobId, token);
      const ref = await this.#o.audit.addJobEvent({
        jobId,
        ref: cmd.ref,
        ...(c.scope ? { scope: c.scope.name } : {}),
        msg: `deployed app=${c.app} privacy=${c.scope ? "on" : "none"} byoc=${c.byoc}`,
      });
      return { ok: true, ref };
    } catch (err) {
      if (err instanceof Refused) return await this.#refusal(cmd, jobId, err);
      throw err;
    }
  }

  #reserveResources(jobId: string, spec: unknown): string {
    try {
      return this.#o.reservations.reserve(
        jobId,
        (spec ?? {}) as Parameters<Reservations["reserve"]>[1],
      );
    } catch (err) {
      if (err instanceof ResourceError) throw new Refused(err.code, err.message);
      throw err;
    }
  }

  /** Checks 2–8 (and 9–10 when `full`) of `jobs.md` §6, in order; throws `Refused`. */
  async #check(jobId: string, rawFiles: unknown, full: boolean): Promise<Checked> {
    const { site } = this.#o;
    const asRefused = (err: unknown): never => {
      if (err instanceof JobValidationError) throw new Refused(err.code, err.message);
      throw err;
    };
    // 2. Paths.
    if (!Array.isArray(rawFiles)) throw new Refused("JOB_PATH_INVALID", "no job files");
    const files = rawFiles as JobFile[];
    try {
      checkJobPaths(files);
    } catch (err) {
      asRefused(err);
    }
    // 3–4. Signatures against this site's own root; the signer is the submitter.
    const signer = await verifyJobFiles(files, this.#o.rootCa, { partial: true }).catch(asRefused);
    const submitter = { name: signer.name, org: signer.org, role: signer.role };
    // 5. submit_job under this site's policy.
    this.#authorize("submit_job", submitter);
    // Meta and configs: needed by steps 6 and 8; a job whose meta does not parse is refused here.
    let job: ValidatedJob;
    try {
      job = validateJob(files, { folderName: jobId, site });
    } catch (err) {
      return asRefused(err);
    }
    const app = job.appFor(site);
    if (!app) throw new Refused("APP_MISSING", `no app of the job is deployed to site ${site}`);
    // 6. BYOC recomputed from the files this site received.
    const byoc = files.some((f) => f.path.startsWith(`${app}/custom/`));
    if (byoc) this.#authorize("byoc", submitter);
    // 7. No CC manager is configured at Stockade sites yet, so nothing to refuse here.
    // 8. Privacy scope.
    let scope: PrivacyScope | undefined;
    try {
      scope = scopeForJob(this.#o.privacy(), job.meta.scope, site);
    } catch (err) {
      if (err instanceof PrivacyPolicyError) throw new Refused(err.code, err.message);
      throw err;
    }
    if (full) {
      // 9. This site's config (validated above in site mode).
      const config = job.apps.get(app)?.clientConfig;
      if (!config) {
        throw new Refused(
          "APP_CLIENT_CONFIG_MISSING",
          `app "${app}" is deployed to clients but has no client config`,
        );
      }
      // 10. Unsafe components: allow-list, site checks, sandbox request.
      await this.#checkComponents(jobId, job, app, config, byoc, submitter, scope);
    }
    return { job, app, byoc, scope, submitter };
  }

  async #checkComponents(
    jobId: string,
    job: ValidatedJob,
    app: string,
    config: AppConfig,
    byoc: boolean,
    submitter: { name: string; org: string; role: string },
    scope: PrivacyScope | undefined,
  ): Promise<void> {
    const { audit } = this.#o;
    if (this.#allowList.isDefault && !this.#defaultListAudited && !byoc) {
      this.#defaultListAudited = true;
      await audit.addJobEvent({ jobId, msg: `class allow list default ["stockade."] applies` });
    }
    const result = checkComponents(config, this.#allowList, { byoc });
    for (const w of result.warnings) {
      await audit.addJobEvent({
        jobId,
        msg: this.#allowList.allowsAll && w.includes('"*"')
          ? "class allow list disabled"
          : `component allowed by warn mode: ${w}`,
      });
    }
    if (!result.allowed) {
      await audit.addJobEvent({ jobId, msg: `component rejected: ${result.message}` });
      throw new Refused(result.code, result.message);
    }
    for (const { entry, check } of this.#o.checks) {
      for (const { nodePath, node } of componentNodes(config)) {
        let verdict: unknown;
        try {
          verdict = await check({
            job_id: jobId,
            job_meta: { ...job.meta },
            app,
            node_path: nodePath,
            config: node,
            byoc,
            submitter,
            sandbox_request: job.meta.sandbox,
          }, entry.args);
        } catch (err) {
          verdict = { reason: `check "${entry.id}" failed: ${err}` };
        }
        if (verdict !== true && verdict !== undefined && !isAllow(verdict)) {
          const reason = typeof verdict === "object" && verdict !== null && "reason" in verdict
            ? String(verdict.reason)
            : `check "${entry.id}" said no`;
          const message = `component not authorized: ${reason} (at ${nodePath})`;
          await audit.addJobEvent({ jobId, msg: `component rejected: ${message}` });
          throw new Refused("COMPONENT_REJECTED", message);
        }
      }
    }
    const sandbox = checkSandboxRequest(job.meta.sandbox, {
      scopeProperties: scope?.properties ?? {},
      siteReadPathProperties: this.#o.sandbox.readPathProperties,
      maxHeapMb: this.#o.sandbox.maxHeapMb,
      maxTaskWallTimeS: this.#o.sandbox.maxTaskWallTimeS,
    });
    if (!sandbox.allowed) {
      await audit.addJobEvent({ jobId, msg: `component rejected: ${sandbox.message}` });
      throw new Refused(sandbox.code, sandbox.message);
    }
  }

  #authorize(right: "submit_job" | "byoc", submitter: Checked["submitter"]): void {
    const decision = this.#o.authorize({
      right,
      user: submitter,
      submitter,
      siteOrg: this.#o.siteOrg,
    });
    if (!decision.allowed) {
      const e = AuthorizationError.notAuthorized(submitter.name, right);
      throw new Refused("NOT_AUTHORIZED", `${e.message} (${decision.reason})`);
    }
  }
}

function isAllow(v: unknown): boolean {
  return typeof v === "object" && v !== null && "allow" in v && v.allow === true;
}

function memOf(job: ValidatedJob, site: string): number {
  const spec = job.meta.resource_spec?.[site] as { mem_in_GiB?: unknown } | undefined;
  return typeof spec?.mem_in_GiB === "number" ? spec.mem_in_GiB : 1;
}

/** True when the reservations include a slot manager (heap must fit its memory). */
export function hasSlotManager(managers: readonly unknown[]): boolean {
  return managers.some((m) => m instanceof SlotResourceManager);
}
