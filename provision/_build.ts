// Shared by provisionProject() and addParticipant(): resolve paths, build prod_NN aside, archive,
// then publish with a rename so a failed run leaves nothing half-written.
import { dirname, isAbsolute, relative, resolve } from "node:path";
import {
  type CertificateAuthority,
  fingerprint,
  generatePrivateKey,
  isCaCertificate,
  parseCertificate,
  type PrivateKey,
  readIdentity,
  type ScryptCost,
} from "../core/pki/mod.ts";
import { loadTemplates } from "./_templates.ts";
import { type KitContext, writeKit } from "./_write_kit.ts";
import type { StateParticipant } from "./_state.ts";
import { writeKitArchive } from "./kit_archive.ts";
import { generateKitPassword } from "./kit_password.ts";
import type { Participant, Project } from "./project.ts";
import { ProvisionError } from "./provision_error.ts";

/** Options common to full runs and additions. */
export interface CommonProvisionOptions {
  /** Path of project.yml. */
  projectFile: string;
  /** Workspace folder (default `workspace`). */
  workspace?: string;
  /** Also write encrypted `.stkit` archives (same as listing `stockade.archives`). */
  archive?: boolean;
  /** Encrypts a new `state/rootCA.key` and unlocks an encrypted one. */
  rootPassphrase?: string;
  /** Appends `<participant> <password>` lines here (must be outside the workspace). */
  passwordFile?: string;
  /** Issuance time (default now). */
  now?: Date;
  /** scrypt cost for archives (default the spec's N = 131072, r = 8, p = 1). */
  archiveScrypt?: ScryptCost;
}

/** One produced kit. */
export interface KitSummary {
  name: string;
  type: "server" | "client" | "admin";
  org: string;
  role?: string;
  /** Kit folder. */
  dir: string;
  /** SHA-256 fingerprint of the participant certificate. */
  fingerprint: string;
  /** Certificate notAfter (ISO). */
  notAfter: string;
  /** `.stkit` path, when archives were written. */
  archive?: string;
}

/** What a provisioning run produced. */
export interface ProvisionResult {
  project: string;
  /** `<ws>/<project>` */
  projectDir: string;
  /** `<ws>/<project>/prod_NN` */
  prodDir: string;
  rootFingerprint: string;
  /** True when this run created `state/`. */
  rootCreated: boolean;
  kits: KitSummary[];
  /** Archive passwords by participant (only with archives); shown once, never stored. */
  passwords: Record<string, string>;
  warnings: string[];
}

/** Resolved paths of a run. */
export interface RunPaths {
  projectFile: string;
  workspace: string;
  projectDir: string;
  stateDir: string;
  passwordFile?: string;
}

/** Resolves and checks the paths of a run. */
export function resolvePaths(options: CommonProvisionOptions, projectName: string): RunPaths {
  const workspace = resolve(options.workspace ?? "workspace");
  const projectDir = `${workspace}/${projectName}`;
  const paths: RunPaths = {
    projectFile: resolve(options.projectFile),
    workspace,
    projectDir,
    stateDir: `${projectDir}/state`,
  };
  if (options.passwordFile !== undefined) {
    const pf = resolve(options.passwordFile);
    const rel = relative(workspace, pf);
    if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) {
      throw new ProvisionError(
        "PASSWORD_FILE_INVALID",
        `Password file "${pf}" is inside the workspace "${workspace}": keep it elsewhere`,
      );
    }
    paths.passwordFile = pf;
  }
  return paths;
}

/** Reads and checks `custom_ca_cert` (relative to the project file). */
export async function readCustomCa(
  project: Project,
  projectFile: string,
): Promise<string | undefined> {
  if (project.customCaCert === undefined) return undefined;
  const path = resolve(dirname(projectFile), project.customCaCert);
  let pem: string;
  try {
    pem = await Deno.readTextFile(path);
  } catch (cause) {
    throw new ProvisionError(
      "CUSTOM_CA_INVALID",
      `Cannot read custom_ca_cert "${project.customCaCert}" ("${path}"): ${
        cause instanceof Deno.errors.NotCapable
          ? "keep it in the project file's folder"
          : (cause as Error).message
      }`,
      { cause },
    );
  }
  let ok = false;
  try {
    ok = isCaCertificate(parseCertificate(pem));
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ProvisionError(
      "CUSTOM_CA_INVALID",
      `custom_ca_cert "${project.customCaCert}" is not a PEM CA certificate`,
    );
  }
  return pem;
}

/** Reads a workspace folder entry list; empty when absent. */
async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return names;
    throw err;
  }
  return names;
}

