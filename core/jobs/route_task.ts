import type { ExecutorConfig } from "./validate_app_config.ts";

/**
 * Index of the executor entry that serves `task` (`jobs.md` §1): the entry listing the exact name,
 * else the first entry with a pattern containing `*` that matches (`*` = any characters), else
 * `undefined`.
 */
export function routeTask(executors: readonly ExecutorConfig[], task: string): number | undefined {
  const exact = executors.findIndex((e) => e.tasks.includes(task));
  if (exact >= 0) return exact;
  const idx = executors.findIndex((e) =>
    e.tasks.some((p) => p.includes("*") && globMatch(p, task))
  );
  return idx >= 0 ? idx : undefined;
}

function globMatch(pattern: string, s: string): boolean {
  const re = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(
    "[\\s\\S]*",
  );
  return new RegExp(`^${re}$`).test(s);
}
