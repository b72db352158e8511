import type { Certificate, PrivateKey } from "../core/pki/mod.ts";
import type { AuditSink } from "../core/util/audit_sink.ts";
import type { DecodeLimits } from "../core/wire/mod.ts";
import type { ChallengeStore } from "./auth/challenge_store.ts";
import type { ReplayCache } from "./auth/replay_cache.ts";
import type { SessionTokens } from "./auth/session_token.ts";
import type { SessionRegistry } from "./sessions/session_registry.ts";
import type { JobService } from "./jobs/job_service.ts";
import type { JobScheduler } from "./jobs/job_scheduler.ts";
import type { JobStore } from "./jobs/job_store.ts";
import type { SubmitDeps } from "./jobs/submit_job.ts";
import type { ConsoleService } from "./console/console_service.ts";

/** Settings from the server kit and its `local/resources.json` (`resources-and-cc.md` §1). */
export interface ServerSettings {
  project: string;
  /** The server identity: CN of its certificate. */
  serverName: string;
  security: "clear" | "tls" | "mtls";
  tokenTtlS: number;
  adminIdleTimeoutS: number;
  maxClockSkewS: number;
  maxNumClients: number;
  limits: DecodeLimits;
  /** Poll interval told to sites when there is no task. */
  idlePollMs: number;
  /** Jobs running at once (`job_scheduler` `max_jobs`). */
  maxJobs: number;
  maxJobBytes: number;
  /** V8 heap of a server job process, in MB (server `sandbox.heap_mb`). */
  jobHeapMb: number;
}

export type { AuditSink } from "../core/util/audit_sink.ts";

/** What every route handler of the server shares. */
export interface ServerContext {
  settings: ServerSettings;
  key: PrivateKey;
  certificate: Certificate;
  /** DER of `certificate`, sent in challenge replies. */
  certificateDer: Uint8Array;
  rootCa: Certificate;
  tokens: SessionTokens;
  sessions: SessionRegistry;
  challenges: ChallengeStore;
  replay: ReplayCache;
  audit: AuditSink;
  /** Running jobs and the tasks and commands they have out at sites. */
  jobs: JobService;
  /** Every job ever submitted, on disk. */
  store: JobStore;
  scheduler: JobScheduler;
  submit: SubmitDeps;
  console: ConsoleService;
  log: (level: "debug" | "info" | "warn" | "error", message: string) => void;
}

/** What the transport knows about the connection a request came on. */
export interface ConnectionInfo {
  /** Peer address as `host:port`. */
  remote: string;
  /** The TLS client certificate, verified against the project root (mtls only). */
  peer?: { fingerprint: Uint8Array; certificate: Certificate };
  /** Which routes this listener serves (a separate admin port serves only console routes). */
  serves: "all" | "site" | "admin";
}
