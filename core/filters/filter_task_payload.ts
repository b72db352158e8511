import type { AuditSink } from "../util/audit_sink.ts";
import { decode, encode } from "../wire/mod.ts";
import { type BudgetLedger, formatSpend } from "./budget_ledger.ts";
import type { ChainName } from "./filter.ts";
import { filtersFor, type JobFilterChains } from "./job_filter_chains.ts";
import { runFilterChain } from "./run_filter_chain.ts";

/** Where one encoded task payload is filtered, and who hears about it. */
export interface FilterTaskPayloadOptions {
  chains: JobFilterChains | undefined;
  chain: ChainName;
  side: "client" | "server";
  task: { jobId: string; taskName: string; taskId: string; scope?: string };
  ledger: BudgetLedger | undefined;
  audit: AuditSink;
  log: (level: "warn", message: string) => void;
}

/**
 * Filters one encoded task payload through the job's chain for that task (`privacy-and-filters.md`
 * §3–4, §8) and audits one event per applied or skipped filter and per spend. Bytes pass untouched
 * when no filter applies. Throws the chain's `FilterError`; the caller then sends nothing.
 */
export async function filterTaskPayload(
  bytes: Uint8Array,
  o: FilterTaskPayloadOptions,
): Promise<Uint8Array> {
  if (!o.chains) return bytes;
  const filters = filtersFor(o.chains, o.chain, o.task.taskName);
  if (filters.length === 0) return bytes;
  if (!o.ledger) throw new TypeError("no privacy budget ledger here");
  const result = await runFilterChain(filters, decode(bytes), {
    chain: o.chain,
    side: o.side,
    scope: o.task.scope ?? "",
    jobId: o.task.jobId,
    ledger: o.ledger,
    ...(o.chains.budget ? { budget: o.chains.budget } : {}),
  });
  for (const e of result.events) await o.audit.addJobEvent({ ...o.task, msg: e.message });
  for (const s of result.spends) await o.audit.addJobEvent({ ...o.task, msg: formatSpend(s) });
  for (const w of result.warnings) o.log("warn", `job ${o.task.jobId}: ${w}`);
  return encode(result.payload);
}
