/**
 * Where a site process writes audit events (`audit.md` §7); each call returns the new event's id,
 * which the peer's matching event carries as `R`. The file writer of `core/audit/` implements it.
 */
export interface AuditSink {
  addEvent(e: { user: string; action: string; ref?: string; msg?: string }): Promise<string>;
  addJobEvent(e: {
    jobId: string;
    scope?: string;
    taskName?: string;
    taskId?: string;
    ref?: string;
    msg?: string;
  }): Promise<string>;
}
