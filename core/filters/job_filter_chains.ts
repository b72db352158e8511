import type { AppConfig } from "../jobs/mod.ts";
import type { PrivacyBudget } from "./budget_ledger.ts";
import { createFilter, type FilterResolver } from "./create_filter.ts";
import type { ChainName, Filter } from "./filter.ts";
import type { PrivacyScope } from "./privacy_policy.ts";

/**
 * A job's filter chains at one site or at the server, fixed when the job deploys
 * (`privacy-and-filters.md` §2–3): the scope's filters, then the job's filters for the tasks they
 * name, and the scope's budget.
 */
export interface JobFilterChains {
  site: { taskData: readonly Filter[]; taskResult: readonly Filter[] };
  job: readonly { chain: ChainName; tasks: readonly string[]; filters: readonly Filter[] }[];
  budget?: PrivacyBudget;
  /** Stops the sandbox workers of job-code filters. */
  close(): void;
}

/** Why the job's filters cannot be built; the site refuses the job with `code`. */
export class JobFilterError extends Error {
  override name = "JobFilterError";
  constructor(readonly code: "JOB_CONFIG_INVALID", message: string) {
    super(message);
  }
}

/** Options of {@linkcode buildJobFilterChains}. */
export interface BuildJobFilterChainsOptions {
  /** The app config (client or server) whose `task_data_filters`/`task_result_filters` apply. */
  config: AppConfig;
  scope: PrivacyScope | undefined;
  /**
   * Builds a filter whose code is in the job's `custom/` (in its own no-permission sandbox);
   * without it, such a path is an unknown filter. Closed through `close()`.
   */
  jobCode?: FilterResolver;
}

/**
 * Builds a job's chains now, so a bad job filter refuses the job at deployment rather than failing
 * mid-job. Undefined when neither the scope nor the job has filters.
 */
export async function buildJobFilterChains(
  options: BuildJobFilterChainsOptions,
): Promise<JobFilterChains | undefined> {
  const { config, scope } = options;
  const job: { chain: ChainName; tasks: string[]; filters: Filter[] }[] = [];
  const closers: (() => void)[] = [];
  const resolve: FilterResolver | undefined = options.jobCode &&
    (async (path, args) => {
      const logic = await options.jobCode!(path, args);
      const close = (logic as { close?: () => void } | undefined)?.close;
      if (close) closers.push(() => close.call(logic));
      return logic;
    });
  const close = () => closers.splice(0).forEach((c) => c());
  try {
    for (const chain of ["task_data", "task_result"] as const) {
      for (const [i, entry] of config[`${chain}_filters`].entries()) {
        const built = [];
        for (const [j, f] of entry.filters.entries()) {
          try {
            built.push(
              await createFilter(f, {
                source: "job",
                ...(entry.direction ? { direction: entry.direction } : {}),
                ...(resolve ? { resolve } : {}),
              }),
            );
          } catch (err) {
            throw new JobFilterError(
              "JOB_CONFIG_INVALID",
              `${chain}_filters[${i}].filters[${j}]: ${err instanceof Error ? err.message : err}`,
            );
          }
        }
        job.push({ chain, tasks: entry.tasks, filters: built });
      }
    }
  } catch (err) {
    close();
    throw err;
  }
  if (!scope && job.length === 0) return undefined;
  return {
    site: { taskData: scope?.taskDataFilters ?? [], taskResult: scope?.taskResultFilters ?? [] },
    job,
    ...(scope?.budget ? { budget: scope.budget } : {}),
    close,
  };
}

/** The filters of `chains` for one task on one chain, in order: the scope's, then the job's. */
export function filtersFor(
  chains: JobFilterChains,
  chain: ChainName,
  taskName: string,
): Filter[] {
  return [
    ...(chain === "task_data" ? chains.site.taskData : chains.site.taskResult),
    ...chains.job.filter((j) => j.chain === chain && j.tasks.includes(taskName))
      .flatMap((j) => j.filters),
  ];
}
