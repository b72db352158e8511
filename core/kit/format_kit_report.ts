import type { KitReport } from "./kit_report.ts";

/** Formats a failed report the way every role prints it before exiting (`provisioning.md` §5). */
export function formatKitReport(report: KitReport): string {
  const who = report.participant ?? report.kitDir;
  if (report.ok) return `Startup kit of ${who} is intact`;
  const lines = [`Cannot start ${who}: startup kit integrity check failed`];
  for (const p of report.problems) {
    const status = p.status.padEnd(Math.max(19, p.status.length + 2));
    lines.push(`  ${status}${p.file}${p.detail ? `: ${p.detail}` : ""}`);
  }
  lines.push(
    "Files in startup/ are signed at provisioning and must not be edited; change local/ or re-provision.",
  );
  return lines.join("\n");
}
