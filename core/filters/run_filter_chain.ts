import type { BudgetLedger, PrivacyBudget, SpendRecord } from "./budget_ledger.ts";
import { isDxo } from "./dxo.ts";
import { FilterError } from "./filter_error.ts";
import type { ChainName, Filter, FilterContext, Spend } from "./filter.ts";
import { type NoiseSource, RandomSource } from "./random_source.ts";

/** An entry of `meta._filter_provenance` (`privacy-and-filters.md` §4). */
export interface ProvenanceEntry {
  filter: string;
  source: "site" | "job";
  chain: ChainName;
  direction: "in" | "out";
  scope: string;
  args_sha256: string;
  notes: string[];
}

/** One filter's audit event: `applied filter: …` or `skipped filter: …: <reason>`. */
export interface FilterEvent {
  type: "applied" | "skipped";
  filter: string;
  source: "site" | "job";
  chain: ChainName;
  reason?: string;
  /** The job audit line. */
  message: string;
}

/** Options of {@linkcode runFilterChain}. */
export interface RunFilterChainOptions {
  chain: ChainName;
  /** Which side runs the chain; with `chain` it fixes the default direction (§3). */
  side: "client" | "server";
  /** The direction of this run; the chain's default at `side` when omitted. */
  direction?: "in" | "out";
  scope: string;
  jobId: string;
  /** The task's reply code; `OK` when omitted. */
  replyCode?: string;
  /** Where spends are reserved and, on success, written durably. */
  ledger: BudgetLedger;
  /** The scope's `privacy_budget`; no limits when omitted. */
  budget?: PrivacyBudget;
  /** Noise for randomized filters; a CSPRNG source when omitted. */
  noise?: NoiseSource;
}

/** The fully filtered payload and what the caller audits. */
export interface ChainResult {
  payload: unknown;
  events: FilterEvent[];
  spends: SpendRecord[];
  /** Run-time warnings of the applied filters (their `warning: …` notes), to log. */
  warnings: string[];
}

const DEFAULT_DIRECTION = {
  client: { task_data: "in", task_result: "out" },
  server: { task_data: "out", task_result: "in" },
} as const;

// Codes a filter may raise itself; anything else thrown is a filter error of the chain.
const PASS_THROUGH = new Set(["CONTENT_BLOCKED", "UNSAFE_JOB", "PRIVACY_REFUSED"]);

/**
 * Runs `filters` in order (site scope filters first, then job filters) on `payload`, keeping those
 * whose direction matches this run. Either returns the fully filtered payload, with its budget
 * spends already written durably, or throws a `FilterError`: the filter's own `CONTENT_BLOCKED`,
 * `UNSAFE_JOB` or `PRIVACY_REFUSED`, else `TASK_DATA_FILTER_ERROR` / `TASK_RESULT_FILTER_ERROR`.
 * The input payload is never modified nor returned unfiltered.
 */
export async function runFilterChain(
  filters: readonly Filter[],
  payload: unknown,
  options: RunFilterChainOptions,
): Promise<ChainResult> {
  const { chain, scope } = options;
  const chainDefault = DEFAULT_DIRECTION[options.side][chain];
  const direction = options.direction ?? chainDefault;
  const errorCode = chain === "task_data" ? "TASK_DATA_FILTER_ERROR" : "TASK_RESULT_FILTER_ERROR";
  const tx = options.ledger.begin(scope, options.jobId, options.budget ?? {});
  const noise = options.noise ?? new RandomSource();
  const events: FilterEvent[] = [];
  const warnings: string[] = [];
  let current = payload;
  try {
    for (const f of filters) {
      const d = f.direction ?? chainDefault;
      if (d !== "inout" && d !== direction) continue;
      const label = `${f.name}@${f.source} on ${chain}`;
      const ctx: FilterContext = {
        chain,
        direction,
        scope,
        replyCode: options.replyCode ?? "OK",
        noise,
        spend: (s: Spend) => {
          if (
            !(Number.isFinite(s.epsilon) && s.epsilon >= 0 && Number.isFinite(s.delta) &&
              s.delta >= 0)
          ) {
            throw new TypeError(`Filter "${f.name}" reported an invalid spend`);
          }
          tx.reserve(f.name, s);
        },
      };
      let outcome;
      try {
        outcome = await f.process(current, ctx);
      } catch (err) {
        if (err instanceof FilterError && PASS_THROUGH.has(err.code)) throw err;
        const why = err instanceof Error ? err.message : String(err);
        throw new FilterError(errorCode, `Filter "${f.name}" failed on ${chain}: ${why}`, {
          filter: f.name,
          cause: err,
        });
      }
      if (outcome === null || typeof outcome !== "object" || typeof outcome.applied !== "boolean") {
        throw new FilterError(errorCode, `Filter "${f.name}" returned no outcome on ${chain}`, {
          filter: f.name,
        });
      }
      if (!outcome.applied) {
        events.push({
          type: "skipped",
          filter: f.name,
          source: f.source,
          chain,
          reason: outcome.reason,
          message: `skipped filter: ${label}: ${outcome.reason}`,
        });
        continue;
      }
      let next = outcome.payload;
      if (isDxo(next)) {
        const prior = next.meta._filter_provenance;
        const entry: ProvenanceEntry = {
          filter: f.name,
          source: f.source,
          chain,
          direction,
          scope,
          args_sha256: f.argsSha256,
          notes: [...outcome.notes],
        };
        next = {
          ...next,
          meta: {
            ...next.meta,
            _filter_provenance: [...(Array.isArray(prior) ? prior : []), entry],
          },
        };
      }
      current = next;
      for (const note of outcome.notes) {
        if (note.startsWith("warning: ")) warnings.push(`Filter "${f.name}": ${note.slice(9)}`);
      }
      events.push({
        type: "applied",
        filter: f.name,
        source: f.source,
        chain,
        message: `applied filter: ${label}`,
      });
    }
    let spends: SpendRecord[];
    try {
      spends = await tx.commit();
    } catch (err) {
      throw new FilterError(
        errorCode,
        `Privacy spends of ${chain} could not be written to "${options.ledger.path}": ${
          (err as Error).message
        }`,
        { cause: err },
      );
    }
    return { payload: current, events, spends, warnings };
  } finally {
    tx.release();
  }
}
