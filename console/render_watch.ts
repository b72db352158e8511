/** What `watch_job` shows of a job (the data of `get_job_meta`). */
export interface WatchedJob {
  job_id: string;
  name: string;
  status: string;
  failure?: string;
  sites?: Record<string, { status: string; reason?: string }>;
  progress?: { round: number; totalRounds: number; metrics?: Record<string, number> };
  tasks?: Record<string, { task: string; state: string }>;
}

/**
 * The watch display of a job: status and round on the first line, the latest metrics, then one
 * line per site with its deployment state and its current task. The same job renders the same
 * text, so a watcher redraws only on change.
 */
export function renderWatch(job: WatchedJob): string {
  const p = job.progress;
  const lines = [
    `job ${job.job_id} (${job.name}): ${job.status}` +
    (p ? `  round ${p.round}/${p.totalRounds}` : ""),
  ];
  if (p?.metrics && Object.keys(p.metrics).length > 0) {
    lines.push(
      `  metrics: ${
        Object.entries(p.metrics).map(([k, v]) => `${k}=${Number(v.toPrecision(6))}`).join(" ")
      }`,
    );
  }
  for (const [site, s] of Object.entries(job.sites ?? {}).sort(([a], [b]) => a < b ? -1 : 1)) {
    const t = job.tasks?.[site];
    lines.push(
      `  ${site}: ${s.status}${t ? `, task ${t.task} ${t.state}` : ""}${
        s.reason ? ` (${s.reason})` : ""
      }`,
    );
  }
  if (job.failure) lines.push(`  failure: ${job.failure}`);
  return lines.join("\n");
}
