/**
 * Launcher of `deno task provision` and `deno task kit`. The paths these commands touch are only
 * known at run time, so a static permission set would have to grant the whole disk. This launcher
 * holds no file permission at all: it validates the arguments, resolves the paths against the
 * caller's folder (`INIT_CWD`, set by `deno task`), and re-executes the real CLI with exactly
 * those paths granted:
 *
 * | command | read | write |
 * |---|---|---|
 * | provision | the project file's folder, the workspace, `--add-*` / `--root-passphrase-file` files, the kit templates | the workspace, `--password-file` |
 * | kit verify | the kit | – |
 * | kit unpack | the archive, `--password-file`, the destination | the destination |
 *
 * The child also runs with `--deny-net --deny-run --deny-ffi --deny-sys --ignore-env --no-prompt`.
 * Requires `--allow-run` of the Deno binary and `--allow-env=INIT_CWD`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KIT_ARGS } from "./kit_main.ts";
import { PROVISION_ARGS } from "./main.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** Child command line for a launcher invocation (exported for tests). */
export function childArgs(
  command: string,
  args: string[],
  cwd: string,
): { script: string; read: string[]; write: string[]; args: string[] } {
  const abs = (p: string) => resolve(cwd, p);
  if (command === "provision") {
    const { values } = parseArgs({ args, options: PROVISION_ARGS, strict: true });
    const read = [`${ROOT}/policies/defaults`, `${ROOT}/provision/templates`];
    const write: string[] = [];
    const out: string[] = [];
    if (values.help) return { script: "provision/main.ts", read: [], write: [], args: ["--help"] };
    if (values.project === undefined) throw new TypeError("Missing -p <project.yml>");
    const project = abs(values.project);
    read.push(dirname(project));
    out.push("-p", project);
    const workspace = abs(values.workspace ?? "workspace");
    read.push(workspace);
    write.push(workspace);
    out.push("-w", workspace);
    for (const key of ["add-user", "add-client", "root-passphrase-file"] as const) {
      const v = values[key];
      if (v !== undefined) {
        read.push(abs(v));
        out.push(`--${key}`, abs(v));
      }
    }
    if (values["password-file"] !== undefined) {
      const pf = abs(values["password-file"]);
      write.push(pf);
      out.push("--password-file", pf);
    }
    if (values.archive) out.push("--archive");
    if (values.json) out.push("--json");
    return { script: "provision/main.ts", read, write, args: out };
  }
  if (command === "kit") {
    const { values, positionals } = parseArgs({
      args,
      options: KIT_ARGS,
      strict: true,
      allowPositionals: true,
    });
    if (values.help) {
      return { script: "provision/kit_main.ts", read: [], write: [], args: ["--help"] };
    }
    const [sub, target, ...rest] = positionals;
    if ((sub !== "verify" && sub !== "unpack") || target === undefined || rest.length > 0) {
      throw new TypeError("Usage: kit verify <kit-dir> | kit unpack <archive> [--dest <dir>]");
    }
    const json = values.json ? ["--json"] : [];
    if (sub === "verify") {
      const kit = abs(target);
      return {
        script: "provision/kit_main.ts",
        read: [kit],
        write: [],
        args: ["verify", kit, ...json],
      };
    }
    const archive = abs(target);
    const dest = abs(values.dest ?? basename(archive).replace(/\.stkit$/, ""));
    const read = [archive, dest];
    const out = ["unpack", archive, "--dest", dest, ...json];
    if (values["password-file"] !== undefined) {
      read.push(abs(values["password-file"]));
      out.push("--password-file", abs(values["password-file"]));
    }
    if (values["expect-root-fingerprint"] !== undefined) {
      out.push("--expect-root-fingerprint", values["expect-root-fingerprint"]);
    }
    return { script: "provision/kit_main.ts", read, write: [dest], args: out };
  }
  throw new TypeError(`Unknown command "${command}": use provision or kit`);
}

async function launch(argv: string[]): Promise<number> {
  const [command = "", ...args] = argv;
  const cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd();
  let plan;
  try {
    plan = childArgs(command, args, cwd);
    for (const p of [...plan.read, ...plan.write]) {
      if (p.includes(",")) {
        throw new TypeError(`Path "${p}" contains a comma, which permission flags cannot express`);
      }
    }
  } catch (e) {
    Deno.stderr.writeSync(new TextEncoder().encode(`error: ${(e as Error).message}\n`));
    return 1;
  }
  const flags = [
    "run",
    "--no-prompt",
    `--config=${ROOT}/deno.json`,
    "--deny-net",
    "--deny-run",
    "--deny-ffi",
    "--deny-sys",
    "--ignore-env",
  ];
  if (plan.read.length > 0) flags.push(`--allow-read=${plan.read.join(",")}`);
  if (plan.write.length > 0) flags.push(`--allow-write=${plan.write.join(",")}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...flags, `${ROOT}/${plan.script}`, ...plan.args],
    cwd: ROOT,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return (await child.status).code;
}

if (import.meta.main) Deno.exit(await launch(Deno.args));
