/** Machine-readable codes of filter failures (`privacy-and-filters.md` §1, §3, §8). */
export type FilterErrorCode =
  | "PRIVACY_FILTER"
  | "PRIVACY_BUDGET"
  | "PRIVACY_REFUSED"
  | "PRIVACY_LEDGER_INVALID"
  | "TASK_DATA_FILTER_ERROR"
  | "TASK_RESULT_FILTER_ERROR"
  | "CONTENT_BLOCKED"
  | "UNSAFE_JOB";

/**
 * Why a payload was refused (`PRIVACY_REFUSED`): the spec's non-float, kind, non-finite and budget
 * refusals, plus `num_steps` (bad `NUM_STEPS_CURRENT_ROUND`), `epsilon_split` (SVT split not > 0 or
 * not summing to ε) and `svt_passes` (SVT accepted fewer than c elements in 1000 passes).
 */
export type RefusalReason =
  | "non_float"
  | "kind"
  | "non_finite"
  | "budget_exhausted"
  | "num_steps"
  | "epsilon_split"
  | "svt_passes";

/** Options of {@linkcode FilterError}. */
export interface FilterErrorOptions {
  reason?: RefusalReason;
  /** The filter that failed, e.g. `PercentilePrivacy`. */
  filter?: string;
  /** The payload key concerned, if any. */
  key?: string;
  cause?: unknown;
}

/** A filter failure the chain runner and the policy loader turn into a refusal with `code`. */
export class FilterError extends Error {
  override name = "FilterError";
  readonly code: FilterErrorCode;
  readonly reason: RefusalReason | undefined;
  readonly filter: string | undefined;
  readonly key: string | undefined;

  constructor(code: FilterErrorCode, message: string, options: FilterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.reason = options.reason;
    this.filter = options.filter;
    this.key = options.key;
  }
}
