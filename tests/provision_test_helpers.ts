// Helpers for the multi-process provisioning tests.
import { fileURLToPath } from "node:url";

/** The checkout's root folder. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** Absolute path of a sample project file. */
export const example = (rel: string): string => `${ROOT}/examples/projects/${rel}`;

/** Output of a finished child process. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the pinned Deno with `args` (from `cwd`), feeding `stdin` if given. */
export async function runDeno(
  args: string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<RunResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    // A clean environment: an inherited INIT_CWD (set by an outer `deno task test`) would make
    // the launcher resolve relative paths against the wrong folder.
    clearEnv: true,
    env: {
      NO_COLOR: "1",
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
    },
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs `deno task <args>` with the checkout's deno.json, from `cwd`. */
export function runTask(
  args: string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<RunResult> {
  return runDeno(["task", "-q", `--config=${ROOT}/deno.json`, ...args], options);
}

/** Runs `fn` with a fresh temp folder that is removed afterwards. */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "stockade_mp_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
