/** Machine-readable reasons a job is refused (`jobs.md` §2–4). */
export type JobErrorCode =
  | "JOB_META_MISSING"
  | "JOB_META_AMBIGUOUS"
  | "JOB_META_INVALID"
  | "DEPLOY_MAP_EMPTY"
  | "DEPLOY_MAP_ALL_MIXED"
  | "DEPLOY_MAP_NO_SERVER"
  | "DEPLOY_MAP_DUPLICATE_SITE"
  | "DEPLOY_MAP_SITE_INVALID"
  | "APP_NAME_INVALID"
  | "APP_MISSING"
  | "APP_SERVER_CONFIG_MISSING"
  | "APP_CLIENT_CONFIG_MISSING"
  | "MIN_CLIENTS_INVALID"
  | "MIN_CLIENTS_TOO_MANY"
  | "MANDATORY_CLIENT_MISSING"
  | "RESOURCE_SPEC_INVALID"
  | "SCOPE_INVALID"
  | "JOB_CONFIG_INVALID"
  | "JOB_FILTER_DUPLICATE"
  | "JOB_TOO_LARGE"
  | "JOB_PATH_INVALID"
  | "JOB_SIG_MISSING"
  | "JOB_SIG_UNLISTED"
  | "JOB_SIG_ENTRY_MISSING"
  | "JOB_SIG_INVALID"
  | "JOB_SIG_SIGNERS"
  | "JOB_SIG_CERT";

/** A job folder, its transfer form or its signatures break a rule of `jobs.md`. */
export class JobValidationError extends Error {
  override name = "JobValidationError";
  /** Why the job was refused. */
  readonly code: JobErrorCode;
  /** The job path concerned, when there is one. */
  readonly path?: string;

  constructor(
    code: JobErrorCode,
    message: string,
    options: { path?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
  }
}
