// Stands in for server/main.ts and client/main.ts in tests/launch_cli_test.ts: takes
// `--kit <dir> <targets JSON>`, probes its sandbox and writes the report to
// <kit>/sandbox_report.json (the workspace), then exits 0.
import { probeSandbox } from "../core/launch/mod.ts";

const [flag, kitDir, targets] = Deno.args;
if (flag !== "--kit" || kitDir === undefined || targets === undefined) {
  throw new TypeError("Usage: launch_main_fixture.ts --kit <dir> <targets JSON>");
}
const report = await probeSandbox(JSON.parse(targets));
await Deno.writeTextFile(`${kitDir}/sandbox_report.json`, JSON.stringify(report));
