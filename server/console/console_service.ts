import {
  type AuthorizationDecision,
  AuthorizationError,
  type AuthorizationRequest,
  CommandRefusal,
  type ConsoleCommand,
  lookupCommand,
} from "../../policies/mod.ts";
import { isLogLevel, LOG_LEVELS } from "../../core/launch/mod.ts";
import { isShellCommand, parseShellCommand, ShellError } from "../../core/shell/mod.ts";
import type { JobRecord } from "../jobs/job_record.ts";
import type { JobScheduler } from "../jobs/job_scheduler.ts";
import type { JobStore } from "../jobs/job_store.ts";
import type { SiteCommandReply, SiteCommands } from "../jobs/site_commands.ts";
import type { AuditSink } from "../server_context.ts";
import type { LiveSession } from "../sessions/session_registry.ts";
import { ServerCommands, type ServerCommandsOptions } from "./server_commands.ts";

/** The answer to one console command (`admin.reply`). */
export interface ConsoleReply {
  ok: boolean;
  message: string;
  code?: string;
  data?: unknown;
}

/** What the console commands reach on the server. */
export interface ConsoleDeps extends ServerCommandsOptions {
  store: JobStore;
  scheduler: JobScheduler;
  audit: AuditSink;
  authorize: (request: AuthorizationRequest) => AuthorizationDecision;
  siteOrg: string;
  commands: SiteCommands;
  /** Sites with a live session now. */
  sites: () => string[];
  /** How long a site has to answer a forwarded command (default 30 s). */
  siteTimeoutMs?: number;
}

/** One site's answer to a forwarded command, as the console shows it. */
export interface SiteAnswer {
  ok: boolean;
  code?: string;
  message: string;
  data?: Record<string, unknown>;
}

// Commands whose first argument after the job id (if any) picks `server|client|all [sites…]`.
const TARGETED = new Set([
  "check_status",
  "show_scopes",
  "show_stats",
  "show_errors",
  "reset_errors",
  "configure_job_log",
  "sys_info",
  "report_resources",
  "configure_site_log",
  "shutdown",
  "restart",
]);
// Targeted commands whose last argument is a config, not a site.
const WITH_CONFIG = new Set(["configure_job_log", "configure_site_log"]);
const ALL_ALLOWED = new Set(["show_scopes", "shutdown", "restart"]);

interface Parsed {
  command: ConsoleCommand;
  job?: JobRecord;
  /** Whether the server is a target; sites targeted, in order. */
  server: boolean;
  sites: string[];
  /** What is left for the server part and for each site. */
  rest: string[];
}

/**
 * The console commands of `authorization.md` §6 on the server. Looks the command up
 * (`UNKNOWN_COMMAND`), checks its arguments (`BAD_COMMAND_ARGS`, before any authorization),
 * authorizes it where the table says: against the server's own policy (`S`, and `S+C` first), and
 * for client targets by forwarding it to each site, which decides under its own policy and audits
 * its decision (`C`). Job commands are authorized with the job's recorded submitter. The reply
 * lists each site's decision. Every command line is audited here, `denied: <code>` on refusal.
 */
export class ConsoleService {
  readonly #d: ConsoleDeps;
  readonly #server: ServerCommands;

  constructor(deps: ConsoleDeps) {
    this.#d = deps;
    this.#server = new ServerCommands(deps);
  }

