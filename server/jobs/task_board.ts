/** A task waiting for, or out at, one site. */
export interface BoardTask {
  jobId: string;
  taskId: string;
  taskName: string;
  /** Encoded once; the same bytes go to every site. */
  payload: Uint8Array;
  /** Unix ms after which the task is dropped. */
  deadline: number;
}

/**
 * Tasks per site (`transport.md` §5: sites pull, never listen). A posted task waits in each
 * target's queue until the site takes it with `task.get`, then stays "out" until its result comes
 * or it is cancelled or expires. Holds one payload per task, however many sites.
 */
export class TaskBoard {
  readonly #queued = new Map<string, BoardTask[]>();
  readonly #out = new Map<string, Map<string, BoardTask>>();
  readonly #onPost: (sites: string[]) => void;

  /** `onPost` learns which sites have new work (to wake their held polls). */
  constructor(onPost: (sites: string[]) => void = () => {}) {
    this.#onPost = onPost;
  }

  post(task: BoardTask, targets: string[]): void {
    for (const site of targets) {
      const q = this.#queued.get(site) ?? [];
      q.push(task);
      this.#queued.set(site, q);
    }
    this.#onPost(targets);
  }

  /** The next task for `site`, now counted as out; undefined when there is none. */
  take(site: string, now: number = Date.now()): BoardTask | undefined {
    const q = this.#queued.get(site);
    while (q && q.length > 0) {
      const task = q.shift()!;
      if (task.deadline <= now) continue;
      const out = this.#out.get(site) ?? new Map<string, BoardTask>();
      out.set(task.taskId, task);
      this.#out.set(site, out);
      return task;
    }
    return undefined;
  }

  /** Ends the task out at `site`; undefined when it was not out there (late, cancelled, forged). */
  finish(site: string, jobId: string, taskId: string): BoardTask | undefined {
    const out = this.#out.get(site);
    const task = out?.get(taskId);
    if (!task || task.jobId !== jobId) return undefined;
    out!.delete(taskId);
    return task;
  }

  /** Forgets a task everywhere (the controller stopped waiting for it). */
  cancel(taskId: string): void {
    for (const q of this.#queued.values()) {
      const i = q.findIndex((t) => t.taskId === taskId);
      if (i >= 0) q.splice(i, 1);
    }
    for (const out of this.#out.values()) out.delete(taskId);
  }

  /** Forgets every task of a job. */
  cancelJob(jobId: string): void {
    for (const [site, q] of this.#queued) {
      this.#queued.set(
        site,
        q.filter((t) => t.jobId !== jobId),
      );
    }
    for (const out of this.#out.values()) {
      for (const [id, t] of out) if (t.jobId === jobId) out.delete(id);
    }
  }

  /** Removes and returns tasks past their deadline, queued or out, with the site they were for. */
  expire(now: number = Date.now()): { site: string; task: BoardTask }[] {
    const gone: { site: string; task: BoardTask }[] = [];
    for (const [site, q] of this.#queued) {
      const keep = q.filter((t) => t.deadline > now || (gone.push({ site, task: t }), false));
      this.#queued.set(site, keep);
    }
    for (const [site, out] of this.#out) {
      for (const [id, t] of out) {
        if (t.deadline <= now) {
          out.delete(id);
          gone.push({ site, task: t });
        }
      }
    }
    return gone;
  }
}
