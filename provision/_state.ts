// state/: the root CA and project_state.json (`provisioning.md` §7). Never distributed.
import {
  type CertificateAuthority,
  decryptPrivateKey,
  encryptPrivateKey,
  fingerprint,
  isCaCertificate,
  keyMatchesCertificate,
  parseCertificate,
  PrivateKey,
} from "../core/pki/mod.ts";
import { isMap } from "./_validate.ts";
import { ProvisionError } from "./provision_error.ts";

/** One issued participant as recorded in project_state.json. */
export interface StateParticipant {
  name: string;
  type: "server" | "client" | "admin";
  org: string;
  role?: string;
  fingerprint: string;
  not_after: string;
}

/** project_state.json. */
export interface ProjectState {
  project: string;
  root_fingerprint: string;
  participants: StateParticipant[];
}

/** A loaded state folder. */
export interface LoadedState {
  state: ProjectState;
  root: CertificateAuthority;
  rootPem: string;
}

const invalid = (dir: string, what: string, cause?: unknown): never => {
  throw new ProvisionError(
    "STATE_INVALID",
    `Cannot use "${dir}": ${what}; restore it from backup or provision into a new workspace`,
    cause === undefined ? undefined : { cause },
  );
};

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Loads `stateDir`, or returns `undefined` when it does not exist. */
export async function loadState(
  stateDir: string,
  projectName: string,
  passphrase: string | undefined,
  warnings: string[],
): Promise<LoadedState | undefined> {
  const stateText = await readIfExists(`${stateDir}/project_state.json`);
  if (stateText === undefined) {
    try {
      await Deno.lstat(stateDir);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
    return invalid(stateDir, "project_state.json is missing");
  }
  let state: unknown;
  try {
    state = JSON.parse(stateText);
  } catch (cause) {
    invalid(stateDir, "project_state.json is not JSON", cause);
  }
  if (
    !isMap(state) || typeof state.project !== "string" || !Array.isArray(state.participants) ||
    typeof state.root_fingerprint !== "string"
  ) {
    return invalid(stateDir, "project_state.json lacks project, root_fingerprint or participants");
  }
  if (state.project !== projectName) {
    throw new ProvisionError(
      "STATE_MISMATCH",
      `State "${stateDir}" belongs to project "${state.project}", not "${projectName}"; use another workspace`,
    );
  }
  const rootPem = await readIfExists(`${stateDir}/rootCA.pem`);
  const keyPem = await readIfExists(`${stateDir}/rootCA.key`);
  if (rootPem === undefined || keyPem === undefined) {
    return invalid(stateDir, "rootCA.pem or rootCA.key is missing");
  }
  let certificate;
  try {
    certificate = parseCertificate(rootPem);
  } catch (cause) {
    return invalid(stateDir, "rootCA.pem is not a certificate", cause);
  }
  if (!isCaCertificate(certificate) || fingerprint(certificate) !== state.root_fingerprint) {
    return invalid(stateDir, "rootCA.pem is not the root recorded in project_state.json");
  }
  let key: PrivateKey;
  if (keyPem.includes("ENCRYPTED PRIVATE KEY")) {
    if (passphrase === undefined) {
      throw new ProvisionError(
        "ROOT_KEY_LOCKED",
        `"${stateDir}/rootCA.key" is encrypted: pass --root-passphrase-file`,
      );
    }
    try {
      key = await decryptPrivateKey(keyPem, passphrase);
    } catch (cause) {
      throw new ProvisionError(
        "ROOT_KEY_LOCKED",
        `Cannot decrypt "${stateDir}/rootCA.key": wrong passphrase`,
        { cause },
      );
    }
  } else {
    if (passphrase !== undefined) {
      warnings.push(`"${stateDir}/rootCA.key" is not encrypted; the root passphrase was not used`);
    }
    try {
      key = PrivateKey.fromPem(keyPem);
    } catch (cause) {
      return invalid(stateDir, "rootCA.key is not a private key", cause);
    }
  }
  if (!keyMatchesCertificate(key, certificate)) {
    return invalid(stateDir, "rootCA.key does not match rootCA.pem");
  }
  return { state: state as unknown as ProjectState, root: { certificate, key }, rootPem };
}

/** Writes a file through a temporary name and rename, so readers never see half of it. */
export async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, data, { mode });
  await Deno.chmod(tmp, mode);
  await Deno.rename(tmp, path);
}

/** Creates a new state folder atomically (built aside, then renamed). */
export async function createState(
  stateDir: string,
  root: CertificateAuthority,
  rootPem: string,
  state: ProjectState,
  passphrase: string | undefined,
): Promise<void> {
  const tmp = `${stateDir}.partial-${crypto.randomUUID()}`;
  await Deno.mkdir(tmp, { mode: 0o700 });
  try {
    await Deno.writeTextFile(`${tmp}/rootCA.pem`, rootPem, { mode: 0o644 });
    const keyPem = passphrase === undefined
      ? root.key.toPem()
      : await encryptPrivateKey(root.key, passphrase);
    await Deno.writeTextFile(`${tmp}/rootCA.key`, keyPem, { mode: 0o600 });
    await Deno.chmod(`${tmp}/rootCA.key`, 0o600);
    await Deno.writeTextFile(`${tmp}/project_state.json`, JSON.stringify(state, null, 2) + "\n", {
      mode: 0o600,
    });
    await Deno.rename(tmp, stateDir);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
}

/** Replaces project_state.json of an existing state folder. */
export async function saveState(stateDir: string, state: ProjectState): Promise<void> {
  await writeAtomic(`${stateDir}/project_state.json`, JSON.stringify(state, null, 2) + "\n", 0o600);
}
