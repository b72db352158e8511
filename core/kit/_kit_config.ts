import { CONFIG_FILES, type KitRole } from "./kit_role.ts";

/** What the integrity check needs from a connection file. */
export interface KitIdentityConfig {
  role: KitRole;
  /** Expected certificate CN. */
  name: string;
  certFile: string;
  keyFile: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const plainName = (v: unknown): v is string =>
  typeof v === "string" && /^[A-Za-z0-9._-]+$/.test(v) && v !== "." && v !== "..";

/**
 * Extracts name, certificate and key file from a parsed connection file; throws `TypeError`
 * naming the field when the shape is wrong.
 */
export function readIdentityConfig(role: KitRole, json: unknown): KitIdentityConfig {
  const file = CONFIG_FILES[role];
  const fail = (field: string): never => {
    throw new TypeError(`"startup/${file}" has no valid "${field}"`);
  };
  if (!isObject(json)) return fail("(root object)");
  let section: unknown, name: unknown, cert: unknown, key: unknown, field: string;
  if (role === "server") {
    const servers = json.servers;
    section = Array.isArray(servers) ? servers[0] : undefined;
    field = "servers[0]";
    if (!isObject(section)) return fail(field);
    name = section.identity;
    cert = section.ssl_cert;
    key = section.ssl_private_key;
    if (typeof name !== "string" || !name) fail(`${field}.identity`);
    if (!plainName(cert)) fail(`${field}.ssl_cert`);
    if (!plainName(key)) fail(`${field}.ssl_private_key`);
  } else if (role === "client") {
    section = json.client;
    field = "client";
    if (!isObject(section)) return fail(field);
    name = section.fqsn;
    cert = section.ssl_cert;
    key = section.ssl_private_key;
    if (typeof name !== "string" || !name) fail(`${field}.fqsn`);
    if (!plainName(cert)) fail(`${field}.ssl_cert`);
    if (!plainName(key)) fail(`${field}.ssl_private_key`);
  } else {
    section = json.admin;
    field = "admin";
    if (!isObject(section)) return fail(field);
    name = section.username;
    cert = section.client_cert;
    key = section.client_key;
    if (typeof name !== "string" || !name) fail(`${field}.username`);
    if (!plainName(cert)) fail(`${field}.client_cert`);
    if (!plainName(key)) fail(`${field}.client_key`);
  }
  return { role, name: name as string, certFile: cert as string, keyFile: key as string };
}
