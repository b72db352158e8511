import { readJobFolder } from "./read_job_folder.ts";
import { DEFAULT_MAX_JOB_BYTES } from "./job_file.ts";
import { type ValidatedJob, validateJob, type ValidateJobOptions } from "./validate_job.ts";

/**
 * Reads a job folder from disk and validates it (`jobs.md` §1–2); the folder's base name is the
 * default job name. Signature files, if any, are read but not verified. Requires `--allow-read`.
 */
export async function loadJobFolder(
  dir: string,
  options: Omit<ValidateJobOptions, "folderName"> = {},
): Promise<ValidatedJob> {
  const files = await readJobFolder(dir, {
    maxBytes: options.maxJobBytes ?? DEFAULT_MAX_JOB_BYTES,
  });
  const folderName = dir.replace(/\/+$/, "").split("/").at(-1) ?? dir;
  return validateJob(files, { ...options, folderName });
}
