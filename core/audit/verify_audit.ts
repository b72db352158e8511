import { chainHash, parseLine } from "./audit_line.ts";

/** The outcome of verifying a sequence of audit files. */
export type AuditVerdict =
  | { ok: true; lines: number; head: string; prev: string }
  | {
    ok: false;
    file: string;
    line: number;
    reason: "malformed_line" | "missing_hash" | "hash_mismatch" | "bad_start" | "chain_break";
  };

/**
 * Verifies audit files given oldest first (`audit.md` §3): every line well formed with a final
 * hash that recomputes, each file starting with `_audit_start` whose `prev` is `prev` (first file;
 * any value when omitted, reported back) or the previous file's last hash. A partial line followed
 * by `_audit_recover` is skipped. Requires read access to the files.
 */
export async function verifyAuditFiles(
  paths: string[],
  options: { prev?: string } = {},
): Promise<AuditVerdict> {
  let expectPrev = options.prev;
  let firstPrev = "";
  let head = "";
  let total = 0;
  for (const path of paths) {
    const text = await Deno.readTextFile(path);
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    const fail = (
      line: number,
      reason: Exclude<AuditVerdict, { ok: true }>["reason"],
    ): AuditVerdict => ({ ok: false, file: path, line, reason });
    let chain = "";
    for (let i = 0; i < lines.length; i++) {
      const parsed = parseLine(lines[i]!);
      if (typeof parsed === "string") {
        const next = lines[i + 1] ? parseLine(lines[i + 1]!) : undefined;
        const recovers = next && typeof next !== "string" && next.action === "_audit_recover";
        if (recovers && i > 0) continue; // a line cut by a crash, marked by the writer
        return fail(i + 1, parsed);
      }
      if (i === 0) {
        const m = /^prev=([0-9a-f]{64}) file=(.+)$/.exec(parsed.message);
        if (parsed.action !== "_audit_start" || !m || !/\[U:system\]/.test(parsed.text)) {
          return fail(1, "bad_start");
        }
        if (expectPrev !== undefined && m[1] !== expectPrev) return fail(1, "chain_break");
        if (paths[0] === path) firstPrev = m[1]!;
        chain = m[1]!;
      }
      if (chainHash(chain, parsed.text) !== parsed.hash) return fail(i + 1, "hash_mismatch");
      chain = parsed.hash;
      total++;
    }
    if (lines.length === 0) return fail(1, "bad_start");
    head = chain;
    expectPrev = chain;
  }
  return { ok: true, lines: total, head, prev: firstPrev };
}
