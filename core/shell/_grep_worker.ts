// Runs one grep off the role's main thread, so a pattern that backtracks without end can be
// stopped (Worker.terminate) instead of freezing the server or site that serves the console.
import { grepLines } from "./grep_lines.ts";

/** What grep_in_worker.ts sends: the file's bytes (transferred), the pattern and the flags. */
export interface GrepRequest {
  bytes: Uint8Array;
  source: string;
  regexFlags: string;
  flags: string[];
}

const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent<GrepRequest>) => void) | null;
};

scope.onmessage = (e) => {
  const { bytes, source, regexFlags, flags } = e.data;
  try {
    scope.postMessage({
      ok: true,
      text: grepLines(bytes, { source, flags: regexFlags }, new Set(flags)),
    });
  } catch (err) {
    scope.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
