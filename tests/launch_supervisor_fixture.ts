// Supervises tests/launch_child_fixture.ts the way the role launchers do (stop on SIGINT and
// SIGTERM), with short timings. Arguments: <kit dir> <child log> <child mode> [n].
import { supervise } from "../core/launch/mod.ts";

const [kitDir, ...childArgs] = Deno.args;
if (kitDir === undefined) throw new TypeError("Usage: <kit dir> <log> <mode> [n]");
const dir = kitDir;
Deno.exit(
  await supervise({
    args: [
      "run",
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      new URL("./launch_child_fixture.ts", import.meta.url).pathname,
      ...childArgs,
    ],
    kitDir: dir,
    stopOnSignals: ["SIGINT", "SIGTERM"],
    initialBackoffMs: 20,
    pollMs: 20,
  }),
);