/** Next free `prod_NN`. */
async function nextProdName(projectDir: string): Promise<string> {
  let max = -1;
  for (const name of await listDir(projectDir)) {
    const m = /^prod_([0-9]{2,})$/.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `prod_${String(max + 1).padStart(2, "0")}`;
}

/**
 * Starts generating one key per participant. Key generation dominates for RSA and WebCrypto runs
 * it off the main thread, so all start at once (and may overlap the root's generation).
 */
export function generateLeafKeys(project: Project, count: number): Promise<PrivateKey[]> {
  return Promise.all(
    Array.from({ length: count }, () => generatePrivateKey(project.certs.keyType)),
  );
}

/** A built, not yet published prod folder. */
export interface StagedProd {
  stagingDir: string;
  prodDir: string;
  kits: KitSummary[];
  passwords: Record<string, string>;
  stateEntries: StateParticipant[];
  /** Removes the staging folder (on failure). */
  discard(): Promise<void>;
  /** Renames the staging folder to prod_NN and writes the password file. */
  publish(): Promise<void>;
}

/** Builds the kits of `participants` in a staging folder next to the future prod_NN. */
export async function stageProd(
  paths: RunPaths,
  options: CommonProvisionOptions,
  project: Project,
  root: CertificateAuthority,
  rootPem: string,
  participants: Participant[],
  leafKeys?: Promise<PrivateKey[]>,
): Promise<StagedProd> {
  const customCaPem = await readCustomCa(project, paths.projectFile);
  const templates = await loadTemplates();
  const now = options.now ?? new Date();
  await Deno.mkdir(paths.projectDir, { recursive: true });
  const prodName = await nextProdName(paths.projectDir);
  const prodDir = `${paths.projectDir}/${prodName}`;
  const stagingDir = `${paths.projectDir}/.${prodName}.partial-${crypto.randomUUID()}`;
  await Deno.mkdir(stagingDir, { mode: 0o755 });
  const discard = () => Deno.remove(stagingDir, { recursive: true }).catch(() => {});
  try {
    const ctx: KitContext = { project, root, rootPem, templates, now };
    if (customCaPem !== undefined) ctx.customCaPem = customCaPem;
    const rootFp = fingerprint(root.certificate);
    const kits: KitSummary[] = [];
    const stateEntries: StateParticipant[] = [];
    const passwords: Record<string, string> = {};
    const archive = options.archive === true || project.archive;
    const keys = await (leafKeys ?? generateLeafKeys(project, participants.length));
    const toArchive: [Participant, string][] = [];
    for (const [i, p] of participants.entries()) {
      const written = await writeKit(ctx, p, `${stagingDir}/${p.name}`, keys[i]);
      const fp = fingerprint(written.certificate);
      const notAfter = written.certificate.notAfter.toISOString();
      const summary: KitSummary = {
        name: p.name,
        type: p.type,
        org: p.org,
        dir: `${prodDir}/${p.name}`,
        fingerprint: fp,
        notAfter,
      };
      const entry: StateParticipant = {
        name: p.name,
        type: p.type,
        org: p.org,
        fingerprint: fp,
        not_after: notAfter,
      };
      if (p.type === "admin") {
        summary.role = entry.role = readIdentity(written.certificate).role ?? p.role;
      }
      if (archive) {
        summary.archive = `${prodDir}/${p.name}.stkit`;
        toArchive.push([p, written.dir]);
      }
      kits.push(summary);
      stateEntries.push(entry);
    }
    // scrypt (128 MiB each at the spec's cost) runs off the main thread: two at a time.
    for (let i = 0; i < toArchive.length; i += 2) {
      await Promise.all(
        toArchive.slice(i, i + 2).map(async ([p, dir]) => {
          const password = generateKitPassword();
          await writeKitArchive(dir, `${stagingDir}/${p.name}.stkit`, {
            participant: p.name,
            project: project.name,
            rootFingerprint: rootFp,
            password,
            now,
            ...(options.archiveScrypt ? { scrypt: options.archiveScrypt } : {}),
          });
          passwords[p.name] = password;
        }),
      );
    }
    // Report passwords in participant order.
    const ordered: Record<string, string> = {};
    for (const [p] of toArchive) ordered[p.name] = passwords[p.name]!;
    return {
      stagingDir,
      prodDir,
      kits,
      passwords: ordered,
      stateEntries,
      discard,
      publish: async () => {
        await Deno.rename(stagingDir, prodDir);
        if (paths.passwordFile !== undefined && toArchive.length > 0) {
          const lines = Object.entries(ordered).map(([n, pw]) => `${n} ${pw}\n`).join("");
          await Deno.writeTextFile(paths.passwordFile, lines, { append: true, mode: 0o600 });
          await Deno.chmod(paths.passwordFile, 0o600);
        }
      },
    };
  } catch (err) {
    await discard();
    throw err;
  }
}
