import { fileURLToPath } from "node:url";
import type { LoadedKit } from "../kit/mod.ts";

/** The two supervised roles. */
export type LaunchRole = "server" | "client";

/** Options of `roleFlags()`. */
export interface RoleFlagsOptions {
  /** Checkout root, where deno.json is (default: the checkout this module belongs to). */
  runtimeDir?: string;
  /** Server listen address (`listen_host`, default 0.0.0.0; tests and the POC use 127.0.0.1). */
  listenHost?: string;
  /** The Deno binary the role may start (default `Deno.execPath()`). */
  execPath?: string;
  /**
   * Data locations a site may grant its executors (`privacy.*` scope properties named in
   * `sandbox.read_path_properties`): the site reads them only to resolve and grant them.
   */
  dataPaths?: string[];
}

/**
 * Loopback source addresses the mTLS terminator binds for its backend connections. Deno checks
 * net permission for a bound local address and cannot grant a range, so each one is listed.
 * The terminator (server/transport/mtls_terminator.ts) takes its addresses from this list.
 */
export const TERMINATOR_SOURCE_ADDRESSES: readonly string[] = Object.freeze(
  Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`),
);

/**
 * Env vars the `yaml` package reads at import; `--ignore-env` makes them read as unset, so the
 * role needs no env grant and YAML policies still load.
 */
export const IGNORED_ENV: readonly string[] = Object.freeze(["LOG_TOKENS", "LOG_STREAM"]);

/**
 * Entries of the checkout a role may read. Not the whole checkout: `provision` run from the
 * checkout writes `workspace/` there, and a grant of the root would expose every kit in it.
 */
export function runtimeSourceEntries(role: LaunchRole | "console", runtimeDir: string): string[] {
  return ["core", "policies", role, "mod.ts", "deno.json", "package.json", "node_modules"]
    .map((e) => `${runtimeDir}/${e}`);
}

/** The checkout this module belongs to. */
export const RUNTIME_DIR: string = fileURLToPath(new URL("../../", import.meta.url))
  .replace(/\/$/, "");

function checkPath(p: string, what: string): string {
  if (!p.startsWith("/")) throw new RangeError(`Cannot grant ${what} "${p}": it must be absolute`);
  if (p.includes(",") || p.length < 2) {
    throw new RangeError(`Cannot grant ${what} "${p}": permission flags cannot express it`);
  }
  return p.replace(/\/+$/, "");
}

function port(target: string): number {
  return Number(target.slice(target.lastIndexOf(":") + 1));
}

/**
 * The exact `deno run` permission flags of the real server or client process, computed from
 * its (verified) kit: see core/launch/README.md for each flag and why. Never `-A`; no prompts;
 * no module loading from the network.
 */
export function roleFlags(
  role: LaunchRole,
  kit: LoadedKit,
  options: RoleFlagsOptions = {},
): string[] {
  if (kit.role !== role) {
    throw new TypeError(`Kit "${kit.kitDir}" is a ${kit.role} kit, not a ${role} kit`);
  }
  const kitDir = checkPath(kit.kitDir, "kit folder");
  const runtimeDir = checkPath(options.runtimeDir ?? RUNTIME_DIR, "runtime folder");
  const execPath = checkPath(options.execPath ?? Deno.execPath(), "Deno binary");
  const net: string[] = [];
  if (role === "client") {
    net.push(kit.target);
  } else {
    const host = (options.listenHost ?? "0.0.0.0").replace(/^\[(.*)\]$/, "$1");
    if (!/^[A-Za-z0-9.:-]+$/.test(host)) {
      throw new RangeError(
        `Cannot grant listen host "${options.listenHost}": give an IP address or host name`,
      );
    }
    const hostPart = host.includes(":") ? `[${host}]` : host;
    const server = (kit.config.servers as Record<string, unknown>[] | undefined)?.[0] ?? {};
    const ports = [port(kit.target)];
    if (typeof server.admin_port === "number" && !ports.includes(server.admin_port)) {
      ports.push(server.admin_port);
    }
    for (const p of ports) net.push(`${hostPart}:${p}`);
    // Only the mTLS terminator serves through a loopback backend (transport.md §3).
    if (kit.connectionSecurity === "mtls" && server.transport !== "http1") {
      net.push("127.0.0.1", ...TERMINATOR_SOURCE_ADDRESSES);
    }
  }
  return [
    "--no-prompt",
    "--no-remote",
    "--deny-import",
    "--unstable-worker-options",
    `--allow-read=${
      [
        kitDir,
        ...runtimeSourceEntries(role, runtimeDir),
        ...(options.dataPaths ?? []).map((p) => checkPath(p, "data path")),
      ].join(",")
    }`,
    `--allow-write=${kitDir}`,
    `--deny-write=${kitDir}/startup,${kitDir}/local`,
    `--allow-net=${net.join(",")}`,
    `--allow-run=${execPath}`,
    `--ignore-env=${IGNORED_ENV.join(",")}`,
  ];
}
