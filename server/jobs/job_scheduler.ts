import { resolveComponent } from "../../core/app_common/resolve_component.ts";
import { type JobFile, type ValidatedJob, validateJob } from "../../core/jobs/mod.ts";
import { encode } from "../../core/wire/mod.ts";
import {
  type BudgetLedger,
  buildJobFilterChains,
  type FilterResolver,
  type JobFilterChains,
  type PrivacyPolicy,
  type PrivacyScope,
  scopeForJob,
} from "../../core/filters/mod.ts";
import type { AuditSink } from "../server_context.ts";
import type { JobRecord, JobStatus } from "./job_record.ts";
import type { JobRunner } from "./job_runner.ts";
import type { JobService } from "./job_service.ts";
import type { JobStore } from "./job_store.ts";
import type { SiteCommandReply, SiteCommands } from "./site_commands.ts";

/** How the scheduler runs (server `resources.json`, `resources-and-cc.md` §2, §6). */
export interface JobSchedulerOptions {
  store: JobStore;
  commands: SiteCommands;
  jobs: JobService;
  audit: AuditSink;
  /** Sites with a live session now. */
  sites: () => string[];
  maxJobs: number;
  /** Folders every server job process may read (the runtime's built-in components). */
  runtimeRead: string[];
  /** The server's sandbox limits for its job processes. */
  sandbox: { heapMb: number };
  log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
  /** The server's own privacy policy (`local/privacy.*`), current version; none: no filters. */
  privacy?: () => PrivacyPolicy | undefined;
  /** The server's privacy budget ledger, for budgeted server-side filters. */
  ledger?: BudgetLedger;
  /** Builds a filter from the job's `custom/` code in a no-permission sandbox. */
  jobFilter?: (
    customDir: string,
    ...entry: Parameters<FilterResolver>
  ) => ReturnType<FilterResolver>;
  /** Time between scheduling rounds, and before a job that could not start is tried again. */
  intervalMs?: number;
  retryMs?: number;
  /** How long a site has to answer a reserve or deploy command. */
  commandTimeoutMs?: number;
}

/** One site's answer in a scheduling round. */
interface SiteAnswer {
  site: string;
  reply: SiteCommandReply;
}

/** A refusal that the next round would repeat: the site's policy or its total capacity. */
const lasting = (r: SiteCommandReply) =>
  !r.ok && r.code !== "RESOURCES_BUSY" && r.code !== "NO_REPLY" && r.code !== "OFFLINE";

const describe = (answers: SiteAnswer[]) =>
  answers.map((a) => a.reply.ok ? `${a.site}: ok` : `${a.site}: ${a.reply.code} ${a.reply.message}`)
    .join("; ");

/**
 * Starts submitted jobs (`resources-and-cc.md` §2, `jobs.md` §6): at most `max_jobs` at once,
 * oldest first. A round asks every target site to reserve (the site runs its deployment checks
 * 3–8 first, so a site that will refuse never holds capacity); when the accepting sites meet
 * `min_clients` and include every mandatory client, they are told to deploy, and the job's
 * controller starts in its sandboxed server job process. Otherwise reservations are cancelled and
 * the job waits for a later round, unless refusals that a retry would repeat (a site's policy,
 * `RESOURCES_NEVER`) make it impossible: then it ends `FAILED_TO_RUN` with each site's reason.
 *
 * Without `min_clients` every listed client must accept (with `@ALL`: every site registered when
 * the job is scheduled, at least one).
 */
