/** What a job process may touch (`resources-and-cc.md` §6). */
export interface SandboxGrant {
  /** Folders and files it may read: the job folder, data paths the privacy scope grants. */
  read: string[];
  /** Folders it may write: the job's run dir. */
  write: string[];
  /** V8 old-space cap in MiB. */
  heapMb: number;
}

/**
 * The exact `deno run` flags of a job process (`resources-and-cc.md` §6): net, env, run, ffi, sys
 * and import denied, no prompts, read and write only the granted paths, a heap cap, and no module loading
 * from the network: the module loader fetches remote and npm code even for a process without net
 * permission (and `--deny-import` alone does not stop the request), so `--no-remote --no-npm`
 * close that channel.
 */
export function sandboxFlags(grant: SandboxGrant): string[] {
  for (const p of [...grant.read, ...grant.write]) {
    if (p.includes(",") || p.length === 0) {
      throw new RangeError(`Cannot grant path "${p}": permission flags cannot express it`);
    }
    if (!p.startsWith("/")) throw new RangeError(`Cannot grant path "${p}": it must be absolute`);
  }
  if (!Number.isInteger(grant.heapMb) || grant.heapMb < 16) {
    throw new RangeError(`Heap cap "${grant.heapMb}" must be an integer of at least 16 MiB`);
  }
  const flags = [
    "--no-prompt",
    "--deny-net",
    "--deny-env",
    "--deny-run",
    "--deny-ffi",
    "--deny-sys",
    "--deny-import",
    "--no-remote",
    "--no-npm",
    "--cached-only",
    "--no-config",
    "--no-lock",
    // Job code has no need to compile strings: one less way to build code at run time.
    `--v8-flags=--max-old-space-size=${grant.heapMb},--disallow-code-generation-from-strings`,
  ];
  if (grant.read.length > 0) flags.push(`--allow-read=${grant.read.join(",")}`);
  if (grant.write.length > 0) flags.push(`--allow-write=${grant.write.join(",")}`);
  return flags;
}
