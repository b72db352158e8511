/**
 * The console, started by `console/launcher.ts` (`deno task console --kit <admin kit> [--json]
 * [--download-dir <dir>] [-- <command> [args…]]`) with permissions computed from the kit. Checks
 * the admin kit again, logs in with its certificate, then runs one command (one-shot mode, for
 * scripts; exit status 1 when it failed) or a REPL with history, `help` and tab completion of
 * command names; `bye` or Ctrl-D leaves.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadKit, requireIntactKit } from "../core/kit/mod.ts";
import { AdminSession } from "./admin_session.ts";
import { COMMAND_NAMES, ConsoleApp } from "./console_app.ts";
import { terminalSafe } from "./terminal_safe.ts";
import { completeCommand } from "./complete_command.ts";
import { LineEditor } from "./line_editor.ts";

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
await requireIntactKit(values.kit, "admin");
const session = await AdminSession.login(await loadKit(values.kit, "admin"));
const encoder = new TextEncoder();
const terminal = Deno.stdout.isTerminal();
const app = new ConsoleApp(session, {
  json: values.json,
  downloadDir: values["download-dir"] ?? `${Deno.cwd()}/downloads`,
  out: {
    print: (text) => console.log(text),
    write: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
    terminal: terminal && !values.json,
  },
});

let status = 0;
try {
  if (positionals.length > 0) {
    status = await app.run(positionals) ? 0 : 1;
  } else {
    const { user } = session;
    console.error(`Logged in as ${user.name} (${user.org}, ${user.role}). Type "help" or "bye".`);
    const interactive = Deno.stdin.isTerminal();
    const editor = new LineEditor({
      input: Deno.stdin.readable,
      output: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
      terminal: interactive,
      setRaw: (raw) => Deno.stdin.setRaw(raw),
      complete: completeCommand(COMMAND_NAMES),
    });
    // Bounded by the input: every iteration consumes a line, and end of input ends the loop.
    for (;;) {
      const line = await editor.readLine("> ");
      if (line === null || line.trim() === "bye") break;
      const words = line.trim().split(/\s+/).filter(Boolean);
      try {
        await app.run(words);
      } catch (err) {
        console.error(`error: ${terminalSafe(err instanceof Error ? err.message : String(err))}`);
      }
    }
    editor.close();
  }
} finally {
  await session.close();
}
Deno.exit(status);
