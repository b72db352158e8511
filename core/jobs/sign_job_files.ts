import { type PrivateKey, sign } from "../pki/mod.ts";
import { folderEntryBytes, folderTree, joinPath } from "./_folder_tree.ts";
import { checkJobPaths } from "./check_job_paths.ts";
import { CERT_FILE, type JobFile, RESERVED_PREFIX, SIG_FILE } from "./job_file.ts";
import { JobValidationError } from "./job_validation_error.ts";

/** The submitter's signing material. */
export interface JobSigner {
  /** The admin certificate PEM, copied byte for byte into every folder. */
  certificatePem: string;
  key: PrivateKey;
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * Signs a job file list the console's way (`jobs.md` §4), bottom-up: every folder, the root
 * included, gets `.__nvfl_submitter.crt` and `.__nvfl_sig.json` mapping each other entry to the
 * base64 signature of the file bytes, or for a subfolder of `dir:<name>\n` + SHA-256 of that
 * subfolder's `.__nvfl_sig.json`. Refuses names beginning with `.__nvfl_` (`JOB_PATH_INVALID`).
 * Returns the files (sorted by path) with the signature files added.
 */
export async function signJobFiles(
  files: readonly JobFile[],
  signer: JobSigner,
): Promise<JobFile[]> {
  checkJobPaths(files);
  for (const f of files) {
    if (f.path.split("/").some((seg) => seg.startsWith(RESERVED_PREFIX))) {
      throw new JobValidationError(
        "JOB_PATH_INVALID",
        `job path "${f.path}" uses the reserved prefix "${RESERVED_PREFIX}"`,
        { path: f.path },
      );
    }
  }
  const cert = new TextEncoder().encode(signer.certificatePem);
  const listings = new Map<string, Uint8Array>();
  const added: JobFile[] = [];
  for (const node of folderTree(files)) {
    // Null prototype, so an entry named __proto__ is kept as data.
    const sigs: Record<string, string> = Object.create(null);
    const names = [...node.files.keys(), ...node.dirs].sort();
    for (const name of names) {
      const file = node.files.get(name);
      const data = file !== undefined
        ? file.data
        : await folderEntryBytes(name, listings.get(joinPath(node.path, name)) as Uint8Array);
      sigs[name] = base64(await sign(signer.key, data));
    }
    const listing = new TextEncoder().encode(JSON.stringify(sigs, null, 1) + "\n");
    listings.set(node.path, listing);
    added.push(
      { path: joinPath(node.path, CERT_FILE), mode: 0o644, data: cert },
      { path: joinPath(node.path, SIG_FILE), mode: 0o644, data: listing },
    );
  }
  return [...files, ...added].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}
