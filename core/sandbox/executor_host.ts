/**
 * Entry point of an executor process (runs INSIDE the sandbox). Loads the job's executor module,
 * then answers `exec.task` frames on stdin with `exec.result` frames on stdout. Console output of
 * job code becomes `exec.log` frames, so it cannot corrupt the channel. Holds no credential.
 *
 * Usage (by `ExecutorProcess` only): `deno run <sandbox flags> executor_host.ts <module URL> [export]`
 *
 * @module
 */
import { EXEC, TO_EXECUTOR } from "./channel_kinds.ts";
import { decode, encode } from "../wire/mod.ts";
import { FrameReader } from "./frame_channel.ts";
import { hostChannel } from "./_host_channel.ts";

const { send, drain } = hostChannel((level, message) => EXEC.log.make({ level, message }));

/** What an executor module exports (default or `execute`). */
type ExecutorFn = (task: {
  name: string;
  data: unknown;
  context: Record<string, unknown>;
}) => unknown;

// The job module is imported with a computed specifier on purpose: Deno loads the entry script's
// statically analysable imports before permissions apply, and only run-time loads are checked.
const [moduleUrl, exportName = "default"] = Deno.args;
if (moduleUrl === undefined) throw new Error("executor_host needs the executor module URL");
const mod = await import(moduleUrl) as Record<string, unknown>;
const execute = mod[exportName] as ExecutorFn | undefined;
if (typeof execute !== "function") {
  throw new TypeError(`Executor module "${moduleUrl}" has no function export "${exportName}"`);
}

const reader = new FrameReader(Deno.stdin.readable);
for (;;) {
  const msg = await reader.next();
  if (msg === undefined) break;
  const task = TO_EXECUTOR.parse(msg);
  const taskId = task.task_id as string;
  try {
    const data = await execute({
      name: task.task_name as string,
      data: decode(task.payload as Uint8Array),
      context: task.context as Record<string, unknown>,
    });
    await send(EXEC.result.make({ payload: encode(data), task_id: taskId }));
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    await send(EXEC.result.make({
      task_id: taskId,
      error: { name: e.name.slice(0, 128), message: e.message.slice(0, 4096) },
    }));
  }
}
await drain();
