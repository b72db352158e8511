/**
 * `deno task client --kit <dir>`: checks the client kit and runs `client/main.ts` with Deno
 * permissions computed from it, under supervision (core/launch/README.md).
 *
 * @module
 */
import { runLauncher } from "../core/launch/mod.ts";

if (import.meta.main) Deno.exit(await runLauncher("client", Deno.args));
