import { parse as parseYaml } from "yaml";
import type { ConnectionSecurity } from "../core/kit/mod.ts";
import { KEY_TYPES, type KeyType } from "../core/pki/mod.ts";
import {
  checkAdminName,
  checkCapacity,
  checkClientName,
  checkConnectTo,
  checkHost,
  checkOrg,
  checkPort,
  checkRole,
  checkSecurity,
  fail,
  HOST_RE,
  isMap,
  PROJECT_RE,
  type ServerNames,
  show,
  who,
} from "./_validate.ts";
import type {
  CertSettings,
  ClientParticipant,
  Participant,
  Project,
  ServerParticipant,
} from "./project.ts";

/** A validated project and the warnings validation produced. */
export interface ParsedProject {
  project: Project;
  warnings: string[];
}

const TOP_KEYS = new Set([
  "api_version",
  "name",
  "description",
  "connection_security",
  "custom_ca_cert",
  "participants",
  "builders",
]);
const SERVER_KEYS = new Set([
  "name",
  "type",
  "org",
  "connection_security",
  "fed_learn_port",
  "admin_port",
  "host_names",
  "default_host",
  "transport",
]);
const CLIENT_KEYS = new Set([
  "name",
  "type",
  "org",
  "connection_security",
  "connect_to",
  "capacity",
]);
const ADMIN_KEYS = new Set(["name", "type", "org", "role", "connection_security", "connect_to"]);

/** Builder paths of the fixed pipeline, with the arguments each accepts. */
const BUILDERS: Record<string, readonly string[]> = {
  "stockade.workspace": [],
  "stockade.static_files": [],
  "stockade.certs": ["key_type", "root_valid_days", "valid_days"],
  "stockade.signatures": [],
  "stockade.archives": [],
};
const NVFLARE_ALIASES: Record<string, string> = {
  "nvflare.lighter.impl.workspace.WorkspaceBuilder": "stockade.workspace",
  "nvflare.lighter.impl.static_file.StaticFileBuilder": "stockade.static_files",
  "nvflare.lighter.impl.cert.CertBuilder": "stockade.certs",
  "nvflare.lighter.impl.signature.SignatureBuilder": "stockade.signatures",
};

/** Parses YAML text with the core schema and a small alias budget. */
export function parseYamlDocument(text: string, source: string): unknown {
  try {
    return parseYaml(text, { schema: "core", maxAliasCount: 100, prettyErrors: false });
  } catch (cause) {
    fail(
      "PROJECT_FILE_INVALID",
      `Cannot parse "${source}": ${(cause as Error).message.split("\n")[0]}`,
    );
  }
}

/**
 * Validates an NVFlare-compatible project.yml (`provisioning.md` §2). Throws `ProvisionError`
 * with the code of the first rule broken; unknown keys and NVFlare-only builder arguments give
 * warnings instead.
 */
