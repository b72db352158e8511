import type { LoadedKit } from "../core/kit/mod.ts";
import { parseCertificate, PrivateKey } from "../core/pki/mod.ts";
import { DEFAULT_LIMITS } from "../core/wire/mod.ts";
import { createApp } from "./app.ts";
import { ChallengeStore } from "./auth/challenge_store.ts";
import { ReplayCache } from "./auth/replay_cache.ts";
import { SessionTokens } from "./auth/session_token.ts";
import type { AuditSink, ServerContext, ServerSettings } from "./server_context.ts";
import { SessionRegistry } from "./sessions/session_registry.ts";
import { JobService } from "./jobs/job_service.ts";
import { JobScheduler, type JobSchedulerOptions } from "./jobs/job_scheduler.ts";
import { JobStore } from "./jobs/job_store.ts";
import { ConsoleService } from "./console/console_service.ts";
import type { LogLevel } from "../core/launch/log_level.ts";
import { readIdentity } from "../core/pki/mod.ts";
import {
  type AuthorizationDecision,
  type AuthorizationRequest,
  PolicyStore,
} from "../policies/mod.ts";
import type { RunningListener } from "./transport/running_listener.ts";
import { type MtlsTransport, startListener } from "./transport/start_listener.ts";

/** How to run a server from its kit. */
export interface StartServerOptions {
  kit: LoadedKit;
  audit: AuditSink;
  /** Listen address (`listen_host`, default 0.0.0.0; tests and the POC use 127.0.0.1). */
  hostname?: string;
  /** Overrides the kit's ports (0 = any free port; tests). */
  port?: number;
  adminPort?: number;
  transport?: MtlsTransport;
  settings?: Partial<Omit<ServerSettings, "project" | "serverName" | "security">>;
  log?: ServerContext["log"];
  /**
   * The server's authorization policy (live-reloaded by the role's main); by default the kit's
   * `local/authorization.*` is loaded once.
   */
  authz?: { authorize(request: AuthorizationRequest): AuthorizationDecision };
  /** The server's own privacy policy, budget ledger and job-code filter sandbox. */
  filters?: Pick<JobSchedulerOptions, "privacy" | "ledger" | "jobFilter">;
  /** The process's log level, for `configure_site_log server`. */
  logLevel?: { value: LogLevel };
  /** Stops the server process (console `shutdown`/`restart server`). */
  stop?: (restart: boolean) => void;
  /** Scheduler timing (tests). */
  scheduler?: { intervalMs?: number; retryMs?: number; commandTimeoutMs?: number };
}

/** A running server: its context (for status and tests) and its listeners. */
export interface RunningServer {
  ctx: ServerContext;
  /** The port sites use (and the console too, unless `adminListener` exists). */
  listener: RunningListener;
  adminListener?: RunningListener;
  close(): Promise<void>;
}

