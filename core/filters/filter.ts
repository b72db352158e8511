import type { NoiseSource } from "./random_source.ts";

/** Direction of a filter entry (`privacy-and-filters.md` §1, §3). */
export type FilterDirection = "in" | "out" | "inout";

/** The two filter chains. */
export type ChainName = "task_data" | "task_result";

/** A privacy spend (ε, δ) of one filter call. */
export interface Spend {
  epsilon: number;
  delta: number;
}

/** What a filter sees of the chain it runs in. */
export interface FilterContext {
  chain: ChainName;
  direction: "in" | "out";
  scope: string;
  /** The task's reply code; value filters skip payloads whose code is not `OK`. */
  replyCode: string;
  noise: NoiseSource;
  /**
   * Reports a budgeted spend before any output exists; throws `PRIVACY_REFUSED`
   * (`budget_exhausted`) when the job or scope budget cannot cover it.
   */
  spend(spend: Spend): void;
}

/** What a filter did: a new payload with provenance notes, or a skip with its reason. */
export type FilterOutcome =
  | { applied: true; payload: unknown; notes: string[] }
  | { applied: false; reason: string };

/**
 * A constructed filter. `process` MUST NOT modify its input: the chain runner relies on that to
 * never release a half-filtered payload.
 */
export interface Filter {
  /** The filter's name in audit lines and provenance, e.g. `PercentilePrivacy`. */
  readonly name: string;
  /** Where the entry came from: the site's privacy policy or the job's config. */
  readonly source: "site" | "job";
  /** The entry's direction; undefined means the chain's default. */
  readonly direction: FilterDirection | undefined;
  /** SHA-256 (hex) of the entry's `args` as canonical JSON. */
  readonly argsSha256: string;
  /** Warnings found at construction (e.g. `sigma0 = 0`), for the loader to log. */
  readonly warnings: readonly string[];
  process(payload: unknown, ctx: FilterContext): FilterOutcome | Promise<FilterOutcome>;
}
