import { createRootCa, fingerprint } from "../core/pki/mod.ts";
import {
  type CommonProvisionOptions,
  generateLeafKeys,
  type ProvisionResult,
  resolvePaths,
  stageProd,
} from "./_build.ts";
import { createState, loadState, type ProjectState, saveState } from "./_state.ts";
import { parseProject } from "./parse_project.ts";
import { ProvisionError } from "./provision_error.ts";

/** Options of `provisionProject()`. */
export type ProvisionOptions = CommonProvisionOptions;

/**
 * Provisions every participant of a project.yml (`provisioning.md` §1–§5, §7, §8): validates the
 * file, creates `state/` once (root CA) or reuses it, issues fresh keys and certificates, writes
 * signed kits into the next `<ws>/<project>/prod_NN`, and optionally encrypted archives. Nothing
 * is written when validation fails; a failed run leaves no prod folder behind. Requires
 * `--allow-read` of the project file, the workspace and the templates, `--allow-write` of the
 * workspace.
 */
export async function provisionProject(options: ProvisionOptions): Promise<ProvisionResult> {
  const text = await Deno.readTextFile(options.projectFile);
  const { project, warnings } = parseProject(text, options.projectFile);
  const paths = resolvePaths(options, project.name);
  const loaded = await loadState(paths.stateDir, project.name, options.rootPassphrase, warnings);
  if (loaded) {
    for (const p of project.participants) {
      const st = loaded.state.participants.find((s) => s.name === p.name);
      if (st === undefined) continue;
      if (st.type !== p.type) {
        throw new ProvisionError(
          "STATE_MISMATCH",
          `participant "${p.name}" was provisioned as ${st.type}, not ${p.type}; pick another name`,
        );
      }
      if (p.type === "admin" && st.role !== p.role) {
        throw new ProvisionError(
          "ROLE_CHANGED",
          `participant "${p.name}" has role "${p.role}", but its issued certificate says "${st.role}"; the old certificate stays valid until it expires, so use a new admin name or a new project`,
        );
      }
    }
    if ((loaded.root.key.algorithm === "rsa") !== (project.certs.keyType === "rsa-2048")) {
      warnings.push(
        `The existing root key is ${loaded.root.key.algorithm}; participant keys use ${project.certs.keyType}`,
      );
    }
  } else if (options.rootPassphrase !== undefined && options.rootPassphrase.length < 8) {
    throw new ProvisionError(
      "ROOT_PASSPHRASE_INVALID",
      "The root passphrase is shorter than 8 characters: choose a longer one",
    );
  } else if (options.rootPassphrase === undefined) {
    warnings.push(
      `"${paths.stateDir}/rootCA.key" is stored unencrypted (mode 0600); pass --root-passphrase-file to encrypt it`,
    );
  }
  const leafKeys = generateLeafKeys(project, project.participants.length);
  leafKeys.catch(() => {}); // awaited in stageProd; avoid an unhandled rejection meanwhile
  const root = loaded?.root ?? await createRootCa({
    name: project.rootCommonName,
    keyType: project.certs.keyType,
    validDays: project.certs.rootValidDays,
    ...(options.now ? { now: options.now } : {}),
  });
  const rootPem = loaded?.rootPem ?? root.certificate.toString("pem") + "\n";
  const rootFingerprint = fingerprint(root.certificate);
  const staged = await stageProd(
    paths,
    options,
    project,
    root,
    rootPem,
    project.participants,
    leafKeys,
  );
  try {
    const issued = new Set(staged.stateEntries.map((e) => e.name));
    const state: ProjectState = {
      project: project.name,
      root_fingerprint: rootFingerprint,
      participants: [
        ...(loaded?.state.participants.filter((s) => !issued.has(s.name)) ?? []),
        ...staged.stateEntries,
      ],
    };
    if (loaded) await saveState(paths.stateDir, state);
    else await createState(paths.stateDir, root, rootPem, state, options.rootPassphrase);
    await staged.publish();
  } catch (err) {
    await staged.discard();
    throw err;
  }
  return {
    project: project.name,
    projectDir: paths.projectDir,
    prodDir: staged.prodDir,
    rootFingerprint,
    rootCreated: loaded === undefined,
    kits: staged.kits,
    passwords: staged.passwords,
    warnings,
  };
}