/** Starts the server API on the transport its kit asks for (`transport.md` §2, §4). */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { kit } = options;
  if (kit.role !== "server") throw new TypeError(`Kit "${kit.kitDir}" is not a server kit`);
  const certificate = parseCertificate(kit.certificatePem);
  const key = PrivateKey.fromPem(kit.keyPem);
  const rootCa = parseCertificate(kit.rootCaPem);
  const skew = options.settings?.maxClockSkewS ?? 120;
  const settings: ServerSettings = {
    project: kit.project,
    serverName: kit.name,
    security: kit.connectionSecurity,
    tokenTtlS: 3600,
    adminIdleTimeoutS: 1800,
    maxClockSkewS: skew,
    maxNumClients: 100,
    limits: { ...DEFAULT_LIMITS },
    idlePollMs: 2000,
    maxJobs: 4,
    maxJobBytes: 536_870_912,
    jobHeapMb: 2048,
    ...options.settings,
  };
  const replay = new ReplayCache({ windowMs: 2 * skew * 1000 });
  const log: ServerContext["log"] = options.log ?? ((level, msg) => {
    if (level !== "debug") console.error(`[server] ${level}: ${msg}`);
  });
  const authz = options.authz ??
    await PolicyStore.open(kit.kitDir, { audit: options.audit, watch: false, log });
  const siteOrg = readIdentity(certificate).org ?? "";
  const store = await JobStore.open(`${kit.kitDir}/jobs`);
  const jobs = new JobService(options.audit);
  const sessions = new SessionRegistry({ onEnd: (s) => replay.drop(s.sidHex) });
  const scheduler = new JobScheduler({
    store,
    commands: jobs.commands,
    jobs,
    audit: options.audit,
    sites: () => sessions.sites().map((s) => s.name),
    maxJobs: settings.maxJobs,
    runtimeRead: [new URL("../core/", import.meta.url).pathname],
    sandbox: { heapMb: settings.jobHeapMb },
    log,
    ...options.filters,
    ...options.scheduler,
  });
  const authorize = (r: AuthorizationRequest) => authz.authorize(r);
  const ctx: ServerContext = {
    settings,
    key,
    certificate,
    certificateDer: new Uint8Array(certificate.rawData),
    rootCa,
    tokens: new SessionTokens(key, certificate),
    sessions,
    challenges: new ChallengeStore(),
    replay,
    audit: options.audit,
    jobs,
    store,
    scheduler,
    submit: {
      store,
      audit: options.audit,
      rootCa,
      authorize,
      siteOrg,
      maxJobBytes: settings.maxJobBytes,
      ccManager: false,
    },
    console: new ConsoleService({
      store,
      scheduler,
      audit: options.audit,
      authorize,
      siteOrg,
      commands: jobs.commands,
      sites: () => sessions.sites().map((s) => s.name),
      sessions,
      workspace: kit.kitDir,
      serverName: kit.name,
      privacy: options.filters?.privacy ?? (() => undefined),
      logLevel: options.logLevel ?? { value: "info" },
      maxJobs: settings.maxJobs,
      started: new Date(),
      ...(options.stop ? { stop: options.stop } : {}),
    }),
    log,
  };
  const app = createApp(ctx);
  const servicePort = Number(kit.target.slice(kit.target.lastIndexOf(":") + 1));
  const server = (kit.config.servers as Record<string, unknown>[] | undefined)?.[0] ?? {};
  const kitAdminPort = typeof server.admin_port === "number" ? server.admin_port : servicePort;
  const port = options.port ?? servicePort;
  const adminPort = options.adminPort ?? (options.port === undefined ? kitAdminPort : port);
  const transport = options.transport ??
    (server.transport === "http1" ? "http1" : "terminator");
  const common = {
    hostname: options.hostname ?? "0.0.0.0",
    certPem: kit.certificatePem,
    keyPem: kit.keyPem,
    rootPem: kit.rootCaPem,
    transport,
  } as const;
  const separate = adminPort !== port;
  const closeJobs = async () => {
    // Pending site commands end first, so a scheduling round waiting on them finishes now.
    jobs.commands.close();
    await scheduler.close();
    await ctx.jobs.close();
  };
  let listener: RunningListener;
  try {
    listener = await startListener(ctx, app, {
      ...common,
      port,
      serves: separate ? "site" : "all",
    });
  } catch (err) {
    await closeJobs();
    throw err;
  }
  let adminListener: RunningListener | undefined;
  try {
    if (separate) {
      adminListener = await startListener(ctx, app, {
        ...common,
        port: adminPort,
        serves: "admin",
      });
    }
  } catch (err) {
    await listener.close();
    await closeJobs();
    throw err;
  }
  scheduler.start();
  return {
    ctx,
    listener,
    ...(adminListener ? { adminListener } : {}),
    async close() {
      await closeJobs();
      await Promise.all([listener.close(), adminListener?.close()]);
    },
  };
}
