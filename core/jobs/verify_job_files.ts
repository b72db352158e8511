import {
  type Certificate,
  CertificateError,
  checkCertificate,
  hasDigitalSignature,
  parseCertificate,
  readIdentity,
  verifySignature,
} from "../pki/mod.ts";
import { folderEntryBytes, folderTree, joinPath } from "./_folder_tree.ts";
import { checkJobPaths } from "./check_job_paths.ts";
import { CERT_FILE, type JobFile, SIG_FILE } from "./job_file.ts";
import { JobValidationError } from "./job_validation_error.ts";

/** The verified submitter of a job: the signing certificate's identity (`jobs.md` §4). */
export interface JobSubmitter {
  /** Certificate CN (the admin's email). */
  name: string;
  /** Certificate O. */
  org: string;
  /** Certificate unstructuredName. */
  role: string;
  certificate: Certificate;
  /** Root entries listed but absent, tolerated in `partial` mode (other apps' folders). */
  omitted: string[];
}

/** Options of `verifyJobFiles()`. */
export interface VerifyJobFilesOptions {
  /**
   * A client's copy (`jobs.md` §6 step 2): entries listed in the root's `.__nvfl_sig.json` may be
   * absent, since the client only receives the root files and its own app. Meta file names stay
   * required, and every folder present must be complete.
   */
  partial?: boolean;
  /** Time of the certificate check (default now). */
  at?: Date;
}

const META_FILES = new Set(["meta.json", "meta.yml", "meta.yaml"]);

function decodeBase64(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return undefined;
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Verifies a signed job file list (`jobs.md` §4) against the verifier's own root CA: every
 * folder has both signature files, all certificates are the same bytes, the certificate chains to
 * `rootCa`, is valid now, is no CA, has KeyUsage digitalSignature, EKU clientAuth, an O and a role;
 * every entry is listed, every listed entry present (see `partial`), and every signature verifies,
 * subfolders through the SHA-256 of their listing so content cannot be swapped in from another job.
 * Returns the submitter, or throws `JobValidationError` with a `JOB_SIG_*` code.
 */
export async function verifyJobFiles(
  files: readonly JobFile[],
  rootCa: Certificate,
  options: VerifyJobFilesOptions = {},
): Promise<JobSubmitter> {
  checkJobPaths(files);
  const tree = folderTree(files);
  const byPath = new Map(tree.map((n) => [n.path, n]));
  const fail = (
    code: ConstructorParameters<typeof JobValidationError>[0],
    msg: string,
    path: string,
  ) => new JobValidationError(code, msg, { path });

  for (const node of tree) {
    for (const name of [SIG_FILE, CERT_FILE]) {
      if (!node.files.has(name)) {
        throw fail(
          "JOB_SIG_MISSING",
          `job folder "${node.path || "."}" has no "${name}"`,
          joinPath(node.path, name),
        );
      }
    }
  }
  const root = tree.at(-1);
  const certBytes = root?.files.get(CERT_FILE)?.data as Uint8Array;
  for (const node of tree) {
    const other = node.files.get(CERT_FILE)?.data as Uint8Array;
    if (other.length !== certBytes.length || other.some((b, i) => b !== certBytes[i])) {
      throw fail(
        "JOB_SIG_SIGNERS",
        `job folder "${node.path || "."}" is signed by another certificate than the job root`,
        joinPath(node.path, CERT_FILE),
      );
    }
  }

  const certError = (detail: string) =>
    fail("JOB_SIG_CERT", `job signer certificate is refused: ${detail}`, CERT_FILE);
  let cert: Certificate;
  try {
    cert = parseCertificate(new TextDecoder().decode(certBytes));
    await checkCertificate(cert, rootCa, {
      usage: "clientAuth",
      ...(options.at ? { at: options.at } : {}),
    });
  } catch (err) {
    if (err instanceof CertificateError) throw certError(err.message);
    throw err;
  }
  let identity;
  try {
    identity = readIdentity(cert);
  } catch (err) {
    throw certError(err instanceof Error ? err.message : String(err));
  }
  if (!identity.org) throw certError(`certificate "${cert.subject}" has no O`);
  if (!identity.role) throw certError(`certificate "${cert.subject}" has no role`);
  if (!hasDigitalSignature(cert)) {
    throw certError(`certificate "${cert.subject}" lacks KeyUsage digitalSignature`);
  }

  const omitted: string[] = [];
  for (const node of tree) {
    const sigPath = joinPath(node.path, SIG_FILE);
    const listing = node.files.get(SIG_FILE)?.data as Uint8Array;
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(listing));
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw fail("JOB_SIG_INVALID", `signature file "${sigPath}" is not a JSON object`, sigPath);
    }
    const listed = new Map(Object.entries(parsed));
    const present = [...node.files.keys()].filter((n) => n !== SIG_FILE && n !== CERT_FILE)
      .concat([...node.dirs]);
    for (const name of present) {
      if (!listed.has(name)) {
        const path = joinPath(node.path, name);
        throw fail("JOB_SIG_UNLISTED", `job entry "${path}" is not listed in "${sigPath}"`, path);
      }
    }
    for (const [name, value] of listed) {
      const path = joinPath(node.path, name);
      const file = node.files.get(name);
      const isDir = node.dirs.has(name);
      if (file === undefined && !isDir) {
        if (options.partial && node.path === "" && !META_FILES.has(name)) {
          omitted.push(name);
          continue;
        }
        throw fail("JOB_SIG_ENTRY_MISSING", `job entry "${path}" is listed but absent`, path);
      }
      const sig = typeof value === "string" ? decodeBase64(value) : undefined;
      const data = file !== undefined ? file.data : await folderEntryBytes(
        name,
        byPath.get(path)?.files.get(SIG_FILE)?.data as Uint8Array,
      );
      if (sig === undefined || !(await verifySignature(cert, data, sig))) {
        throw fail("JOB_SIG_INVALID", `signature of job entry "${path}" does not verify`, path);
      }
    }
  }
  return {
    name: identity.name,
    org: identity.org,
    role: identity.role,
    certificate: cert,
    omitted: omitted.sort(),
  };
}
