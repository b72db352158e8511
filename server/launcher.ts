/**
 * `deno task server --kit <dir>`: checks the server kit and runs `server/main.ts` with Deno
 * permissions computed from it, under supervision (core/launch/README.md).
 *
 * @module
 */
import { runLauncher } from "../core/launch/mod.ts";

if (import.meta.main) Deno.exit(await runLauncher("server", Deno.args));
