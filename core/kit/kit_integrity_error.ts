import { formatKitReport } from "./format_kit_report.ts";
import type { KitReport } from "./kit_report.ts";

/** The startup kit failed its integrity check; `report` lists every problem. */
export class KitIntegrityError extends Error {
  override name = "KitIntegrityError";
  /** Always `KIT_INTEGRITY`; the per-file statuses are in `report.problems`. */
  readonly code = "KIT_INTEGRITY";
  readonly report: KitReport;

  constructor(report: KitReport) {
    super(formatKitReport(report));
    this.report = report;
  }
}
