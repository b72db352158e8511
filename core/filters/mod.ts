/**
 * Privacy filters of Stockade (`privacy-and-filters.md` §3–§8): the built-in value filters,
 * construction from `privacy.json` and job config entries, the filter-chain runner with provenance
 * and audit events, CSPRNG noise, and the per-job and per-scope privacy budget ledger.
 *
 * ```ts
 * import { BudgetLedger, createFilter, formatSpend, runFilterChain } from "./mod.ts";
 * const ledger = await BudgetLedger.open("workspace/privacy_budget.json");
 * const filters = [
 *   await createFilter({ name: "PercentilePrivacy", args: { percentile: 10 } }, { source: "site" }),
 * ];
 * const dxo = { kind: "WEIGHT_DIFF", data: { w: new Float64Array([0.1, -0.2]) }, meta: {} };
 * const { payload, events, spends } = await runFilterChain(filters, dxo, {
 *   chain: "task_result", side: "client", scope: "public", jobId: "job-1", ledger,
 * });
 * events.forEach((e) => console.log(e.message)); // applied filter: PercentilePrivacy@site on task_result
 * spends.forEach((s) => console.log(formatSpend(s)));
 * ```
 *
 * @module
 */
export {
  BudgetLedger,
  BudgetTransaction,
  formatSpend,
  type PrivacyBudget,
  type SpendRecord,
} from "./budget_ledger.ts";
export { checkPrivacyBudget } from "./check_privacy_budget.ts";
export {
  BUILT_IN_FILTERS,
  createFilter,
  type CreateFilterOptions,
  type FilterEntry,
  type FilterLogic,
  type FilterResolver,
  NVFLARE_FILTER_ALIASES,
} from "./create_filter.ts";
export { filterTaskPayload, type FilterTaskPayloadOptions } from "./filter_task_payload.ts";
export {
  buildJobFilterChains,
  type BuildJobFilterChainsOptions,
  filtersFor,
  type JobFilterChains,
  JobFilterError,
} from "./job_filter_chains.ts";
export {
  createSandboxedFilter,
  loadSandboxedFilter,
  type SandboxedFilter,
  type SandboxedFilterLogic,
  type SandboxedFilterOptions,
} from "./sandboxed_filter.ts";
export { PrivacyStore, type PrivacyStoreOptions } from "./privacy_store.ts";
export { type Dxo, type DxoValue, isDxo } from "./dxo.ts";
export { ExcludeVars } from "./exclude_vars.ts";
export type {
  ChainName,
  Filter,
  FilterContext,
  FilterDirection,
  FilterOutcome,
  Spend,
} from "./filter.ts";
export {
  FilterError,
  type FilterErrorCode,
  type FilterErrorOptions,
  type RefusalReason,
} from "./filter_error.ts";
export { GaussianPrivacy } from "./gaussian_privacy.ts";
export { gaussianSigma, LocalGaussianDP } from "./local_gaussian_dp.ts";
export { PercentilePrivacy } from "./percentile_privacy.ts";
export { type NoiseSource, RandomSource, type RandomWords } from "./random_source.ts";
export {
  type ChainResult,
  type FilterEvent,
  type ProvenanceEntry,
  runFilterChain,
  type RunFilterChainOptions,
} from "./run_filter_chain.ts";
export { SVTPrivacy, svtSplit } from "./svt_privacy.ts";
export {
  loadPrivacyPolicy,
  parsePrivacyPolicy,
  type PrivacyPolicy,
  PrivacyPolicyError,
  type PrivacyPolicyErrorCode,
  type PrivacyScope,
  scopeForJob,
} from "./privacy_policy.ts";
