import { KindRegistry, s } from "../wire/mod.ts";

/**
 * Kinds on the parent ↔ executor channel (`wire-and-auth.md` §7). The parent accepts from an
 * executor only what `FROM_EXECUTOR` defines; anything else ends the process.
 */
export const TO_EXECUTOR = new KindRegistry();
export const FROM_EXECUTOR = new KindRegistry();

const taskId = s.text({ minBytes: 1, maxBytes: 64 });

export const EXEC = {
  /** `payload`: the task data, CBOR-encoded once upstream and relayed unchanged. */
  task: TO_EXECUTOR.define("exec.task", {
    payload: s.bytes(),
    task_id: taskId,
    task_name: s.text({ minBytes: 1, maxBytes: 128 }),
    context: s.record(s.any()),
  }),
  result: FROM_EXECUTOR.define("exec.result", {
    payload: s.optional(s.bytes()),
    task_id: taskId,
    /** Set when the executor threw: its error class and message. */
    error: s.optional(
      s.object({ name: s.text({ maxBytes: 128 }), message: s.text({ maxBytes: 4096 }) }),
    ),
  }),
  log: FROM_EXECUTOR.define("exec.log", {
    level: s.literal("debug", "info", "warn", "error"),
    message: s.text({ maxBytes: 16 * 1024 }),
  }),
} as const;
