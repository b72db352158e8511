import assert from "node:assert/strict";
import { checkPrivacyBudget } from "./check_privacy_budget.ts";
import { FilterError } from "./filter_error.ts";

Deno.test("checkPrivacyBudget() accepts the spec's example and empty budgets", () => {
  const b = { max_epsilon_per_job: 8, max_epsilon_per_scope: 40, max_delta_per_job: 1e-5 };
  assert.deepEqual(checkPrivacyBudget(b), b);
  assert.deepEqual(checkPrivacyBudget({}), {});
});

Deno.test("checkPrivacyBudget() rejects non-positive limits, δ ≥ 1 and unknown keys", () => {
  const bad = [
    null,
    [],
    { max_epsilon_per_job: 0 },
    { max_epsilon_per_scope: -1 },
    { max_delta_per_job: 1 },
    { max_delta_per_scope: "1e-5" },
    { max_epsilon_per_job: Infinity },
    { max_epsilon: 1 },
  ];
  for (const v of bad) {
    assert.throws(
      () => checkPrivacyBudget(v),
      (e: unknown) => e instanceof FilterError && e.code === "PRIVACY_BUDGET",
      JSON.stringify(v),
    );
  }
});
