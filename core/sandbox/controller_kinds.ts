import { KindRegistry, s } from "../wire/mod.ts";

/**
 * Kinds on the server ↔ server-job-process channel (`wire-and-auth.md` §7). The controller runs in
 * the job process; the server relays its tasks to sites and each site's answer back, one by one,
 * so the controller can fold results in as they arrive.
 */
export const TO_CONTROLLER = new KindRegistry();
export const FROM_CONTROLLER = new KindRegistry();

const id = s.text({ minBytes: 1, maxBytes: 64 });
const site = s.text({ minBytes: 1, maxBytes: 63 });

export const CTL = {
  start: TO_CONTROLLER.define("ctl.start", {
    job_id: id,
    sites: s.array(site, { max: 100_000 }),
    args: s.record(s.any()),
  }),
  /** One site's answer to a task, or why it has none (`error`: dropped, refused, timed out). */
  result: TO_CONTROLLER.define("ctl.result", {
    payload: s.optional(s.bytes()),
    task_id: id,
    site,
    error: s.optional(s.text({ maxBytes: 4096 })),
  }),
  abort: TO_CONTROLLER.define("ctl.abort", { reason: s.text({ maxBytes: 4096 }) }),

  /** `payload`: the task data encoded once; the server sends these same bytes to every site. */
  broadcast: FROM_CONTROLLER.define("ctl.broadcast", {
    payload: s.bytes(),
    task_id: id,
    task_name: s.text({ minBytes: 1, maxBytes: 128 }),
    targets: s.array(site, { min: 1, max: 100_000 }),
    timeout_ms: s.int({ min: 1, max: 86_400_000 }),
  }),
  /** The controller stopped waiting for a task: later answers are dropped. */
  cancel: FROM_CONTROLLER.define("ctl.cancel", { task_id: id }),
  progress: FROM_CONTROLLER.define("ctl.progress", {
    round: s.int({ min: 0 }),
    total_rounds: s.int({ min: 0 }),
    metrics: s.optional(s.record(s.number())),
  }),
  finished: FROM_CONTROLLER.define("ctl.finished", {
    status: s.literal("completed", "failed"),
    result: s.optional(s.any()),
    reason: s.optional(s.text({ maxBytes: 4096 })),
  }),
  log: FROM_CONTROLLER.define("ctl.log", {
    level: s.literal("debug", "info", "warn", "error"),
    message: s.text({ maxBytes: 16 * 1024 }),
  }),
  /** An audit event the server writes for the job (`audit.md` §1: job processes never write). */
  audit: FROM_CONTROLLER.define("audit.event", {
    message: s.text({ maxBytes: 4096 }),
    task_name: s.optional(s.text({ maxBytes: 128 })),
    task_id: s.optional(id),
  }),
} as const;
