// Runs probeSandbox() on the targets given as JSON in the first argument and prints the report:
// the tests start it under a role's computed flags.
import { probeSandbox } from "../core/launch/mod.ts";

console.log(JSON.stringify(await probeSandbox(JSON.parse(Deno.args[0] ?? "{}"))));