export class JobScheduler {
  readonly #o: JobSchedulerOptions;
  readonly #active = new Map<string, JobRunner | "starting">();
  readonly #nextTry = new Map<string, number>();
  /** Sites each running job was deployed to, told `end_job` when it ends. */
  readonly #deployed = new Map<string, string[]>();
  /** Jobs whose end is being recorded. */
  readonly #finishing = new Set<Promise<void>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(options: JobSchedulerOptions) {
    this.#o = options;
  }

  start(): void {
    this.#timer = setInterval(() => this.poke(), this.#o.intervalMs ?? 1000);
    this.poke();
    this.#endLostJobs();
  }

  /**
   * Jobs that were running when the server died are still deployed at their sites: tell each
   * site to end them (it frees the reservation and stops the executors) once it polls again.
   */
  #endLostJobs(): void {
    for (const record of this.#o.store.list()) {
      for (const [site, s] of Object.entries(record.sites ?? {})) {
        if (s.status !== "lost") continue;
        void this.#o.commands.send(
          site,
          { command: "end_job", jobId: record.job_id, args: {} },
          3_600_000,
        ).then(async (reply) => {
          if (!reply.ok || this.#closed) return;
          const now = this.#o.store.get(record.job_id);
          if (!now?.sites) return;
          await this.#o.store.update(record.job_id, {
            sites: { ...now.sites, [site]: { status: "ended" } },
          });
        });
      }
    }
  }

  /** Runs a scheduling round soon (a job was submitted or ended). */
  poke(): void {
    if (this.#closed) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = this.#tick().catch((err) =>
      this.#o.log("error", `scheduler: ${err instanceof Error ? err.stack : err}`)
    ).finally(() => {
      this.#ticking = undefined;
      if (this.#again) {
        this.#again = false;
        this.poke();
      }
    });
  }

  /** The runner of a running job, for progress and abort. */
  runner(jobId: string): JobRunner | undefined {
    const r = this.#active.get(jobId);
    return r === "starting" ? undefined : r;
  }

  /**
   * Aborts a job: a waiting one ends at once, a running one has its controller stopped (its
   * status is written when the runner ends). False when the job is already final.
   */
  async abort(jobId: string, reason: string): Promise<boolean> {
    const record = this.#o.store.get(jobId);
    if (!record) return false;
    if (record.status === "SUBMITTED") {
      await this.#o.store.update(jobId, {
        status: "FINISHED:ABORTED",
        end_time: Date.now(),
        failure: reason,
      });
      return true;
    }
    const runner = this.runner(jobId);
    if (!runner) return false;
    await runner.abort(reason);
    return true;
  }

  async #tick(): Promise<void> {
    const now = Date.now();
    for (const record of this.#o.store.withStatus("SUBMITTED")) {
      if (this.#closed || this.#active.size >= this.#o.maxJobs) return;
      if ((this.#nextTry.get(record.job_id) ?? 0) > now) continue;
      this.#active.set(record.job_id, "starting");
      try {
        await this.#try(record);
      } catch (err) {
        this.#o.log("error", `job ${record.job_id}: ${err instanceof Error ? err.stack : err}`);
        await this.#fail(record.job_id, `internal error while scheduling: ${err}`);
      } finally {
        if (this.#active.get(record.job_id) === "starting") this.#active.delete(record.job_id);
      }
    }
  }

  async #try(record: JobRecord): Promise<void> {
    const { store } = this.#o;
    const jobId = record.job_id;
    // Who must take part follows from the meta validated at submission: a job none of whose
    // sites is connected waits without its files being read again.
    const online = new Set(this.#o.sites());
    const lists = Object.values(record.meta.deploy_map as Record<string, string[]>);
    const listed = lists.flat().some((s) => s.toUpperCase() === "@ALL")
      ? [...online].sort()
      : [...new Set(lists.flat())].filter((s) => s !== "server");
    const min = (record.meta.min_clients as number | undefined) ?? Math.max(1, listed.length);
    const mandatory = (record.meta.mandatory_clients as string[] | undefined) ?? [];
    if (!listed.some((s) => online.has(s))) {
      return this.#later(jobId, "none of its sites is connected");
    }
    const files = await store.files(jobId);
    const job = validateJob(files, { folderName: record.name });
    const command = (site: string, name: string, args: Record<string, unknown>) =>
      this.#send(jobId, site, name, args);

    // 1. Reservations (each site runs deployment checks 3–8 first).
    const reserved: SiteAnswer[] = await Promise.all(listed.map(async (site) => ({
      site,
      reply: await command(site, "reserve", {
        files: filesFor(job, files, site),
        resource_spec: job.meta.resource_spec?.[site] ?? {},
      }),
    })));
    const cancel = (answers: SiteAnswer[]) =>
      Promise.all(
        answers.filter((a) => a.reply.ok).map((a) =>
          command(a.site, "cancel", { token: a.reply.ok ? a.reply.data.token : "" })
        ),
      );
    const verdict = (ok: string[], refused: string[]) => {
      const missing = mandatory.filter((c) => !ok.includes(c));
      if (ok.length >= min && missing.length === 0) return "run";
      const possible = listed.filter((s) => !refused.includes(s));
      const lost = mandatory.filter((c) => refused.includes(c) || !listed.includes(c));
      return possible.length < min || lost.length > 0 ? "never" : "wait";
    };
    const ok = reserved.filter((a) => a.reply.ok).map((a) => a.site);
    const refused = reserved.filter((a) => lasting(a.reply)).map((a) => a.site);
    const sites: NonNullable<JobRecord["sites"]> = {};
    for (const a of reserved) {
      sites[a.site] = a.reply.ok
        ? { status: "reserved" }
        : { status: lasting(a.reply) ? "refused" : "unavailable", reason: a.reply.message };
    }
    const v = verdict(ok, refused);
    if (v !== "run") {
      await cancel(reserved);
      if (v === "never") {
        return await this.#fail(jobId, this.#shortfall(min, mandatory, reserved), sites);
      }
      await store.update(jobId, { sites });
      return this.#later(jobId, describe(reserved));
    }

    // 2. Deployment (each site runs every check again, then allocates its reservation).
    this.#nextTry.delete(jobId);
    await store.update(jobId, { status: "DISPATCHED", start_time: Date.now(), sites });
    const deployed: SiteAnswer[] = await Promise.all(
      reserved.filter((a) => a.reply.ok).map(async (a) => ({
        site: a.site,
        reply: await command(a.site, "deploy", {
          token: a.reply.ok ? a.reply.data.token : "",
          files: filesFor(job, files, a.site),
        }),
      })),
    );
    for (const a of deployed) {
      sites[a.site] = a.reply.ok
        ? { status: "deployed" }
        : { status: "refused", reason: a.reply.message };
    }
    const running = deployed.filter((a) => a.reply.ok).map((a) => a.site);
    const failed = deployed.filter((a) => !a.reply.ok).map((a) => a.site);
    if (verdict(running, [...refused, ...failed]) !== "run") {
      await Promise.all(running.map((site) => command(site, "end_job", {})));
      return await this.#fail(
        jobId,
        this.#shortfall(min, mandatory, [...reserved.filter((a) => !a.reply.ok), ...deployed]),
        sites,
      );
    }

    // 3. The controller, in the server job process.
    const app = job.appFor("server");
    const config = app ? job.apps.get(app)?.serverConfig : undefined;
    const workflow = config?.workflows?.[0];
    if (!app || !workflow) {
      await Promise.all(running.map((site) => command(site, "end_job", {})));
      return await this.#fail(jobId, `job "${job.name}" has no server workflow`, sites);
    }
    const appDir = `${store.filesDir(jobId)}/${app}`;
    const runDir = store.runDir(jobId);
    await Deno.mkdir(runDir, { recursive: true });
    const path = String(workflow.path ?? workflow.class_path ?? "");
    const controller = await resolveComponent(path, appDir);
    const args = (workflow.args ?? {}) as Record<string, unknown>;
    // The server's own chains (privacy-and-filters.md §2–3), fixed now like a site's.
    let scope: PrivacyScope | undefined;
    let filters: JobFilterChains | undefined;
    try {
      scope = scopeForJob(this.#o.privacy?.(), job.meta.scope, "server");
      filters = await buildJobFilterChains({
        config,
        scope,
        ...(this.#o.jobFilter && job.apps.get(app)?.byoc
          ? { jobCode: (p, a) => this.#o.jobFilter!(`${appDir}/custom`, p, a) }
          : {}),
      });
    } catch (err) {
      await Promise.all(running.map((site) => command(site, "end_job", {})));
      const why = err instanceof Error ? err.message : String(err);
      return await this.#fail(jobId, `server: ${(err as { code?: string }).code} ${why}`, sites);
    }
    await this.#o.audit.addJobEvent({
      jobId,
      ...(scope ? { scope: scope.name } : {}),
      msg: `server filters privacy=${scope ? "on" : "none"}`,
    });
    this.#deployed.set(jobId, running);
    // A job filter's sandbox worker must not outlive a controller that never started.
    const runner = await this.#o.jobs.start({
      jobId,
      sites: running,
      controller: { module: controller.module, export: controller.export, args },
      grant: {
        read: [appDir, ...this.#o.runtimeRead],
        write: [runDir],
        heapMb: Number(job.meta.sandbox?.heap_mb ?? this.#o.sandbox.heapMb),
      },
      cwd: runDir,
      ...(scope
        ? { scope: scope.name }
        : typeof job.meta.scope === "string"
        ? { scope: job.meta.scope }
        : {}),
      ...(filters ? { filters } : {}),
      ...(this.#o.ledger ? { ledger: this.#o.ledger } : {}),
      log: this.#o.log,
    }).catch((err) => {
      filters?.close();
      throw err;
    });
    this.#active.set(jobId, runner);
    for (const site of running) sites[site] = { status: "running" };
    await store.update(jobId, { status: "RUNNING", sites });
    const done = runner.finished.then((outcome) => this.#finished(jobId, runner, outcome))
      .finally(() => this.#finishing.delete(done));
    this.#finishing.add(done);
  }

  /** A command for a site of a job; a site without a session answers `OFFLINE` at once. */
  #send(
    jobId: string,
    site: string,
    name: string,
    args: Record<string, unknown>,
  ): Promise<SiteCommandReply> {
    if (!this.#o.sites().includes(site)) {
      return Promise.resolve({
        ok: false,
        code: "OFFLINE",
        message: `site "${site}" is not connected`,
      });
    }
    return this.#o.commands.send(
      site,
      { command: name, jobId, args },
      this.#o.commandTimeoutMs ?? 30_000,
    );
  }

  async #finished(
    jobId: string,
    runner: JobRunner,
    outcome: Awaited<JobRunner["finished"]>,
  ): Promise<void> {
    const { store } = this.#o;
    try {
      const aborted = runner.abortReason !== undefined;
      const status: JobStatus = outcome.status === "completed"
        ? "FINISHED:COMPLETED"
        : aborted
        ? "FINISHED:ABORTED"
        : "FINISHED:EXECUTION_EXCEPTION";
      if (outcome.status === "completed") {
        await writeAtomic(`${store.runDir(jobId)}/result.cbor`, encode(outcome.result));
      }
      const sites = { ...store.get(jobId)?.sites };
      for (const site of this.#deployed.get(jobId) ?? []) sites[site] = { status: "done" };
      await store.update(jobId, {
        status,
        end_time: Date.now(),
        sites,
        ...(runner.progress ? { progress: runner.progress } : {}),
        ...(outcome.status === "failed" ? { failure: runner.abortReason ?? outcome.reason } : {}),
      });
      await this.#o.audit.addJobEvent({ jobId, msg: `job ended: ${status}` });
      await Promise.all(
        (this.#deployed.get(jobId) ?? []).map((site) => this.#send(jobId, site, "end_job", {})),
      );
    } finally {
      this.#deployed.delete(jobId);
      this.#active.delete(jobId);
      this.poke();
    }
  }

  #shortfall(min: number, mandatory: string[], answers: SiteAnswer[]): string {
    const needs = mandatory.length > 0
      ? `${min} client(s) including ${mandatory.join(", ")}`
      : `${min} client(s)`;
    return `the job needs ${needs}; ${describe(answers)}`;
  }

  #later(jobId: string, why: string): void {
    this.#nextTry.set(jobId, Date.now() + (this.#o.retryMs ?? 5000));
    this.#o.log("info", `job ${jobId} waits: ${why}`);
  }

  async #fail(
    jobId: string,
    reason: string,
    sites?: NonNullable<JobRecord["sites"]>,
  ): Promise<void> {
    this.#nextTry.delete(jobId);
    await this.#o.store.update(jobId, {
      status: "FAILED_TO_RUN",
      end_time: Date.now(),
      failure: reason,
      ...(sites ? { sites } : {}),
    });
    await this.#o.audit.addJobEvent({ jobId, msg: `job failed to run: ${reason}` });
    this.#o.log("warn", `job ${jobId} failed to run: ${reason}`);
  }

  /** Stops scheduling and aborts running jobs (their records say why). */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#ticking;
    const runners = [...this.#active.values()].filter((r): r is JobRunner => r !== "starting");
    await Promise.all(runners.map((r) => r.abort("the server is shutting down")));
    await Promise.allSettled([...this.#finishing]);
  }
}

/** What a site receives (`jobs.md` §6 step 2): the root folder's files and its own app. */
export function filesFor(job: ValidatedJob, files: readonly JobFile[], site: string): JobFile[] {
  const app = job.appFor(site);
  return files.filter((f) => !f.path.includes("/") || (app && f.path.startsWith(`${app}/`)));
}

async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  await Deno.writeFile(tmp, data, { mode: 0o600 });
  await Deno.rename(tmp, path);
}
