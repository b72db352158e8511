import {
  type AuthorizationDecision,
  AuthorizationError,
  type AuthorizationRequest,
  CommandRefusal,
  lookupCommand,
} from "../../policies/mod.ts";
import type { PrivacyPolicy } from "../../core/filters/mod.ts";
import { isLogLevel, LOG_LEVELS, type LogLevel, processInfo } from "../../core/launch/mod.ts";
import {
  isShellCommand,
  parseShellCommand,
  runShellCommand,
  ShellError,
} from "../../core/shell/mod.ts";
import type { AuditSink } from "../../core/util/audit_sink.ts";
import type { JobManager } from "../jobs/job_manager.ts";
import type { CommandAnswer, ReceivedCommand } from "../jobs/deployer.ts";

type Identity = { name: string; org: string; role: string };

/** What a site's console commands reach. */
export interface SiteConsoleOptions {
  site: string;
  siteOrg: string;
  /** The site workspace (its kit folder): the jail of the shell commands. */
  workspace: string;
  authorize: (request: AuthorizationRequest) => AuthorizationDecision;
  privacy: () => PrivacyPolicy | undefined;
  jobs: JobManager;
  resources: () => unknown;
  /** The site process's log level, changed by `configure_site_log`. */
  logLevel: { value: LogLevel };
  audit: AuditSink;
  /** Stops the site process; `restart` asks its supervisor to start it again. */
  stop: (restart: boolean) => void;
  started: Date;
}

/**
 * The console commands a site answers itself (`authorization.md` §6, checked `C`): the server
 * forwards the command with the user it authenticated; this site checks its own policy (for job
 * commands with the submitter it verified at deployment), audits `U:<user> A:<command> R:<server
 * event>` with `ok` or `denied: <code>`, and answers with its own decision. Shell arguments are
 * checked before authorization (`BAD_COMMAND_ARGS`).
 */
export class SiteConsole {
  readonly #o: SiteConsoleOptions;

  constructor(options: SiteConsoleOptions) {
    this.#o = options;
  }

  async handle(cmd: ReceivedCommand): Promise<CommandAnswer> {
    const name = String(cmd.args.name ?? "");
    const args = Array.isArray(cmd.args.args) ? cmd.args.args.map(String) : [];
    const user = cmd.args.user as Identity;
    const action = [name, ...(cmd.jobId ? [cmd.jobId] : []), ...args].join(" ").slice(0, 100);
    const audit = (msg: string) =>
      this.#o.audit.addEvent({ user: user.name, action, ref: cmd.ref, msg });
    try {
      const command = lookupCommand(name);
      const shell = isShellCommand(name) ? parseShellCommand(name, args) : undefined;
      const job = cmd.jobId ? this.#o.jobs.get(cmd.jobId) : undefined;
      if (cmd.jobId && !job && name !== "download_job") {
        throw new CommandRefusal("JOB_NOT_FOUND", `job ${cmd.jobId} is not deployed here`);
      }
      // The submitter this site verified itself; the server's word only for jobs it never ran.
      const submitter = job?.job.submitter ?? (cmd.args.submitter as Identity | undefined);
      const decision = this.#o.authorize({
        right: command.right,
        user,
        submitter: command.jobScoped ? submitter ?? null : null,
        siteOrg: this.#o.siteOrg,
      });
      if (!decision.allowed) {
        throw new CommandRefusal(
          "NOT_AUTHORIZED",
          AuthorizationError.notAuthorized(user.name, command.right).message,
        );
      }
      const data = shell
        ? { output: await runShellCommand(this.#o.workspace, shell) }
        : await this.#run(name, cmd.jobId, args);
      const ref = await audit("ok");
      return { ok: true, data, ref };
    } catch (err) {
      const code = err instanceof CommandRefusal || err instanceof ShellError ||
          err instanceof AuthorizationError
        ? err.code
        : "COMMAND_FAILED";
      const ref = await audit(`denied: ${code}`);
      const why = err instanceof Error ? err.message : String(err);
      return { ok: false, code, message: `site ${this.#o.site}: ${why}`, ref };
    }
  }

  async #run(
    name: string,
    jobId: string | undefined,
    args: string[],
  ): Promise<Record<string, unknown>> {
    const o = this.#o;
    switch (name) {
      case "check_status":
        return {
          site: o.site,
          status: "running",
          started: o.started.toISOString(),
          jobs: o.jobs.jobIds,
        };
      case "show_scopes": {
        const p = o.privacy();
        if (!p) return { scopes: [], note: "no privacy policy: every scope accepted" };
        return {
          ...(p.defaultScope ? { default_scope: p.defaultScope } : {}),
          scopes: [...p.scopes.values()].map((s) => ({
            name: s.name,
            task_data_filters: s.taskDataFilters.map((f) => f.name),
            task_result_filters: s.taskResultFilters.map((f) => f.name),
            ...(s.budget ? { privacy_budget: s.budget } : {}),
          })),
        };
      }
      case "show_stats": {
        const { stats, job } = o.jobs.get(jobId!)!;
        return {
          tasks: stats.tasks,
          failed: stats.failed,
          deployed: stats.started,
          ...(job.scope ? { scope: job.scope } : {}),
        };
      }
      case "show_errors":
        return { errors: o.jobs.get(jobId!)!.stats.errors };
      case "reset_errors": {
        const { stats } = o.jobs.get(jobId!)!;
        const n = stats.errors.length;
        stats.errors.length = 0;
        return { reset: n };
      }
      case "configure_job_log": {
        const { stats } = o.jobs.get(jobId!)!;
        stats.logLevel = level(args);
        return { log_level: stats.logLevel };
      }
      case "configure_site_log":
        o.logLevel.value = level(args);
        return { log_level: o.logLevel.value };
      case "sys_info":
        return processInfo(o.started);
      case "report_resources":
        return { resources: o.resources() };
      case "report_env":
        return { site: o.site, org: o.siteOrg, workspace: o.workspace, deno: Deno.version.deno };
      case "shutdown":
      case "restart":
        // Answer first: the server must hear the decision before the site goes away.
        setTimeout(() => o.stop(name === "restart"), 200);
        return { [name]: "requested" };
      case "download_job":
        return await this.#jobAudit(jobId!);
      default:
        throw new CommandRefusal("UNKNOWN_COMMAND", `"${name}" is not a command sites answer`);
    }
  }

  /** The job's own audit log (an independent chain), for the downloader to verify. */
  async #jobAudit(jobId: string): Promise<Record<string, unknown>> {
    const path = `${this.#o.workspace}/${jobId}/audit.log`;
    try {
      return { audit_log: await Deno.readFile(path) };
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new CommandRefusal("JOB_NOT_FOUND", `no audit log of job ${jobId} here`);
      }
      throw err;
    }
  }
}

/** The level argument; the server checked it, but a site takes no argument on trust. */
function level(args: string[]): LogLevel {
  const value = args[0] ?? "";
  if (!isLogLevel(value)) {
    throw new CommandRefusal(
      "BAD_COMMAND_ARGS",
      `log config "${value}" is not a level; use one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  return value;
}
