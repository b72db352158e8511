/**
 * `deno task provision`: project.yml → signed startup kits (`provisioning.md` §1). Normally started
 * through `provision/launch.ts`, which grants read of the project folder and read/write of the
 * workspace only.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { ProvisionResult } from "./_build.ts";
import { describeError, err, out, readSecretFile } from "./_output.ts";
import { addParticipant } from "./add_participant.ts";
import { provisionProject } from "./provision_project.ts";

/** Options of the provision command, shared with the launcher. */
export const PROVISION_ARGS = {
  project: { type: "string", short: "p" },
  workspace: { type: "string", short: "w" },
  archive: { type: "boolean" },
  "add-user": { type: "string" },
  "add-client": { type: "string" },
  "root-passphrase-file": { type: "string" },
  "password-file": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const HELP = `Usage: deno task provision -p <project.yml> [options]

Builds one signed startup kit per participant into <workspace>/<project>/prod_NN.

Options:
  -p, --project <file>            project.yml (NVFlare api_version 3 format)
  -w, --workspace <dir>           workspace folder (default ./workspace)
      --archive                   also write encrypted <participant>.stkit archives; their
                                  passwords are printed once and never stored in the workspace
      --add-user <user.yml>       issue one more admin kit ({name, org, role}) under the same root
      --add-client <client.yml>   issue one more site kit ({name, org, connect_to?,
                                  connection_security?, capacity?}) under the same root
      --root-passphrase-file <f>  encrypt state/rootCA.key (and unlock it on later runs)
      --password-file <f>         append "<participant> <password>" lines here (outside the workspace)
      --json                      print a machine-readable summary
  -h, --help                      show this help

Exit status: 0 on success, 1 on error.`;

/** Runs the provision command; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: PROVISION_ARGS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    err(`error: ${(e as Error).message}\n\n${HELP}`);
    return 1;
  }
  if (values.help) {
    out(HELP);
    return 0;
  }
  const json = values.json === true;
  try {
    if (values.project === undefined) throw new TypeError("Missing -p <project.yml>");
    if (values["add-user"] !== undefined && values["add-client"] !== undefined) {
      throw new TypeError("Use --add-user or --add-client, not both");
    }
    const common = {
      projectFile: values.project,
      ...(values.workspace !== undefined ? { workspace: values.workspace } : {}),
      ...(values.archive ? { archive: true } : {}),
      ...(values["password-file"] !== undefined ? { passwordFile: values["password-file"] } : {}),
      ...(values["root-passphrase-file"] !== undefined
        ? { rootPassphrase: await readSecretFile(values["root-passphrase-file"]) }
        : {}),
    };
    let result: ProvisionResult;
    if (values["add-user"] !== undefined) {
      result = await addParticipant({
        ...common,
        kind: "user",
        participantFile: values["add-user"],
      });
    } else if (values["add-client"] !== undefined) {
      result = await addParticipant({
        ...common,
        kind: "client",
        participantFile: values["add-client"],
      });
    } else {
      result = await provisionProject(common);
    }
    report(result, json);
    return 0;
  } catch (e) {
    const { code, message } = describeError(e);
    if (json) out(JSON.stringify({ ok: false, error: { code, message } }));
    else err(`error: ${code}: ${message}`);
    return 1;
  }
}

function report(r: ProvisionResult, json: boolean): void {
  if (json) {
    out(JSON.stringify({
      ok: true,
      project: r.project,
      prod_dir: r.prodDir,
      root_fingerprint: r.rootFingerprint,
      root_created: r.rootCreated,
      kits: r.kits.map((k) => ({
        name: k.name,
        type: k.type,
        org: k.org,
        ...(k.role !== undefined ? { role: k.role } : {}),
        dir: k.dir,
        fingerprint: k.fingerprint,
        not_after: k.notAfter,
        ...(k.archive !== undefined ? { archive: k.archive } : {}),
      })),
      passwords: r.passwords,
      warnings: r.warnings,
    }));
    return;
  }
  for (const w of r.warnings) err(`warning: ${w}`);
  out(`Provisioned ${r.kits.length} kit(s) of project "${r.project}" into ${r.prodDir}`);
  out(`Root CA fingerprint (SHA-256): ${r.rootFingerprint}${r.rootCreated ? " (new root)" : ""}`);
  for (const k of r.kits) {
    out(`  ${k.type.padEnd(6)} ${k.name}${k.role ? ` (${k.role})` : ""}  ${k.dir}`);
  }
  const pw = Object.entries(r.passwords);
  if (pw.length > 0) {
    out("");
    out("Kit archive passwords (shown once and not stored; send each over another channel):");
    for (const [name, password] of pw) out(`${name} ${password}`);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
