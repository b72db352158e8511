import type { GrepRequest } from "./_grep_worker.ts";
import { ShellError } from "./shell_error.ts";

const WORKER_URL = new URL("./_grep_worker.ts", import.meta.url);

/**
 * Runs `grepLines` in a worker and stops it after `timeMs`: a console user's pattern such as
 * `(a+)+$` can backtrack for hours, and in the role's own thread it would stop every other request.
 * A pattern over the limit is refused with `BAD_COMMAND_ARGS`, naming the pattern and the file.
 * The worker has the caller's permissions but runs only our matcher on bytes it is given.
 */
export function grepInWorker(
  bytes: Uint8Array,
  pattern: RegExp,
  flags: ReadonlySet<string>,
  file: string,
  timeMs: number,
): Promise<string> {
  const worker = new Worker(WORKER_URL, { type: "module", name: "grep" });
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new ShellError(
          "BAD_COMMAND_ARGS",
          `grep: pattern "${pattern.source}" took over ${timeMs} ms on "${file}" and was stopped; ` +
            "use a simpler pattern (nested repetition such as (a+)+ backtracks)",
        ),
      );
    }, timeMs);
    worker.onmessage = (e: MessageEvent<{ ok: boolean; text?: string; message?: string }>) => {
      clearTimeout(timer);
      if (e.data.ok) resolve(e.data.text ?? "");
      else reject(new Error(`grep failed on "${file}": ${e.data.message}`));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      clearTimeout(timer);
      reject(new Error(`grep failed on "${file}": ${e.message}`));
    };
    const request: GrepRequest = {
      bytes,
      source: pattern.source,
      regexFlags: pattern.flags,
      flags: [...flags],
    };
    worker.postMessage(request, [bytes.buffer as ArrayBuffer]);
  }).finally(() => worker.terminate());
}
