/** Lifecycle of a job on the server (NVFlare's status names). */
export const JOB_STATUSES = [
  "SUBMITTED",
  "DISPATCHED",
  "RUNNING",
  "FINISHED:COMPLETED",
  "FINISHED:ABORTED",
  "FINISHED:EXECUTION_EXCEPTION",
  "FAILED_TO_RUN",
] as const;

export type JobStatus = typeof JOB_STATUSES[number];

/** Statuses a job never leaves. */
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set([
  "FINISHED:COMPLETED",
  "FINISHED:ABORTED",
  "FINISHED:EXECUTION_EXCEPTION",
  "FAILED_TO_RUN",
]);

/** The identity of a submitter, from the verified job signature (`jobs.md` §4). */
export interface Submitter {
  name: string;
  org: string;
  role: string;
}

/** What the server keeps about one job (`<workspace>/jobs/<job_id>/job.json`). */
export interface JobRecord {
  job_id: string;
  name: string;
  status: JobStatus;
  submitter: Submitter;
  /** Fingerprint of the signing certificate. */
  signer: string;
  /** Unix ms. */
  submit_time: number;
  start_time?: number;
  end_time?: number;
  /** Per app: whether it carries custom code. */
  byoc: Record<string, boolean>;
  cloned_from?: string;
  /** Why the job failed or was refused, for people. */
  failure?: string;
  /** Per-site outcome of deployment and of the run. */
  sites?: Record<string, { status: string; reason?: string }>;
  /** The controller's last progress report (round, metrics). */
  progress?: { round: number; totalRounds: number; metrics?: Record<string, number> };
  /** The validated meta, as submitted (system keys removed). */
  meta: Record<string, unknown>;
}
