/** Audit events per second through SiteAuditor, with its fsync policy (at least once a second). */
import { SiteAuditor } from "../core/audit/mod.ts";
import type { BenchRow } from "./_report.ts";

export default async function auditBench(): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "stockade_audit_bench_" });
  try {
    const a = await SiteAuditor.open(dir);
    const n = 50_000;
    const t0 = performance.now();
    // Concurrent callers, as route handlers are: 100 in flight at a time.
    for (let i = 0; i < n; i += 100) {
      await Promise.all(
        Array.from(
          { length: 100 },
          (_, k) =>
            a.addEvent({ user: "lead@org-a.example", action: `list_jobs ${i + k}`, msg: "ok" }),
        ),
      );
    }
    await a.close();
    const secs = (performance.now() - t0) / 1000;
    return [{
      group: "audit",
      name: "SiteAuditor.addEvent, 100 concurrent callers",
      value: n / secs,
      unit: "events/s",
      ratio: n / secs / 20_000,
      note: "vs goal 20,000/s",
    }];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
