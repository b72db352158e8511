import { checkJobPaths } from "./check_job_paths.ts";
import { type JobFile, MAX_JOB_FILES } from "./job_file.ts";
import { JobValidationError } from "./job_validation_error.ts";

/** Options of `readJobFolder()`. */
export interface ReadJobFolderOptions {
  /** Stop reading beyond this many files (default 10,000 plus room for signature files). */
  maxFiles?: number;
  /** Stop reading beyond this many bytes in total (default unlimited). */
  maxBytes?: number;
}

/**
 * Reads a job folder into its transfer form (`jobs.md` §3), sorted by path. Refuses symlinks and
 * special files (`JOB_PATH_INVALID`), since neither can be expressed nor signed, and stops early
 * with `JOB_TOO_LARGE` past the limits. Empty folders are not represented. Requires
 * `--allow-read` on `dir`.
 */
export async function readJobFolder(
  dir: string,
  options: ReadJobFolderOptions = {},
): Promise<JobFile[]> {
  // Signature files add two per folder; the content cap is checked by validateJob().
  const maxFiles = options.maxFiles ?? MAX_JOB_FILES * 3;
  const maxBytes = options.maxBytes ?? Infinity;
  const out: JobFile[] = [];
  let bytes = 0;
  const walk = async (rel: string): Promise<void> => {
    const abs = rel === "" ? dir : `${dir}/${rel}`;
    const names: string[] = [];
    for await (const entry of Deno.readDir(abs)) names.push(entry.name);
    names.sort();
    for (const name of names) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const info = await Deno.lstat(`${dir}/${path}`);
      if (info.isSymlink) {
        throw new JobValidationError("JOB_PATH_INVALID", `job path "${path}" is a symlink`, {
          path,
        });
      }
      if (info.isDirectory) {
        await walk(path);
      } else if (info.isFile) {
        if (out.length >= maxFiles) {
          throw new JobValidationError(
            "JOB_TOO_LARGE",
            `job folder "${dir}" has more than ${maxFiles} files`,
          );
        }
        bytes += info.size;
        if (bytes > maxBytes) {
          throw new JobValidationError(
            "JOB_TOO_LARGE",
            `job folder "${dir}" is larger than ${maxBytes} bytes`,
          );
        }
        const data = await Deno.readFile(`${dir}/${path}`);
        out.push({ path, mode: (info.mode ?? 0o644) & 0o777, data });
      } else {
        throw new JobValidationError(
          "JOB_PATH_INVALID",
          `job path "${path}" is not a regular file or folder`,
          { path },
        );
      }
    }
  };
  await walk("");
  checkJobPaths(out);
  return out;
}
