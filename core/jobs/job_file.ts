/** One file of a job as it travels in `job.upload` (`jobs.md` §3). */
export interface JobFile {
  /** Relative POSIX path inside the job folder. */
  path: string;
  /** Permission bits (0–0o777); symlinks and special files cannot be expressed. */
  mode: number;
  /** File content. */
  data: Uint8Array;
}

/** Name of the signature listing in every signed folder (`jobs.md` §4). */
export const SIG_FILE = ".__nvfl_sig.json";
/** Name of the signer's certificate in every signed folder (`jobs.md` §4). */
export const CERT_FILE = ".__nvfl_submitter.crt";
/** Names beginning with this prefix are reserved for signatures. */
export const RESERVED_PREFIX = ".__nvfl_";
/** Most files a job may hold, signature files not counted. */
export const MAX_JOB_FILES = 10_000;
/** Default `max_job_bytes` (512 MiB). */
export const DEFAULT_MAX_JOB_BYTES = 536_870_912;
