import assert from "node:assert/strict";
import { BudgetLedger, formatSpend } from "./budget_ledger.ts";
import { FilterError } from "./filter_error.ts";

async function tempLedger(): Promise<{ dir: string; path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "stockade_ledger_" });
  return { dir, path: `${dir}/privacy_budget.json` };
}

Deno.test("BudgetLedger() starts empty without a file and writes the §8 format on commit", async () => {
  const { dir, path } = await tempLedger();
  try {
    const ledger = await BudgetLedger.open(path);
    const tx = ledger.begin("private", "job-1", { max_epsilon_per_job: 8 });
    tx.reserve("LocalGaussianDP", { epsilon: 1, delta: 1e-5 });
    tx.reserve("SVTPrivacy", { epsilon: 2, delta: 0 });
    const records = await tx.commit();
    assert.deepEqual(records.map(formatSpend), [
      "privacy spend: filter=LocalGaussianDP epsilon=1 delta=0.00001 job_total=1 scope_total=1",
      "privacy spend: filter=SVTPrivacy epsilon=2 delta=0 job_total=3 scope_total=3",
    ]);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), {
      format_version: 1,
      scopes: {
        private: { epsilon: 3, delta: 1e-5, jobs: { "job-1": { epsilon: 3, delta: 1e-5 } } },
      },
    });
    // No temp file is left behind, and a reopened ledger has the same totals.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["privacy_budget.json"]);
    const again = await BudgetLedger.open(path);
    assert.deepEqual(again.totals("private", "job-1"), {
      job: { epsilon: 3, delta: 1e-5 },
      scope: { epsilon: 3, delta: 1e-5 },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("BudgetLedger() refuses a spend over any limit, with a relative tolerance of 1e-12", async () => {
  const { dir, path } = await tempLedger();
  try {
    const ledger = await BudgetLedger.open(path);
    const limits = {
      max_epsilon_per_job: 0.3,
      max_epsilon_per_scope: 0.8,
      max_delta_per_job: 1e-5,
    };
    const tx = ledger.begin("s", "j1", limits);
    // 0.1 + 0.2 = 0.30000000000000004 is within the tolerance of 0.3.
    tx.reserve("A", { epsilon: 0.1, delta: 0 });
    tx.reserve("A", { epsilon: 0.2, delta: 0 });
    assert.throws(
      () => tx.reserve("B", { epsilon: 1e-9, delta: 0 }),
      (e: unknown) =>
        e instanceof FilterError && e.code === "PRIVACY_REFUSED" &&
        e.reason === "budget_exhausted" &&
        /max_epsilon_per_job/.test(e.message),
    );
    assert.throws(() => tx.reserve("B", { epsilon: 0, delta: 2e-5 }), /max_delta_per_job/);
    await tx.commit();
    // A new job has its own job budget; the scope total keeps growing.
    const tx2 = ledger.begin("s", "j2", limits);
    tx2.reserve("A", { epsilon: 0.3, delta: 0 });
    tx2.reserve("A", { epsilon: 0.0, delta: 0 });
    await tx2.commit();
    const tx3 = ledger.begin("s", "j3", limits);
    tx3.reserve("A", { epsilon: 0.2, delta: 0 });
    assert.throws(() => tx3.reserve("A", { epsilon: 0.1, delta: 0 }), /max_epsilon_per_scope/);
    tx3.release();
    assert.deepEqual(ledger.totals("s", "j3").scope.epsilon, 0.6000000000000001);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("BudgetLedger() counts other chains' reserved spends until they are released", async () => {
  const { dir, path } = await tempLedger();
  try {
    const ledger = await BudgetLedger.open(path);
    const a = ledger.begin("s", "j", { max_epsilon_per_job: 1 });
    const b = ledger.begin("s", "j", { max_epsilon_per_job: 1 });
    a.reserve("A", { epsilon: 0.8, delta: 0 });
    assert.throws(() => b.reserve("B", { epsilon: 0.5, delta: 0 }), /budget|max_epsilon/);
    a.release();
    b.reserve("B", { epsilon: 0.5, delta: 0 });
    await b.commit();
    assert.equal(ledger.totals("s", "j").job.epsilon, 0.5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("BudgetLedger.open() throws PRIVACY_LEDGER_INVALID for an unreadable ledger", async () => {
  const { dir, path } = await tempLedger();
  try {
    const bad = [
      "{",
      "[]",
      '{"format_version": 2, "scopes": {}}',
      '{"format_version": 1}',
      '{"format_version": 1, "scopes": {"s": {"epsilon": -1, "delta": 0, "jobs": {}}}}',
      '{"format_version": 1, "scopes": {"s": {"epsilon": 1, "delta": 0}}}',
      '{"format_version": 1, "scopes": {"s": {"epsilon": 1, "delta": 0, "jobs": {"j": {"epsilon": "1", "delta": 0}}}}}',
      '{"format_version": 1, "scopes": {}, "extra": 1}',
    ];
    for (const text of bad) {
      await Deno.writeTextFile(path, text);
      await assert.rejects(
        BudgetLedger.open(path),
        (e: unknown) => e instanceof FilterError && e.code === "PRIVACY_LEDGER_INVALID",
        text,
      );
    }
    await Deno.remove(path);
    await Deno.mkdir(path);
    await assert.rejects(
      BudgetLedger.open(path),
      (e: unknown) => e instanceof FilterError && e.code === "PRIVACY_LEDGER_INVALID",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("BudgetTransaction.commit() keeps the totals when the write fails", async () => {
  const { dir } = await tempLedger();
  try {
    const ledger = await BudgetLedger.open(`${dir}/missing/privacy_budget.json`);
    const tx = ledger.begin("s", "j");
    tx.reserve("A", { epsilon: 1, delta: 0 });
    await assert.rejects(tx.commit(), Deno.errors.NotFound);
    assert.equal(ledger.totals("s", "j").job.epsilon, 0);
    const tx2 = ledger.begin("s", "j", { max_epsilon_per_job: 1 });
    tx2.reserve("A", { epsilon: 1, delta: 0 });
    tx2.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
