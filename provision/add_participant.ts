import { fingerprint } from "../core/pki/mod.ts";
import {
  type CommonProvisionOptions,
  type ProvisionResult,
  resolvePaths,
  stageProd,
} from "./_build.ts";
import { loadState, saveState } from "./_state.ts";
import { isMap, show } from "./_validate.ts";
import { parseMember, parseProject, parseYamlDocument } from "./parse_project.ts";
import { ProvisionError } from "./provision_error.ts";

/** Options of `addParticipant()`. */
export interface AddParticipantOptions extends CommonProvisionOptions {
  /** `user` (`--add-user`, an admin) or `client` (`--add-client`, a site). */
  kind: "user" | "client";
  /** Path of the YAML file describing the new participant. */
  participantFile: string;
}

const USER_KEYS = ["name", "org", "role"];
const CLIENT_KEYS = ["name", "org", "connect_to", "connection_security", "capacity"];

/**
 * Issues one more kit under the project's existing root (`provisioning.md` §7): validates the
 * participant file as project.yml entries are validated, refuses unknown keys
 * (`ADDITION_KEY_INVALID`) and names already issued or in the project
 * (`PARTICIPANT_NAME_DUPLICATE`), and writes only the new kit into the next prod_NN. Existing
 * kits are not touched.
 */
export async function addParticipant(options: AddParticipantOptions): Promise<ProvisionResult> {
  const { project, warnings } = parseProject(
    await Deno.readTextFile(options.projectFile),
    options.projectFile,
  );
  const paths = resolvePaths(options, project.name);
  const loaded = await loadState(paths.stateDir, project.name, options.rootPassphrase, warnings);
  if (loaded === undefined) {
    throw new ProvisionError(
      "STATE_MISSING",
      `Project "${project.name}" has no state in "${paths.stateDir}": provision the project first`,
    );
  }
  const source = options.participantFile;
  const doc = parseYamlDocument(await Deno.readTextFile(source), source);
  if (!isMap(doc)) {
    throw new ProvisionError(
      "PROJECT_FILE_INVALID",
      `Cannot read "${source}": expected a YAML map`,
    );
  }
  const allowed = options.kind === "user" ? USER_KEYS : CLIENT_KEYS;
  for (const key of Object.keys(doc)) {
    if (!allowed.includes(key)) {
      throw new ProvisionError(
        "ADDITION_KEY_INVALID",
        `participant "${
          show(doc.name)
        }" in "${source}" has key "${key}", which --add-${options.kind} does not accept (use ${
          allowed.join(", ")
        })`,
      );
    }
  }
  const server = project.server;
  const participant = parseMember(
    { ...doc, type: options.kind === "user" ? "admin" : "client" },
    project.connectionSecurity,
    {
      name: server.name,
      known: [
        server.name,
        ...(server.defaultHost ? [server.defaultHost] : []),
        ...server.hostNames,
      ],
    },
    warnings,
  );
  const taken = loaded.state.participants.some((s) => s.name === participant.name) ||
    project.participants.some((p) => p.name === participant.name);
  if (taken) {
    throw new ProvisionError(
      "PARTICIPANT_NAME_DUPLICATE",
      `participant "${participant.name}" already exists in project "${project.name}"; pick another name`,
    );
  }
  const staged = await stageProd(paths, options, project, loaded.root, loaded.rootPem, [
    participant,
  ]);
  try {
    await saveState(paths.stateDir, {
      ...loaded.state,
      participants: [...loaded.state.participants, ...staged.stateEntries],
    });
    await staged.publish();
  } catch (err) {
    await staged.discard();
    throw err;
  }
  return {
    project: project.name,
    projectDir: paths.projectDir,
    prodDir: staged.prodDir,
    rootFingerprint: fingerprint(loaded.root.certificate),
    rootCreated: false,
    kits: staged.kits,
    passwords: staged.passwords,
    warnings,
  };
}
