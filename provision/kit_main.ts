/**
 * `deno task kit verify <kit-dir>` and `deno task kit unpack <archive>` (`provisioning.md` §5, §8).
 * Normally started through `provision/launch.ts`, which grants read of the kit (verify) or read of
 * the archive and read/write of the destination (unpack) only.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { basename } from "node:path";
import { formatKitReport, type KitReport, verifyKit } from "../core/kit/mod.ts";
import { describeError, err, out, readSecretFile } from "./_output.ts";
import { readKitArchiveHeader, unpackKitArchive } from "./kit_archive.ts";

/** Options of the kit command, shared with the launcher. */
export const KIT_ARGS = {
  dest: { type: "string" },
  "expect-root-fingerprint": { type: "string" },
  "password-file": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const HELP = `Usage:
  deno task kit verify <kit-dir> [--json]
      Runs the start-time integrity check of a startup kit without starting anything.
  deno task kit unpack <archive.stkit> [--dest <dir>] [--expect-root-fingerprint <hex>]
                       [--password-file <f>] [--json]
      Decrypts and unpacks a kit archive into <dir> (default ./<archive name without .stkit>),
      then runs the integrity check. The password is read from --password-file (a bare password,
      or "<participant> <password>" lines) or else from the first line of standard input.

Exit status: 0 on success, 1 on error, 2 when the kit fails the integrity check.`;

function printReport(report: KitReport, json: boolean, extra: Record<string, unknown> = {}): void {
  if (json) {
    out(JSON.stringify({
      ok: report.ok,
      ...extra,
      kit_dir: report.kitDir,
      role: report.role ?? null,
      participant: report.participant ?? null,
      problems: report.problems,
    }));
  } else if (report.ok) {
    out(`Startup kit of ${report.participant} (${report.role}) is intact: ${report.kitDir}`);
  } else {
    err(formatKitReport(report));
  }
}

async function readPassword(
  file: string | undefined,
  participant: () => Promise<string>,
): Promise<string> {
  if (file !== undefined) {
    const lines = (await readSecretFile(file)).split(/\r?\n/).filter((l) => l.trim() !== "");
    if (lines.length === 1 && !lines[0]!.trim().includes(" ")) return lines[0]!.trim();
    const name = await participant();
    const line = lines.map((l) => l.trim().split(/\s+/)).find((f) =>
      f[0] === name && f.length === 2
    );
    if (line === undefined) throw new TypeError(`No password for "${name}" in "${file}"`);
    return line[1]!;
  }
  const chunks: Uint8Array[] = [];
  for await (const c of Deno.stdin.readable) {
    chunks.push(c);
    if (c.includes(10)) break;
  }
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  const first = text.split(/\r?\n/)[0]?.trim() ?? "";
  if (first === "") {
    throw new TypeError("No password given: use --password-file or pipe it on stdin");
  }
  return first;
}

/** Runs the kit command; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: KIT_ARGS,
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    err(`error: ${(e as Error).message}\n\n${HELP}`);
    return 1;
  }
  if (values.help) {
    out(HELP);
    return 0;
  }
  const [command, target, ...rest] = positionals;
  if ((command !== "verify" && command !== "unpack") || target === undefined || rest.length > 0) {
    err(HELP);
    return 1;
  }
  const json = values.json === true;
  try {
    if (command === "verify") {
      const report = await verifyKit(target);
      printReport(report, json);
      return report.ok ? 0 : 2;
    }
    const dest = values.dest ?? basename(target).replace(/\.stkit$/, "");
    const password = await readPassword(
      values["password-file"],
      async () => readKitArchiveHeader(await Deno.readFile(target)).header.participant,
    );
    const { header, files } = await unpackKitArchive(target, {
      dest,
      password,
      ...(values["expect-root-fingerprint"] !== undefined
        ? { expectRootFingerprint: values["expect-root-fingerprint"] }
        : {}),
    });
    if (!json) {
      out(
        `Unpacked ${files} files of "${header.participant}" (project "${header.project}") into ${dest}`,
      );
      out(`Root CA fingerprint (SHA-256): ${header.root_fingerprint}`);
    }
    const report = await verifyKit(dest);
    printReport(report, json, { participant_archive: header.participant, dest });
    return report.ok ? 0 : 2;
  } catch (e) {
    const { code, message } = describeError(e);
    if (json) out(JSON.stringify({ ok: false, error: { code, message } }));
    else err(`error: ${code}: ${message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
