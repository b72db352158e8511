/**
 * The console, started by `console/launcher.ts` (`deno task console --kit <admin kit> [--json]
 * [-- <command> [args…]]`) with permissions computed from the kit. Checks the admin kit again,
 * logs in with its certificate and runs one command (one-shot mode, for scripts) or reads
 * commands line by line (`bye` ends). `submit_job <folder>` signs the folder with the kit's key
 * and uploads it; every other command goes to the server as written. The full console of
 * `authorization.md` §6 (history, completion, watch, downloads, forwarded commands) is still to
 * come; commands the server does not serve yet answer `NOT_IMPLEMENTED`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadKit, requireIntactKit } from "../core/kit/mod.ts";
import { AdminSession } from "./admin_session.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { kit: { type: "string" }, json: { type: "boolean", default: false } },
  allowPositionals: true,
});
if (!values.kit) {
  console.error("Usage: deno task console --kit <admin kit> [--json] [-- <command> [args...]]");
  Deno.exit(2);
}
await requireIntactKit(values.kit, "admin");
const session = await AdminSession.login(await loadKit(values.kit, "admin"));

async function run(words: string[]): Promise<boolean> {
  const [command, ...args] = words;
  if (!command) return true;
  const reply = command === "submit_job"
    ? (args[0]
      ? await session.submitFolder(args[0])
      : { ok: false, code: "BAD_COMMAND_ARGS", message: "usage: submit_job <folder>" })
    : await session.command(command, args);
  if (values.json) console.log(JSON.stringify(reply));
  else console.log(reply.ok ? reply.message : `${reply.code}: ${reply.message}`);
  return reply.ok;
}

let status = 0;
try {
  if (positionals.length > 0) {
    status = await run(positionals) ? 0 : 1;
  } else {
    const { user } = session;
    console.error(`Logged in as ${user.name} (${user.org}, ${user.role}). Type "bye" to leave.`);
    const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
    let buffer = "";
    const prompt = () => Deno.stdout.write(new TextEncoder().encode("> "));
    await prompt();
    outer: for await (const chunk of lines) {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line === "bye") break outer;
        await run(line.split(/\s+/).filter(Boolean));
        await prompt();
      }
    }
  }
} finally {
  await session.close();
}
Deno.exit(status);
