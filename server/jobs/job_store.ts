import { isJobId } from "../../core/jobs/mod.ts";
import { FINAL_STATUSES, type JobRecord, type JobStatus } from "./job_record.ts";

/** A file of a stored job. */
export interface StoredFile {
  path: string;
  mode: number;
  data: Uint8Array;
}

/**
 * Jobs on the server's disk: `<root>/<job_id>/job.json` and `<root>/<job_id>/files/…`. Every write
 * is atomic (a new job is built in a staging folder and renamed into place; `job.json` is written
 * to a temporary file, synced and renamed), so a crash leaves either the old or the new state,
 * never half of one. Requires read and write access to `root`.
 */
export class JobStore {
  readonly #root: string;
  readonly #cache = new Map<string, JobRecord>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(root: string) {
    this.#root = root;
  }

  /**
   * Opens the store, removes staging left by a crash, and marks jobs that were dispatched or
   * running as failed: their controller state died with the previous server process.
   */
  static async open(root: string, now: number = Date.now()): Promise<JobStore> {
    await Deno.mkdir(root, { recursive: true });
    const store = new JobStore(root);
    for await (const entry of Deno.readDir(root)) {
      if (entry.name.startsWith(".staging-") || entry.name.startsWith(".deleted-")) {
        await Deno.remove(`${root}/${entry.name}`, { recursive: true });
        continue;
      }
      if (!entry.isDirectory || !isJobId(entry.name)) continue;
      for await (const f of Deno.readDir(`${root}/${entry.name}`)) {
        if (f.name.startsWith("job.json.tmp-")) {
          await Deno.remove(`${root}/${entry.name}/${f.name}`);
        }
      }
      let record: JobRecord;
      try {
        record = JSON.parse(await Deno.readTextFile(`${root}/${entry.name}/job.json`));
      } catch {
        // A job folder without a readable record was never completed: renamed folders always
        // carry one, so this is damage from outside; leave it for an operator to inspect.
        continue;
      }
      store.#cache.set(record.job_id, record);
      if (record.status === "DISPATCHED" || record.status === "RUNNING") {
        // Sites that ran it still hold it: "lost" until the scheduler has told them to end it.
        const sites = { ...record.sites };
        for (const [site, s] of Object.entries(sites)) {
          if (s.status === "running" || s.status === "deployed") sites[site] = { status: "lost" };
        }
        await store.update(record.job_id, {
          status: "FINISHED:EXECUTION_EXCEPTION",
          end_time: now,
          failure: "The server stopped while the job was running; submit it again",
          sites,
        });
      }
    }
    return store;
  }

  /** Stores a new job with its files; the record must be new. */
  create(record: JobRecord, files: StoredFile[]): Promise<void> {
    return this.#serial(async () => {
      if (!isJobId(record.job_id)) throw new TypeError(`Job id "${record.job_id}" is not a uuid4`);
      if (this.#cache.has(record.job_id)) {
        throw new TypeError(`Job "${record.job_id}" already exists`);
      }
      const staging = `${this.#root}/.staging-${record.job_id}`;
      await Deno.mkdir(`${staging}/files`, { recursive: true });
      try {
        for (const f of files) {
          // Paths were checked by the job validation (jobs.md §3); check again before writing.
          if (
            f.path.startsWith("/") ||
            f.path.split("/").some((s) => s === ".." || s === "" || s === ".")
          ) {
            throw new TypeError(`Job file path "${f.path}" is not a relative path`);
          }
          const target = `${staging}/files/${f.path}`;
          await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
          await Deno.writeFile(target, f.data, { mode: f.mode & 0o755, createNew: true });
        }
        await writeJsonAtomic(`${staging}/job.json`, record);
        await Deno.rename(staging, `${this.#root}/${record.job_id}`);
      } catch (err) {
        await Deno.remove(staging, { recursive: true }).catch(() => {});
        throw err;
      }
      this.#cache.set(record.job_id, structuredClone(record));
    });
  }

  /** Changes fields of a job's record; a final status cannot be left. */
  update(jobId: string, patch: Partial<Omit<JobRecord, "job_id">>): Promise<JobRecord> {
    return this.#serial(async () => {
      const current = this.#cache.get(jobId);
      if (!current) throw new TypeError(`No job "${jobId}"`);
      if (patch.status && FINAL_STATUSES.has(current.status) && patch.status !== current.status) {
        throw new TypeError(
          `Job "${jobId}" is ${current.status} and cannot become ${patch.status}`,
        );
      }
      const next = { ...current, ...patch, job_id: jobId };
      await writeJsonAtomic(`${this.#root}/${jobId}/job.json`, next);
      this.#cache.set(jobId, next);
      return structuredClone(next);
    });
  }

  /** Forgets a finished job and removes its folder (files, record, run folder). */
  delete(jobId: string): Promise<void> {
    return this.#serial(async () => {
      const current = this.#cache.get(jobId);
      if (!current) throw new TypeError(`No job "${jobId}"`);
      if (!FINAL_STATUSES.has(current.status)) {
        throw new TypeError(`Job "${jobId}" is ${current.status}; abort it first`);
      }
      // Out of sight first, so a crash mid-removal never leaves a half-deleted job listed.
      const trash = `${this.#root}/.deleted-${jobId}`;
      await Deno.rename(`${this.#root}/${jobId}`, trash);
      this.#cache.delete(jobId);
      await Deno.remove(trash, { recursive: true });
    });
  }

  get(jobId: string): JobRecord | undefined {
    const r = this.#cache.get(jobId);
    return r && structuredClone(r);
  }

  /** All jobs, oldest first. */
  list(): JobRecord[] {
    return [...this.#cache.values()].sort((a, b) => a.submit_time - b.submit_time)
      .map((r) => structuredClone(r));
  }

  /** Jobs with one of the statuses, oldest first. */
  withStatus(...statuses: JobStatus[]): JobRecord[] {
    return this.list().filter((r) => statuses.includes(r.status));
  }

  /** The folder holding a job's stored files (read only for everyone after `create()`). */
  filesDir(jobId: string): string {
    return `${this.#root}/${jobId}/files`;
  }

  /** The job's run folder on the server: its job process writes here, and its result lands here. */
  runDir(jobId: string): string {
    return `${this.#root}/${jobId}/run`;
  }

  /** The stored files of a job. */
  async files(jobId: string): Promise<StoredFile[]> {
    if (!this.#cache.has(jobId)) throw new TypeError(`No job "${jobId}"`);
    const base = `${this.#root}/${jobId}/files`;
    const out: StoredFile[] = [];
    const walk = async (dir: string, prefix: string) => {
      for await (const e of Deno.readDir(dir)) {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        if (e.isDirectory) await walk(`${dir}/${e.name}`, rel);
        else if (e.isFile) {
          const path = `${dir}/${e.name}`;
          out.push({
            path: rel,
            mode: ((await Deno.stat(path)).mode ?? 0o644) & 0o777,
            data: await Deno.readFile(path),
          });
        }
      }
    };
    await walk(base, "");
    return out.sort((a, b) => a.path < b.path ? -1 : 1);
  }

  /** Runs store changes one at a time, so records never interleave. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
  try {
    const bytes = new TextEncoder().encode(JSON.stringify(value, null, 2) + "\n");
    for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(tmp, path);
}