  async run(session: LiveSession, name: string, args: string[]): Promise<ConsoleReply> {
    const line = [name, ...args].join(" ").slice(0, 100);
    const user = { name: session.name, org: session.org, role: session.role ?? "" };
    try {
      const p = this.#parse(name, args);
      const checkServer = p.command.checkedAt === "S" || p.command.checkedAt === "S+C" ||
        (p.command.checkedAt === "S/C" && p.server);
      if (checkServer) this.#authorize(p.command, user, p.job);
      await this.#d.audit.addEvent({ user: session.name, action: line });
      return await this.#execute(p, session, user);
    } catch (err) {
      if (
        err instanceof CommandRefusal || err instanceof AuthorizationError ||
        err instanceof ShellError
      ) {
        await this.#d.audit.addEvent({
          user: session.name,
          action: line,
          msg: `denied: ${err.code}`,
        });
        return { ok: false, code: err.code, message: err.message };
      }
      throw err;
    }
  }

  #parse(name: string, args: string[]): Parsed {
    const command = lookupCommand(name);
    const usage = `usage: ${command.usage}`;
    let rest = [...args];
    let job: JobRecord | undefined;
    if (command.usage.split(" ")[1] === "<job_id>") {
      const id = rest.shift();
      if (!id) throw new CommandRefusal("BAD_COMMAND_ARGS", `a job id is required; ${usage}`);
      job = this.#d.store.get(id);
      if (!job) throw new CommandRefusal("JOB_NOT_FOUND", `no job "${id}"`);
    }
    let server = true;
    let sites: string[] = [];
    if (TARGETED.has(name)) {
      const kind = rest.shift();
      const config = WITH_CONFIG.has(name) ? rest.pop() : undefined;
      if (WITH_CONFIG.has(name) && config === undefined) {
        throw new CommandRefusal("BAD_COMMAND_ARGS", `a config (log level) is required; ${usage}`);
      }
      if (config !== undefined && !isLogLevel(config)) {
        throw new CommandRefusal(
          "BAD_COMMAND_ARGS",
          `log config "${config}" is not a level; use one of ${LOG_LEVELS.join(", ")}`,
        );
      }
      if (kind === "server") {
        if (rest.length > 0) {
          throw new CommandRefusal("BAD_COMMAND_ARGS", `"server" takes no site names; ${usage}`);
        }
      } else if (kind === "client" || (kind === "all" && ALL_ALLOWED.has(name))) {
        server = kind === "all";
        sites = this.#sitesNamed(rest, job);
      } else {
        throw new CommandRefusal(
          "BAD_COMMAND_ARGS",
          `target "${kind ?? ""}" is not ${
            ALL_ALLOWED.has(name) ? "server, client or all" : "server or client"
          }; ${usage}`,
        );
      }
      rest = config === undefined ? [] : [config];
    } else if (name === "download_job" && job) {
      // The job's audit logs from every site it was deployed to, each site deciding for itself.
      sites = Object.entries(job.sites ?? {})
        .filter(([, s]) => ["deployed", "running", "done"].includes(s.status)).map(([n]) => n);
    } else if (isShellCommand(name) || name === "report_env") {
      const target = rest.shift();
      if (!target) throw new CommandRefusal("BAD_COMMAND_ARGS", `a target is required; ${usage}`);
      if (isShellCommand(name)) parseShellCommand(name, rest);
      if (target !== "server" || name === "report_env") {
        server = name === "report_env" && target === "server";
        if (!server) sites = this.#sitesNamed([target], job);
      }
    }
    return { command, ...(job ? { job } : {}), server, sites, rest };
  }

  /** Sites named on the command line (all of the job's, or all connected, when none is). */
  #sitesNamed(names: string[], job: JobRecord | undefined): string[] {
    for (const n of names) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(n)) {
        throw new CommandRefusal("BAD_COMMAND_ARGS", `"${n}" is not a site name`);
      }
    }
    if (names.length > 0) return [...new Set(names)];
    if (job) return Object.keys(job.sites ?? {});
    return this.#d.sites();
  }

  #authorize(
    command: ConsoleCommand,
    user: { name: string; org: string; role: string },
    job: JobRecord | undefined,
    right: string = command.right,
  ): void {
    const decision = this.#d.authorize({
      right,
      user,
      submitter: job ? job.submitter : null,
      siteOrg: this.#d.siteOrg,
    });
    if (!decision.allowed) {
      const e = AuthorizationError.notAuthorized(user.name, right);
      throw new AuthorizationError("NOT_AUTHORIZED", `Authorization Error: ${e.message}`);
    }
  }

  async #execute(
    p: Parsed,
    session: LiveSession,
    user: { name: string; org: string; role: string },
  ): Promise<ConsoleReply> {
    const name = p.command.name;
    if (name === "clone_job") this.#authorize(p.command, user, p.job, "submit_job");
    const forwardOnly = p.sites.length > 0 && !p.server && p.command.checkedAt === "S/C";
    // Sites go first for shutdown and restart: the server must still be there to forward.
    const sites = p.sites.length > 0 ? await this.#forward(p, user, p.rest) : undefined;
    let server: ConsoleReply | undefined;
    if (!forwardOnly && (p.server || p.sites.length === 0)) {
      server = await this.#server.run(name, p.rest, p.job, session);
    }
    return combine(server, sites, p.server || p.sites.length === 0);
  }

  async #forward(
    p: Parsed,
    user: { name: string; org: string; role: string },
    rest: string[],
  ): Promise<Record<string, SiteAnswer>> {
    const live = new Set(this.#d.sites());
    const answers = await Promise.all(p.sites.map(async (site): Promise<[string, SiteAnswer]> => {
      if (!live.has(site)) {
        return [site, { ok: false, code: "OFFLINE", message: `site ${site} is not connected` }];
      }
      const r: SiteCommandReply = await this.#d.commands.send(site, {
        command: "console",
        ...(p.job ? { jobId: p.job.job_id } : {}),
        args: {
          name: p.command.name,
          args: rest,
          user,
          ...(p.job ? { submitter: p.job.submitter } : {}),
        },
      }, this.#d.siteTimeoutMs ?? 30_000);
      return [
        site,
        r.ok
          ? { ok: true, message: "ok", data: r.data }
          : { ok: false, code: r.code, message: r.message },
      ];
    }));
    return Object.fromEntries(answers);
  }
}

/** One reply from the server's part and each site's answer; ok only when every part is. */
function combine(
  server: ConsoleReply | undefined,
  sites: Record<string, SiteAnswer> | undefined,
  serverTargeted: boolean,
): ConsoleReply {
  if (!sites) return server!;
  const parts: string[] = [];
  if (server && serverTargeted) {
    parts.push(
      server.ok ? `server: ${server.message}` : `server: ${server.code} ${server.message}`,
    );
  }
  for (const [site, a] of Object.entries(sites)) {
    parts.push(a.ok ? `${site}: ${describe(a.data)}` : `${site}: ${a.code} ${a.message}`);
  }
  const failed = Object.values(sites).filter((a) => !a.ok);
  const codes = new Set(failed.map((a) => a.code));
  const ok = failed.length === 0 && (server?.ok ?? true);
  return {
    ok,
    message: parts.join("\n"),
    ...(ok
      ? {}
      : { code: codes.size === 1 && !(server && !server.ok) ? [...codes][0]! : "PARTIAL" }),
    data: {
      ...(server && serverTargeted ? { server: server.data ?? null } : {}),
      ...(server && !serverTargeted ? server.data as Record<string, unknown> : {}),
      sites,
    },
  };
}

/** A site's answer in one line or a short block, for people. */
function describe(data: Record<string, unknown> | undefined): string {
  if (!data) return "ok";
  if (typeof data.output === "string") return `\n${data.output}`;
  if (data.audit_log instanceof Uint8Array) return `audit log, ${data.audit_log.length} bytes`;
  return JSON.stringify(data);
}
