import type { LoadedKit } from "../kit/mod.ts";
import { grantableDataPaths } from "./grantable_data_paths.ts";
import { type LaunchRole, roleFlags, RUNTIME_DIR } from "./role_flags.ts";

/**
 * The `deno` arguments that run a role from its kit: `run`, the permission flags computed from
 * the kit (with the data paths the site may grant), the role's main, `--kit`, and
 * `--listen-host` for a server given one. `flags` alone is what `--print-flags` shows. Every way
 * of starting a role (the launchers, the POC, the multi-process tests) goes through here, so they
 * all run it with the same permissions.
 */
export async function roleArgs(
  role: LaunchRole,
  kit: LoadedKit,
  options: { listenHost?: string; main?: string; extra?: string[] } = {},
): Promise<{ flags: string[]; args: string[] }> {
  const { listenHost } = options;
  const flags = roleFlags(role, kit, {
    ...(listenHost !== undefined ? { listenHost } : {}),
    dataPaths: await grantableDataPaths(kit.kitDir, role),
  });
  const args = [
    "run",
    ...flags,
    options.main ?? `${RUNTIME_DIR}/${role}/main.ts`,
    "--kit",
    kit.kitDir,
    ...(listenHost !== undefined && role === "server" ? ["--listen-host", listenHost] : []),
    ...(options.extra ?? []),
  ];
  return { flags, args };
}
