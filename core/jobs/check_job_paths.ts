import type { JobFile } from "./job_file.ts";
import { JobValidationError } from "./job_validation_error.ts";

const utf8 = new TextEncoder();

// Comparison key: NFC (macOS file systems store decomposed forms) and a case fold that also
// catches characters like "ß"/"SS", so no file system can merge two distinct entries.
function fold(path: string): string {
  return path.normalize("NFC").toUpperCase().toLowerCase();
}

function bad(path: string, detail: string): JobValidationError {
  return new JobValidationError("JOB_PATH_INVALID", `job path "${path}" is invalid: ${detail}`, {
    path,
  });
}

/**
 * Checks the paths of a job file list (`jobs.md` §3): relative POSIX, segments of 1–255 bytes that
 * are not `.` or `..` and hold no `\` or NUL, whole path at most 4096 bytes, no duplicates (also
 * case-insensitively and across Unicode normal forms, so no file system can merge two entries),
 * and no path that is both a file and a folder prefix. Also checks that `mode` holds permission
 * bits only and `data` is bytes. Throws `JobValidationError` `JOB_PATH_INVALID` naming the first
 * offending path.
 */
export function checkJobPaths(files: readonly JobFile[]): void {
  const seen = new Map<string, string>();
  const folders = new Map<string, string>();
  for (const file of files) {
    const path: unknown = file?.path;
    if (typeof path !== "string") throw bad(String(path), "not a string");
    if (path === "") throw bad(path, "empty");
    if (path.startsWith("/")) throw bad(path, "absolute");
    if (path.includes("\\")) throw bad(path, "contains a backslash");
    if (path.includes("\0")) throw bad(path, "contains NUL");
    if (utf8.encode(path).length > 4096) throw bad(path, "longer than 4096 bytes");
    const segments = path.split("/");
    for (const seg of segments) {
      if (seg === "") throw bad(path, "has an empty segment");
      if (seg === "." || seg === "..") throw bad(path, `has a "${seg}" segment`);
      if (utf8.encode(seg).length > 255) throw bad(path, "has a segment longer than 255 bytes");
    }
    if (!Number.isInteger(file.mode) || file.mode < 0 || file.mode > 0o777) {
      throw bad(path, "mode is not permission bits");
    }
    if (!(file.data instanceof Uint8Array)) throw bad(path, "data is not bytes");
    const key = fold(path);
    const dup = seen.get(key);
    if (dup !== undefined) throw bad(path, `duplicates "${dup}"`);
    seen.set(key, path);
    for (let i = 1; i < segments.length; i++) {
      const prefix = segments.slice(0, i).join("/");
      if (!folders.has(fold(prefix))) folders.set(fold(prefix), prefix);
    }
  }
  for (const [key, path] of seen) {
    if (folders.has(key)) throw bad(path, "is both a file and a folder");
  }
}
