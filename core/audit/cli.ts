/**
 * `deno task audit verify <file>… [--prev <hex>] [--json]`: checks the hash chain of audit files
 * given oldest first (`audit.md` §3). Prints `OK <lines> lines head=<hash>` and exits 0, or
 * `FAIL <file>:<line>: <reason>` and exits 1. Requires read access to the files only.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { verifyAuditFiles } from "./verify_audit.ts";

const USAGE = "Usage: deno task audit verify <file>... [--prev <64 hex>] [--json]";

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        prev: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, ...files] = positionals;
  if (command !== "verify" || files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  if (values.prev !== undefined && !/^[0-9a-f]{64}$/.test(values.prev)) {
    console.error(`--prev "${values.prev}" must be 64 lowercase hex characters`);
    return 2;
  }
  let verdict;
  try {
    verdict = await verifyAuditFiles(files, values.prev ? { prev: values.prev } : {});
  } catch (err) {
    console.error(`Cannot read audit files: ${(err as Error).message}`);
    return 2;
  }
  if (values.json) console.log(JSON.stringify(verdict));
  else if (verdict.ok) console.log(`OK ${verdict.lines} lines head=${verdict.head}`);
  else console.log(`FAIL ${verdict.file}:${verdict.line}: ${verdict.reason}`);
  return verdict.ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
