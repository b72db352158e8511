import { CERT_FILE, type JobFile, SIG_FILE } from "./job_file.ts";

/** The job's content without its signature files (`jobs.md` §5, clone). */
export function stripSignatures(files: readonly JobFile[]): JobFile[] {
  return files.filter((f) => {
    const base = f.path.slice(f.path.lastIndexOf("/") + 1);
    return base !== SIG_FILE && base !== CERT_FILE;
  });
}