export function parseProject(text: string, source = "project.yml"): ParsedProject {
  const warnings: string[] = [];
  const doc = parseYamlDocument(text, source);
  if (!isMap(doc)) fail("PROJECT_FILE_INVALID", `Cannot read "${source}": expected a YAML map`);

  const v = doc.api_version;
  if (v !== 3) fail("PROJECT_API_VERSION", `api_version must be 3, found "${show(v)}"`);

  const name = doc.name;
  if (typeof name !== "string" || !PROJECT_RE.test(name)) {
    fail(
      "PROJECT_NAME_INVALID",
      `Project name "${
        show(name)
      }" is invalid: start with a letter or digit, then letters, digits, ".", "_" or "-"`,
    );
  }
  let rootCommonName = name;
  if (name.length > 63) {
    rootCommonName = name.slice(0, 63);
    warnings.push(
      `Project name "${name}" is over 63 characters; the root CN is "${rootCommonName}"`,
    );
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) warnings.push(`Key "${key}" of "${source}" is ignored`);
  }
  let description = "";
  if (typeof doc.description === "string") description = doc.description;
  else if (doc.description !== undefined && doc.description !== null) {
    warnings.push(`Key "description" of "${source}" is not text and is ignored`);
  }
  let projectSecurity: ConnectionSecurity | undefined;
  if (doc.connection_security !== undefined) {
    projectSecurity = checkSecurity(`project "${name}"`, doc.connection_security);
  }
  let customCaCert: string | undefined;
  if (doc.custom_ca_cert !== undefined && doc.custom_ca_cert !== null) {
    if (typeof doc.custom_ca_cert !== "string" || doc.custom_ca_cert === "") {
      fail("CUSTOM_CA_INVALID", `custom_ca_cert "${show(doc.custom_ca_cert)}" must be a file path`);
    }
    customCaCert = doc.custom_ca_cert;
  }
  const { certs, archive } = parseBuilders(doc.builders, warnings);

  const list = doc.participants;
  if (!Array.isArray(list) || list.length === 0) {
    fail("PROJECT_NO_PARTICIPANTS", `"${source}" must list participants`);
  }
  for (const [i, p] of list.entries()) {
    if (!isMap(p)) {
      fail("PARTICIPANT_INVALID", `participants[${i}] must be a map with name, type and org`);
    }
    const t = p.type;
    if (t === "relay" || t === "overseer") {
      fail(
        "PARTICIPANT_TYPE_UNSUPPORTED",
        `${
          who(p.name)
        } has type "${t}", which Stockade does not support; connect clients directly to the server`,
      );
    }
    if (t !== "server" && t !== "client" && t !== "admin") {
      fail(
        "PARTICIPANT_TYPE_UNKNOWN",
        `${who(p.name)} has unknown type "${show(t)}": use server, client or admin`,
      );
    }
  }
  const servers = (list as Record<string, unknown>[]).filter((p) => p.type === "server");
  if (servers.length === 0) {
    fail("PROJECT_NO_SERVER", `"${source}" has no participant of type server`);
  }
  if (servers.length > 1) {
    fail(
      "PROJECT_MULTIPLE_SERVERS",
      `"${source}" has ${servers.length} servers (${
        servers.map((s) => `"${show(s.name)}"`).join(", ")
      }); Stockade needs exactly one`,
    );
  }
  const server = parseServer(servers[0]!, projectSecurity, warnings);
  const serverNames: ServerNames = {
    name: server.name,
    known: [server.name, ...(server.defaultHost ? [server.defaultHost] : []), ...server.hostNames],
  };

  const participants: Participant[] = [];
  const seen = new Set<string>();
  for (const raw of list as Record<string, unknown>[]) {
    const p = raw.type === "server"
      ? server
      : parseMember(raw, projectSecurity, serverNames, warnings);
    if (seen.has(p.name)) {
      fail(
        "PARTICIPANT_NAME_DUPLICATE",
        `${who(p.name)} appears more than once; names must be unique`,
      );
    }
    seen.add(p.name);
    participants.push(p);
  }
  const project: Project = {
    name,
    rootCommonName,
    description,
    server,
    participants,
    certs,
    archive,
  };
  if (projectSecurity !== undefined) project.connectionSecurity = projectSecurity;
  if (customCaCert !== undefined) project.customCaCert = customCaCert;
  return { project, warnings };
}

function warnKeys(
  owner: string,
  p: Record<string, unknown>,
  known: Set<string>,
  warnings: string[],
) {
  if ("listening_host" in p) {
    fail(
      "PARTICIPANT_KEY_UNSUPPORTED",
      `${owner} has listening_host, which Stockade does not support; connect clients directly to the server`,
    );
  }
  for (const key of Object.keys(p)) {
    if (!known.has(key)) warnings.push(`${owner}: key "${key}" is ignored`);
  }
}

function parseServer(
  p: Record<string, unknown>,
  projectSecurity: ConnectionSecurity | undefined,
  warnings: string[],
): ServerParticipant {
  const name = p.name;
  const owner = who(name);
  if (typeof name !== "string" || name.length > 253 || !HOST_RE.test(name)) {
    fail("PARTICIPANT_NAME_INVALID", `${owner} has an invalid server name: expected a host name`);
  }
  warnKeys(owner, p, SERVER_KEYS, warnings);
  const org = checkOrg(owner, p.org);
  const connectionSecurity = p.connection_security !== undefined
    ? checkSecurity(owner, p.connection_security)
    : projectSecurity ?? "mtls";
  const fedLearnPort = p.fed_learn_port === undefined
    ? 8002
    : checkPort(owner, "fed_learn_port", p.fed_learn_port);
  const adminPort = p.admin_port === undefined
    ? 8003
    : checkPort(owner, "admin_port", p.admin_port);
  const hostNames: string[] = [];
  if (p.host_names !== undefined && p.host_names !== null) {
    if (!Array.isArray(p.host_names)) {
      fail(
        "HOST_NAME_INVALID",
        `${owner} has invalid host_names "${show(p.host_names)}": expected a list`,
      );
    }
    for (const h of p.host_names) hostNames.push(checkHost(owner, "host_names entry", h));
  }
  const server: ServerParticipant = {
    type: "server",
    name,
    identity: name,
    org,
    connectionSecurity,
    fedLearnPort,
    adminPort,
    hostNames,
  };
  if (p.default_host !== undefined && p.default_host !== null) {
    server.defaultHost = checkHost(owner, "default_host", p.default_host);
  }
  if (name.length > 63) {
    server.identity = name.slice(0, 63);
    server.defaultHost ??= name;
    warnings.push(
      `${owner}: server name is over 63 characters; its CN and identity are "${server.identity}"`,
    );
  }
  if (p.transport !== undefined) {
    if (p.transport !== "http1" && p.transport !== "http2") {
      fail(
        "TRANSPORT_INVALID",
        `${owner} has invalid transport "${show(p.transport)}": use http1 or http2`,
      );
    }
    server.transport = p.transport;
  }
  return server;
}

