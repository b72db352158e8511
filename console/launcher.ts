/**
 * `deno task console --kit <admin kit> [--json] [--download-dir <dir>] [-- <command> [args…]]`:
 * checks the admin kit, then runs the console (`console/main.ts`) with permissions computed from
 * it: network access to the kit's server only; read access to the kit, the runtime's own source,
 * the current folder (job folders to submit) and, in one-shot mode, the folder `submit_job` names;
 * read and write access to the download folder only (`./downloads` unless `--download-dir` or a
 * one-shot `download_job <id> <dest>` names another; created if missing); nothing else.
 *
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadKit, requireIntactKit } from "../core/kit/mod.ts";
import { IGNORED_ENV, RUNTIME_DIR, runtimeSourceEntries } from "../core/launch/mod.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    kit: { type: "string" },
    json: { type: "boolean", default: false },
    "download-dir": { type: "string" },
  },
  allowPositionals: true,
});
if (!values.kit) {
  console.error("Usage: deno task console --kit <admin kit> [--json] [-- <command> [args...]]");
  Deno.exit(2);
}
const kitDir = await Deno.realPath(resolve(values.kit)).catch((err) => {
  console.error(`Cannot open kit "${values.kit}": ${err instanceof Error ? err.message : err}`);
  Deno.exit(1);
});
await requireIntactKit(kitDir, "admin");
const kit = await loadKit(kitDir, "admin");
const read = [kitDir, ...runtimeSourceEntries("console", RUNTIME_DIR), Deno.cwd()];
const submitted = positionals[0] === "submit_job"
  ? positionals.slice(1).find((a) => a !== "--watch")
  : undefined;
if (submitted) read.push(resolve(submitted));
const downloads = resolve(
  positionals[0] === "download_job" && positionals[2]
    ? positionals[2]
    : values["download-dir"] ?? "downloads",
);
await Deno.mkdir(downloads, { recursive: true });
read.push(downloads);
const unusable = read.find((p) => p.includes(","));
if (unusable) {
  console.error(`Cannot grant read access to "${unusable}": a path with "," cannot be granted`);
  Deno.exit(1);
}
const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--no-prompt",
    "--no-remote",
    "--deny-import",
    `--allow-read=${read.join(",")}`,
    `--allow-write=${downloads}`,
    `--allow-net=${kit.target}`,
    `--ignore-env=${IGNORED_ENV.join(",")}`,
    `${RUNTIME_DIR}/console/main.ts`,
    "--kit",
    kitDir,
    ...(values.json ? ["--json"] : []),
    "--download-dir",
    downloads,
    ...positionals,
  ],
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
Deno.exit((await child.status).code);
