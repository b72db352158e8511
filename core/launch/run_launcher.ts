import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadKit, requireIntactKit } from "../kit/mod.ts";
import { type LaunchRole, RUNTIME_DIR } from "./role_flags.ts";
import { supervise } from "./supervise.ts";
import { roleArgs } from "./role_args.ts";

function usage(role: LaunchRole): string {
  const listen = role === "server"
    ? "  --listen-host <addr>  address to listen on (default 0.0.0.0); passed on to the server\n"
    : "";
  return `Usage: deno task ${role} --kit <kit-dir> [options] [-- <role arguments>]

Checks the ${role} startup kit, then runs the ${role} with Deno permissions computed from the
kit and supervises it: restarts it after a crash (giving up after 5 restarts in 300 s), stops it
when <kit>/shutdown.fl appears (startup/stop_fl.sh), restarts it when <kit>/restart.fl appears.

Options:
  --kit <dir>           the ${role}'s startup kit (required)
${listen}  --print-flags         print the role's Deno flags as JSON and exit
  -h, --help            show this help
`;
}

/** Options of `runLauncher()`. */
export interface RunLauncherOptions {
  /** Module to supervise (default `<checkout>/<role>/main.ts`; tests use a stand-in). */
  main?: string;
}

/**
 * Entry of `server/launcher.ts` and `client/launcher.ts`: parses the command line, runs the
 * start-time kit check (exits 2 on problems), computes the role's flags and supervises it until
 * it stops. Resolves with the exit status.
 */
export async function runLauncher(
  role: LaunchRole,
  argv: string[],
  options: RunLauncherOptions = {},
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        kit: { type: "string" },
        help: { type: "boolean", short: "h" },
        "print-flags": { type: "boolean" },
        ...(role === "server" ? { "listen-host": { type: "string" } } : {}),
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : err}\n\n${usage(role)}`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage(role));
    return 0;
  }
  if (typeof values.kit !== "string" || values.kit === "") {
    console.error(`Missing --kit <dir>: give the ${role}'s startup kit\n\n${usage(role)}`);
    return 1;
  }
  let kitDir: string;
  try {
    kitDir = await Deno.realPath(resolve(values.kit));
  } catch (err) {
    console.error(
      `Cannot open kit "${values.kit}": ${err instanceof Error ? err.message : err}`,
    );
    return 1;
  }
  await requireIntactKit(kitDir, role);
  const kit = await loadKit(kitDir, role);
  const listenHost = values["listen-host"];
  const { flags, args } = await roleArgs(role, kit, {
    ...(typeof listenHost === "string" ? { listenHost } : {}),
    ...(options.main ? { main: options.main } : {}),
    extra: positionals,
  });
  if (values["print-flags"]) {
    console.log(JSON.stringify(flags));
    return 0;
  }
  return await supervise({
    args,
    kitDir,
    cwd: RUNTIME_DIR,
    stopOnSignals: ["SIGINT", "SIGTERM"],
  });
}
