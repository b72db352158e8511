import { readIdentityConfig } from "./_kit_config.ts";
import { KitError } from "./kit_error.ts";
import { CONFIG_FILES, type KitRole } from "./kit_role.ts";

/** Transport security of a participant (`provisioning.md` §2.2). */
export type ConnectionSecurity = "clear" | "tls" | "mtls";

/** What a role process needs from its (already verified) kit. */
export interface LoadedKit {
  kitDir: string;
  role: KitRole;
  /** Participant name (server: its identity, admin: the email). */
  name: string;
  project: string;
  connectionSecurity: ConnectionSecurity;
  /** `https`, or `http` in `clear` mode. */
  scheme: "http" | "https";
  /**
   * Server address `host:port`: for clients and admins the one to connect to (after the
   * `local/connection.json` override), for the server its own service address.
   */
  target: string;
  /** Server identity (certificate CN) clients and admins must see. */
  serverIdentity: string;
  certificatePem: string;
  keyPem: string;
  rootCaPem: string;
  /** `startup/customRootCA.pem`, if the project has a custom CA (used in `tls` mode). */
  customRootCaPem?: string;
  /** The parsed connection file, for role-specific fields. */
  config: Record<string, unknown>;
}

const HOST =
  /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;

/** Validates a `host:port` string; returns it or `undefined`. */
export function parseTarget(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^(.+):([0-9]{1,5})$/.exec(value);
  if (!m || m[1]!.length > 253 || !HOST.test(m[1]!)) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? value : undefined;
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {};

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/**
 * Reads a kit's connection file, certificate, key and CA files, and applies the site's optional
 * `local/connection.json` `{"target": "<host>:<port>"}`. Call `verifyKit()` first (or use
 * `requireIntactKit()`). Throws `KitError` (`KIT_CONFIG_INVALID`, `CONNECTION_OVERRIDE_INVALID`).
 * Requires `--allow-read` of the kit.
 */
export async function loadKit(kitDir: string, role: KitRole): Promise<LoadedKit> {
  const startup = `${kitDir}/startup`;
  const configFile = CONFIG_FILES[role];
  let config: Record<string, unknown>;
  let identity;
  try {
    config = obj(JSON.parse(await Deno.readTextFile(`${startup}/${configFile}`)));
    identity = readIdentityConfig(role, config);
  } catch (cause) {
    throw new KitError(
      "KIT_CONFIG_INVALID",
      `Cannot load "startup/${configFile}": ${cause instanceof Error ? cause.message : cause}`,
      { cause },
    );
  }
  const bad = (field: string): never => {
    throw new KitError("KIT_CONFIG_INVALID", `Cannot load "startup/${configFile}": bad "${field}"`);
  };
  let project: unknown,
    security: unknown,
    target: unknown,
    scheme: unknown,
    serverIdentity: unknown;
  if (role === "admin") {
    const admin = obj(config.admin);
    project = admin.project_name;
    security = admin.connection_security;
    scheme = admin.scheme;
    target = `${admin.host}:${admin.port}`;
    serverIdentity = admin.server_identity;
  } else {
    const server = obj(Array.isArray(config.servers) ? config.servers[0] : undefined);
    const service = obj(server.service);
    project = server.name;
    target = service.target;
    scheme = service.scheme;
    serverIdentity = server.identity;
    security = role === "server"
      ? server.connection_security
      : obj(config.client).connection_security;
  }
  if (typeof project !== "string" || !project) bad("project name");
  if (security !== "clear" && security !== "tls" && security !== "mtls") bad("connection_security");
  if (scheme !== "http" && scheme !== "https") bad("scheme");
  if (parseTarget(target) === undefined) bad("target");
  if (typeof serverIdentity !== "string" || !serverIdentity) bad("server identity");

  if (role !== "server") {
    const override = await readOptional(`${kitDir}/local/connection.json`);
    if (override !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(override);
      } catch {
        parsed = undefined;
      }
      const o = obj(parsed);
      const keys = Object.keys(o);
      if (keys.length !== 1 || keys[0] !== "target" || parseTarget(o.target) === undefined) {
        throw new KitError(
          "CONNECTION_OVERRIDE_INVALID",
          `Cannot load "local/connection.json": expected {"target": "<host>:<port>"}, found ${
            JSON.stringify(override.trim().slice(0, 200))
          }`,
        );
      }
      target = o.target;
    }
  }
  const customRootCaPem = await readOptional(`${startup}/customRootCA.pem`);
  const kit: LoadedKit = {
    kitDir,
    role,
    name: identity.name,
    project: project as string,
    connectionSecurity: security as ConnectionSecurity,
    scheme: scheme as "http" | "https",
    target: target as string,
    serverIdentity: serverIdentity as string,
    certificatePem: await Deno.readTextFile(`${startup}/${identity.certFile}`),
    keyPem: await Deno.readTextFile(`${startup}/${identity.keyFile}`),
    rootCaPem: await Deno.readTextFile(`${startup}/rootCA.pem`),
    config,
  };
  if (customRootCaPem !== undefined) kit.customRootCaPem = customRootCaPem;
  return kit;
}
