import { checkJobPaths } from "./check_job_paths.ts";
import type { JobFile } from "./job_file.ts";
import { JobValidationError } from "./job_validation_error.ts";

function refuse(path: string, detail: string): JobValidationError {
  return new JobValidationError(
    "JOB_PATH_INVALID",
    `job path "${path}" cannot be written: ${detail}`,
    {
      path,
    },
  );
}

/**
 * Writes a job file list under `dir` (created if missing) for deployment. Paths are checked first
 * (`jobs.md` §3), every folder is created one level at a time and must not already exist as a
 * symlink or file, and every file is created exclusively (`createNew`), which neither follows nor
 * overwrites a symlink or an existing file: nothing is written outside `dir`. Requires
 * `--allow-read` and `--allow-write` on `dir`.
 */
export async function writeJobFiles(dir: string, files: readonly JobFile[]): Promise<void> {
  checkJobPaths(files);
  await Deno.mkdir(dir, { recursive: true });
  const made = new Set<string>();
  for (const file of files) {
    const segments = file.path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join("/");
      if (made.has(folder)) continue;
      const abs = `${dir}/${folder}`;
      let info: Deno.FileInfo | undefined;
      try {
        info = await Deno.lstat(abs);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
      if (info === undefined) {
        await Deno.mkdir(abs);
      } else if (info.isSymlink || !info.isDirectory) {
        throw refuse(file.path, `"${folder}" exists and is not a folder`);
      }
      made.add(folder);
    }
    let handle: Deno.FsFile;
    try {
      handle = await Deno.open(`${dir}/${file.path}`, {
        write: true,
        createNew: true,
        mode: file.mode,
      });
    } catch (err) {
      if (err instanceof Deno.errors.AlreadyExists) throw refuse(file.path, "it already exists");
      throw err;
    }
    try {
      let off = 0;
      while (off < file.data.length) off += await handle.write(file.data.subarray(off));
    } finally {
      handle.close();
    }
  }
}
