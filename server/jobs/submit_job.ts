import {
  checkJobPaths,
  type JobFile,
  JobValidationError,
  stripSignatures,
  validateJob,
  verifyJobFiles,
} from "../../core/jobs/mod.ts";
import { type Certificate, fingerprint as certFingerprint } from "../../core/pki/mod.ts";
import {
  type AuthorizationDecision,
  AuthorizationError,
  type AuthorizationRequest,
} from "../../policies/mod.ts";
import { ApiRefusal } from "../routes/api_refusal.ts";
import type { AuditSink } from "../server_context.ts";
import type { LiveSession } from "../sessions/session_registry.ts";
import type { JobRecord } from "./job_record.ts";
import type { JobStore, StoredFile } from "./job_store.ts";

/** What `submitJob()` needs from the server. */
export interface SubmitDeps {
  store: JobStore;
  audit: AuditSink;
  rootCa: Certificate;
  /** The server's own policy (`jobs.md` §5 step 3). */
  authorize: (request: AuthorizationRequest) => AuthorizationDecision;
  /** The server's org, the `o:site` of its policy. */
  siteOrg: string;
  maxJobBytes: number;
  /** True when the server runs a CC manager: BYOC is refused (`resources-and-cc.md` §7). */
  ccManager: boolean;
}

/** A `job.upload` message, decoded and schema-checked. */
export interface JobUpload {
  name: string;
  files: JobFile[];
  clone_of?: string;
}

/** Content of a job without its signature files, as comparable `path → bytes` pairs. */
function content(files: readonly JobFile[]): Map<string, Uint8Array> {
  return new Map(stripSignatures(files).map((f) => [f.path, f.data]));
}

function sameContent(a: readonly JobFile[], b: readonly JobFile[]): boolean {
  const x = content(a), y = content(b);
  if (x.size !== y.size) return false;
  for (const [path, data] of x) {
    const other = y.get(path);
    if (!other || other.length !== data.length || other.some((v, i) => v !== data[i])) {
      return false;
    }
  }
  return true;
}

/** Steps 2–7 of `jobs.md` §5 and the clone rule; throws `ApiRefusal` or `JobValidationError`. */
async function check(deps: SubmitDeps, session: LiveSession, upload: JobUpload) {
  checkJobPaths(upload.files);
  const user = { name: session.name, org: session.org, role: session.role ?? "" };
  const decision = deps.authorize({
    right: "submit_job",
    user,
    submitter: user,
    siteOrg: deps.siteOrg,
  });
  if (!decision.allowed) {
    const denial = AuthorizationError.notAuthorized(session.name, "submit_job");
    throw new ApiRefusal("NOT_AUTHORIZED", `Authorization Error: ${denial.message}`, 403);
  }
  const signer = await verifyJobFiles(upload.files, deps.rootCa);
  if (signer.name !== session.name || signer.org !== session.org || signer.role !== user.role) {
    throw new ApiRefusal(
      "JOB_SIGNER_MISMATCH",
      `job "${upload.name}" is signed by "${signer.name}" (${signer.org}, ${signer.role}), not by the logged-in user "${session.name}"`,
    );
  }
  const job = validateJob(upload.files, {
    folderName: upload.name,
    maxJobBytes: deps.maxJobBytes,
  });
  const byoc = Object.fromEntries([...job.apps.values()].map((a) => [a.name, a.byoc]));
  if (deps.ccManager && Object.values(byoc).some((b) => b)) {
    throw new ApiRefusal(
      "CC_BYOC_FORBIDDEN",
      "BYOC jobs are not allowed at a confidential-computing site",
    );
  }
  const clonedFrom = upload.clone_of;
  if (clonedFrom !== undefined) {
    if (!deps.store.get(clonedFrom)) {
      throw new ApiRefusal("JOB_NOT_FOUND", `no job "${clonedFrom}" to clone`, 404);
    }
    if (!sameContent(upload.files, await deps.store.files(clonedFrom))) {
      throw new ApiRefusal(
        "CLONE_MISMATCH",
        `the uploaded job differs from job "${clonedFrom}" it claims to clone`,
      );
    }
  }
  return { signer, job, byoc, clonedFrom };
}

/**
 * Submission at the server, in the order of `jobs.md` §5: paths, `submit_job` under the server's
 * policy, signatures against the server's root, signer = session user, meta and configs, CC, then
 * the job is stored under a new uuid4 with the submitter from the certificate. Every refusal is an
 * `ApiRefusal` with the spec's code, audited as `denied: <code>`; success is audited with the job
 * id and signer fingerprint.
 */
export async function submitJob(
  deps: SubmitDeps,
  session: LiveSession,
  upload: JobUpload,
): Promise<{ record: JobRecord; warnings: string[] }> {
  const action = `submit_job ${upload.name}`.slice(0, 100);
  let checked;
  try {
    checked = await check(deps, session, upload);
  } catch (err) {
    const refusal = err instanceof JobValidationError ? new ApiRefusal(err.code, err.message) : err;
    if (refusal instanceof ApiRefusal) {
      await deps.audit.addEvent({ user: session.name, action, msg: `denied: ${refusal.code}` });
    }
    throw refusal;
  }
  const { signer, job, byoc, clonedFrom } = checked;
  const fingerprint = certFingerprint(signer.certificate);
  const record: JobRecord = {
    job_id: crypto.randomUUID(),
    name: job.name,
    status: "SUBMITTED",
    submitter: { name: signer.name, org: signer.org, role: signer.role },
    signer: fingerprint,
    submit_time: Date.now(),
    byoc,
    ...(clonedFrom ? { cloned_from: clonedFrom } : {}),
    meta: { ...job.meta },
  };
  const stored: StoredFile[] = upload.files.map((f) => ({
    path: f.path,
    mode: f.mode,
    data: f.data,
  }));
  await deps.store.create(record, stored);
  await deps.audit.addEvent({
    user: session.name,
    action,
    msg: `job_id=${record.job_id} signer=${fingerprint}`,
  });
  return { record, warnings: job.warnings };
}