/** Validates a client or admin entry (also used for --add-client / --add-user). */
export function parseMember(
  p: Record<string, unknown>,
  projectSecurity: ConnectionSecurity | undefined,
  server: ServerNames,
  warnings: string[],
): Participant {
  const name = p.type === "admin" ? checkAdminName(p.name) : checkClientName(p.name);
  const owner = who(name);
  warnKeys(owner, p, p.type === "admin" ? ADMIN_KEYS : CLIENT_KEYS, warnings);
  const org = checkOrg(owner, p.org);
  const connectionSecurity = p.connection_security !== undefined
    ? checkSecurity(owner, p.connection_security)
    : projectSecurity ?? "mtls";
  const connectTo = p.connect_to === undefined || p.connect_to === null
    ? undefined
    : checkConnectTo(owner, p.connect_to, server, warnings);
  if (p.type === "admin") {
    const role = checkRole(owner, p.role, warnings);
    return {
      type: "admin",
      name,
      org,
      role,
      connectionSecurity,
      ...(connectTo ? { connectTo } : {}),
    };
  }
  const client: ClientParticipant = { type: "client", name, org, connectionSecurity };
  if (connectTo) client.connectTo = connectTo;
  if (p.capacity !== undefined && p.capacity !== null) {
    client.capacity = checkCapacity(owner, p.capacity);
  }
  return client;
}

function parseBuilders(v: unknown, warnings: string[]): { certs: CertSettings; archive: boolean } {
  const certs: CertSettings = { keyType: "ec-p256", rootValidDays: 3650, validDays: 360 };
  let archive = false;
  if (v === undefined || v === null) return { certs, archive };
  if (!Array.isArray(v)) fail("BUILDER_UNSUPPORTED", `builders must be a list of {path, args}`);
  for (const [i, b] of v.entries()) {
    if (!isMap(b) || typeof b.path !== "string") {
      fail("BUILDER_UNSUPPORTED", `builders[${i}] must be a map with a path`);
    }
    const alias = NVFLARE_ALIASES[b.path];
    const path = alias ?? b.path;
    const accepted = BUILDERS[path];
    if (accepted === undefined) {
      fail(
        "BUILDER_UNSUPPORTED",
        `Builder "${b.path}" is not supported: Stockade runs ${
          Object.keys(BUILDERS).join(", ")
        } (NVFlare's workspace, static_file, cert and signature builders are aliases)`,
      );
    }
    for (const key of Object.keys(b)) {
      if (key !== "path" && key !== "args") {
        warnings.push(`builders[${i}] ("${b.path}"): key "${key}" is ignored`);
      }
    }
    const args = b.args ?? {};
    if (!isMap(args)) {
      fail("BUILDER_ARGS_INVALID", `Builder "${b.path}" has args "${show(args)}": expected a map`);
    }
    for (const [key, value] of Object.entries(args)) {
      if (!accepted.includes(key)) {
        if (alias !== undefined) {
          warnings.push(`Builder "${b.path}": NVFlare argument "${key}" is ignored`);
          continue;
        }
        fail("BUILDER_ARGS_INVALID", `Builder "${b.path}" has unknown argument "${key}"`);
      }
      if (key === "key_type") {
        if (!KEY_TYPES.includes(value as KeyType)) {
          fail(
            "BUILDER_ARGS_INVALID",
            `Builder "${b.path}" has key_type "${show(value)}": use ${KEY_TYPES.join(" or ")}`,
          );
        }
        certs.keyType = value as KeyType;
      } else {
        if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 36500) {
          fail(
            "BUILDER_ARGS_INVALID",
            `Builder "${b.path}" has ${key} "${show(value)}": expected whole days 1-36500`,
          );
        }
        if (key === "root_valid_days") certs.rootValidDays = value;
        else certs.validDays = value;
      }
    }
    if (path === "stockade.archives") archive = true;
  }
  return { certs, archive };
}
