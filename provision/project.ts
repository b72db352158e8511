import type { ConnectionSecurity } from "../core/kit/mod.ts";
import type { KeyType } from "../core/pki/mod.ts";

/** The server of a project, validated. */
export interface ServerParticipant {
  type: "server";
  /** Name as written in project.yml (kit folder name). */
  name: string;
  /** Certificate CN and identity: the name, cut to 63 characters. */
  identity: string;
  org: string;
  connectionSecurity: ConnectionSecurity;
  fedLearnPort: number;
  adminPort: number;
  /** Extra host names and addresses for the certificate SAN. */
  hostNames: string[];
  /** Address clients use unless they set `connect_to` (the full name if none was given). */
  defaultHost?: string;
  /** mTLS server transport (`transport.md` §2), when set. */
  transport?: "http1" | "http2";
}

/** Where a client or admin connects (`connect_to`). */
export interface ConnectTo {
  host?: string;
  port?: number;
}

/** A site, validated. */
export interface ClientParticipant {
  type: "client";
  name: string;
  org: string;
  connectionSecurity: ConnectionSecurity;
  connectTo?: ConnectTo;
  capacity?: { num_of_gpus?: number; mem_per_gpu_in_GiB?: number };
}

/** A console user, validated. */
export interface AdminParticipant {
  type: "admin";
  /** Email address. */
  name: string;
  org: string;
  role: string;
  connectionSecurity: ConnectionSecurity;
  connectTo?: ConnectTo;
}

/** Any participant. */
export type Participant = ServerParticipant | ClientParticipant | AdminParticipant;

/** `stockade.certs` settings. */
export interface CertSettings {
  keyType: KeyType;
  rootValidDays: number;
  validDays: number;
}

/** A validated project.yml. */
export interface Project {
  /** Project name (folder name). */
  name: string;
  /** Root CN: the name cut to 63 characters. */
  rootCommonName: string;
  description: string;
  /** Project-level `connection_security`, if set. */
  connectionSecurity?: ConnectionSecurity;
  /** `custom_ca_cert` as written (relative to the project file). */
  customCaCert?: string;
  server: ServerParticipant;
  participants: Participant[];
  certs: CertSettings;
  /** `stockade.archives` was listed. */
  archive: boolean;
}
