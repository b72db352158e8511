// Field validators shared by parseProject() and parseAddition(); each throws ProvisionError
// with a message naming the participant and the field.
import type { ConnectionSecurity } from "../core/kit/mod.ts";
import type { ConnectTo } from "./project.ts";
import { ProvisionError, type ProvisionErrorCode } from "./provision_error.ts";

export const HOST_RE =
  /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;
export const CLIENT_RE = /^[A-Za-z0-9_-]+$/;
export const ADMIN_RE = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
export const ORG_ROLE_RE = /^[A-Za-z0-9_]+$/;
export const PROJECT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const KNOWN_ROLES = ["project_admin", "org_admin", "lead", "member"];

/** Plain object check for parsed YAML. */
export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Renders a YAML value for a message. */
export function show(v: unknown): string {
  if (v === undefined) return "(missing)";
  return typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
}

/** Throws a ProvisionError. */
export function fail(code: ProvisionErrorCode, message: string): never {
  throw new ProvisionError(code, message);
}

/** `participant "<n>"` prefix. */
export const who = (name: unknown): string => `participant "${show(name)}"`;

/** Dotted-quad IPv4 address (each part 0-255, no leading zeros). */
export const IPV4_RE =
  /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

/** Four all-digit labels that are not a valid IPv4 address. */
const badQuad = (v: string) => /^[0-9]+(\.[0-9]+){3}$/.test(v) && !IPV4_RE.test(v);

/** Validates a host value (≤ 253 characters). */
export function checkHost(owner: string, field: string, v: unknown): string {
  if (typeof v !== "string" || v.length > 253 || !HOST_RE.test(v) || badQuad(v)) {
    fail(
      "HOST_NAME_INVALID",
      `${owner} has invalid ${field} "${show(v)}": expected a host name or IPv4 address`,
    );
  }
  return v;
}

/** Validates a port (integer 1–65535). */
export function checkPort(owner: string, field: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 65535) {
    fail("PORT_INVALID", `${owner} has invalid ${field} "${show(v)}": expected an integer 1-65535`);
  }
  return v;
}

/** Validates a connection_security value (case-insensitive). */
export function checkSecurity(owner: string, v: unknown): ConnectionSecurity {
  const s = typeof v === "string" ? v.toLowerCase() : undefined;
  if (s !== "clear" && s !== "tls" && s !== "mtls") {
    fail(
      "CONN_SECURITY_INVALID",
      `${owner} has invalid connection_security "${show(v)}": use clear, tls or mtls`,
    );
  }
  return s;
}

/** Validates an org. */
export function checkOrg(owner: string, v: unknown): string {
  if (typeof v !== "string" || !ORG_ROLE_RE.test(v)) {
    fail("ORG_INVALID", `${owner} has invalid org "${show(v)}": use letters, digits and _`);
  }
  return v;
}

/** Validates an admin role; unknown roles give a warning. */
export function checkRole(owner: string, v: unknown, warnings: string[]): string {
  if (v === undefined || v === null) {
    fail(
      "ADMIN_ROLE_MISSING",
      `${owner} is an admin without a role: add role: project_admin, org_admin, lead or member`,
    );
  }
  if (typeof v !== "string" || !ORG_ROLE_RE.test(v)) {
    fail("ROLE_INVALID", `${owner} has invalid role "${show(v)}": use letters, digits and _`);
  }
  if (!KNOWN_ROLES.includes(v)) {
    warnings.push(`${owner} has role "${v}", which the default authorization policy does not know`);
  }
  return v;
}

/** Validates a client name. */
export function checkClientName(v: unknown): string {
  if (typeof v !== "string" || !CLIENT_RE.test(v)) {
    fail(
      "PARTICIPANT_NAME_INVALID",
      `${who(v)} has an invalid client name: use letters, digits, _ and -`,
    );
  }
  if (v === "server") {
    fail(
      "PARTICIPANT_NAME_INVALID",
      `${who(v)}: the client name "server" is reserved by deploy_map`,
    );
  }
  if (v.length > 63) {
    fail(
      "PARTICIPANT_NAME_INVALID",
      `${who(v)}: client names are at most 63 characters (the name is the certificate CN)`,
    );
  }
  return v;
}

/** Validates an admin name (email). */
export function checkAdminName(v: unknown): string {
  if (typeof v !== "string" || !ADMIN_RE.test(v)) {
    fail(
      "PARTICIPANT_NAME_INVALID",
      `${who(v)} has an invalid admin name: expected an email address`,
    );
  }
  if (v.length > 63) {
    fail(
      "PARTICIPANT_NAME_INVALID",
      `${who(v)}: admin names are at most 63 characters (the name is the certificate CN)`,
    );
  }
  return v;
}

/** The server names a `connect_to` may refer to. */
export interface ServerNames {
  name: string;
  known: string[];
}

/** Validates `connect_to` (a host string or `{host, port, name?}`). */
export function checkConnectTo(
  owner: string,
  v: unknown,
  server: ServerNames,
  warnings: string[],
): ConnectTo {
  const out: ConnectTo = {};
  if (typeof v === "string") {
    out.host = checkHost(owner, "connect_to", v);
  } else if (isMap(v)) {
    for (const [k, val] of Object.entries(v)) {
      if (k === "host") out.host = checkHost(owner, "connect_to.host", val);
      else if (k === "port") out.port = checkPort(owner, "connect_to.port", val);
      else if (k === "name") {
        if (val !== server.name) {
          fail(
            "CONNECT_TO_INVALID",
            `${owner} has connect_to.name "${show(val)}", but the server is "${server.name}"`,
          );
        }
      } else {
        fail("CONNECT_TO_INVALID", `${owner} has unknown key connect_to.${k}: use host and port`);
      }
    }
  } else {
    fail(
      "CONNECT_TO_INVALID",
      `${owner} has invalid connect_to "${show(v)}": use a host or {host, port}`,
    );
  }
  if (out.host !== undefined && !server.known.includes(out.host)) {
    warnings.push(
      `${owner} connects to "${out.host}", which is not the server's name, default_host or host_names`,
    );
  }
  return out;
}

/** Validates a client `capacity`. */
export function checkCapacity(
  owner: string,
  v: unknown,
): { num_of_gpus?: number; mem_per_gpu_in_GiB?: number } {
  if (!isMap(v)) {
    fail("CAPACITY_INVALID", `${owner} has invalid capacity "${show(v)}": expected a map`);
  }
  const out: { num_of_gpus?: number; mem_per_gpu_in_GiB?: number } = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === "num_of_gpus") {
      if (typeof val !== "number" || !Number.isInteger(val) || val < 0) {
        fail(
          "CAPACITY_INVALID",
          `${owner} has invalid capacity.num_of_gpus "${show(val)}": expected an integer >= 0`,
        );
      }
      out.num_of_gpus = val;
    } else if (k === "mem_per_gpu_in_GiB") {
      if (typeof val !== "number" || !Number.isFinite(val) || val < 0) {
        fail(
          "CAPACITY_INVALID",
          `${owner} has invalid capacity.mem_per_gpu_in_GiB "${show(val)}": expected a number >= 0`,
        );
      }
      out.mem_per_gpu_in_GiB = val;
    } else {
      fail(
        "CAPACITY_INVALID",
        `${owner} has unknown key capacity.${k}: use num_of_gpus and mem_per_gpu_in_GiB`,
      );
    }
  }
  return out;
}
