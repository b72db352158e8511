import { parseArgs } from "node:util";
import { type LoadedKit, requireIntactKit } from "../kit/mod.ts";
import { type LogLevel, logsAt } from "./log_level.ts";
import { probeSandbox } from "./probe_sandbox.ts";

/** What a role main has once its kit passed the start-time check. */
export interface StartedRole {
  kit: LoadedKit;
  /** Options beyond `--kit` and `--check-sandbox` (e.g. `listen-host`). */
  options: Record<string, string | undefined>;
  log: (level: LogLevel, message: string) => void;
  /** The lowest level `log` prints (default `info`); `configure_site_log` changes it. */
  logLevel: { value: LogLevel };
}

/**
 * The common start of `server/main.ts` and `client/main.ts`: parses `--kit` (plus `extra`
 * string options), runs the start-time kit check (exits 2 on problems), and with
 * `--check-sandbox [<targets JSON>]` prints what this process may do and exits 0, for operators
 * and for the tests that prove the grant.
 */
export async function startRole(
  role: "server" | "client",
  argv: string[],
  extra: string[] = [],
): Promise<StartedRole> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      ["kit", "check-sandbox", ...extra].map((k) => [k, { type: "string" as const }]),
    ),
    strict: true,
  });
  if (!values.kit) {
    console.error(`Missing --kit <dir>: start it with \`deno task ${role} --kit <dir>\``);
    Deno.exit(1);
  }
  const kit = await requireIntactKit(values.kit as string, role);
  if (values["check-sandbox"] !== undefined) {
    const targets = JSON.parse((values["check-sandbox"] as string) || "{}");
    console.log(JSON.stringify(await probeSandbox(targets)));
    Deno.exit(0);
  }
  const logLevel: StartedRole["logLevel"] = { value: "info" };
  const log: StartedRole["log"] = (level, message) => {
    if (logsAt(level, logLevel.value)) {
      console.error(`${new Date().toISOString()} [${kit.name}] ${level}: ${message}`);
    }
  };
  const options = Object.fromEntries(extra.map((k) => [k, values[k] as string | undefined]));
  return { kit, options, log, logLevel };
}
