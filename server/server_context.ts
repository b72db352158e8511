import type { Certificate, PrivateKey } from "../core/pki/mod.ts";
import type { AuditSink } from "../core/util/audit_sink.ts";
import type { DecodeLimits } from "../core/wire/mod.ts";
import type { ChallengeStore } from "./auth/challenge_store.ts";
import type { ReplayCache } from "./auth/replay_cache.ts";
import type { SessionTokens } from "./auth/session_token.ts";
import type { SessionRegistry } from "./sessions/session_registry.ts";
import type { JobService } from "./jobs/job_service.ts";

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
  /** Running jobs and the tasks they have out at sites. */
  jobs: JobService;
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
