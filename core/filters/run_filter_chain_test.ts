import assert from "node:assert/strict";
import fc from "fast-check";
import { BudgetLedger } from "./budget_ledger.ts";
import { createFilter, type FilterLogic } from "./create_filter.ts";
import type { Dxo } from "./dxo.ts";
import { FilterError } from "./filter_error.ts";
import type { Filter } from "./filter.ts";
import { runFilterChain, type RunFilterChainOptions } from "./run_filter_chain.ts";
import { RandomSource } from "./random_source.ts";
import { constNoise } from "./_test_util.ts";

async function withLedger(fn: (ledger: BudgetLedger, path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "stockade_chain_" });
  try {
    const path = `${dir}/privacy_budget.json`;
    await fn(await BudgetLedger.open(path), path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function payload(): Dxo {
  return {
    kind: "WEIGHT_DIFF",
    data: { "bn.w": new Float64Array([5]), w: new Float64Array([3, 4]) },
    meta: { NUM_STEPS_CURRENT_ROUND: 1 },
  };
}

function custom(logic: FilterLogic, source: "site" | "job" = "job"): Promise<Filter> {
  return createFilter({ path: "custom_mod.Custom" }, { source, resolve: () => logic });
}

function opts(
  ledger: BudgetLedger,
  extra: Partial<RunFilterChainOptions> = {},
): RunFilterChainOptions {
  return {
    chain: "task_result",
    side: "client",
    scope: "private",
    jobId: "job-1",
    ledger,
    noise: constNoise(0),
    ...extra,
  };
}

const LGDP = { clipping_norm: 2.5, sensitivity: 1, epsilon: 1, delta: 1e-5 };

Deno.test("runFilterChain() runs site then job filters, records provenance, events and spends", async () => {
  await withLedger(async (ledger, path) => {
    const filters = [
      await createFilter({ name: "ExcludeVars", args: { exclude_vars: "^bn\\." } }, {
        source: "site",
      }),
      await createFilter({ name: "LocalGaussianDP", args: LGDP }, { source: "site" }),
      await createFilter({
        path: "stockade.filters.PercentilePrivacy",
        args: { percentile: 0, gamma: 1.6 },
      }, {
        source: "job",
      }),
    ];
    const input = payload();
    const r = await runFilterChain(
      filters,
      input,
      opts(ledger, { budget: { max_epsilon_per_job: 8 } }),
    );
    const out = r.payload as Dxo;
    assert.deepEqual(Object.keys(out.data), ["w"]);
    assert.deepEqual([...out.data.w as Float64Array], [1.5, 1.6]);
    const prov = out.meta._filter_provenance as Record<string, unknown>[];
    assert.deepEqual(prov.map((p) => [p.filter, p.source, p.chain, p.direction, p.scope]), [
      ["ExcludeVars", "site", "task_result", "out", "private"],
      ["LocalGaussianDP", "site", "task_result", "out", "private"],
      ["PercentilePrivacy", "job", "task_result", "out", "private"],
    ]);
    assert.equal(prov[1]!.args_sha256, filters[1]!.argsSha256);
    assert.match(prov[1]!.args_sha256 as string, /^[0-9a-f]{64}$/);
    assert.deepEqual(r.events.map((e) => e.message), [
      "applied filter: ExcludeVars@site on task_result",
      "applied filter: LocalGaussianDP@site on task_result",
      "applied filter: PercentilePrivacy@job on task_result",
    ]);
    assert.equal(r.spends.length, 1);
    assert.equal(r.spends[0]!.jobEpsilon, 1);
    // Spends are on disk before the payload is returned; the input is untouched.
    assert.equal(JSON.parse(await Deno.readTextFile(path)).scopes.private.jobs["job-1"].epsilon, 1);
    assert.deepEqual(Object.keys(input.data), ["bn.w", "w"]);
    assert.deepEqual([...input.data.w as Float64Array], [3, 4]);
    assert.equal(input.meta._filter_provenance, undefined);
  });
});

Deno.test("runFilterChain() spends the svt_spend vector twice: 10 after two calls", async () => {
  await withLedger(async (ledger) => {
    const f = await createFilter({
      name: "SVTPrivacy",
      args: { epsilon: 2, epsilon_threshold: 0.5, epsilon_release: 3, fraction: 1 },
    }, { source: "site" });
    const o = opts(ledger, { budget: { max_epsilon_per_job: 10 }, noise: constNoise(1) });
    const r1 = await runFilterChain([f], payload(), o);
    const r2 = await runFilterChain([f], payload(), o);
    assert.equal(r1.spends[0]!.epsilon, 5);
    assert.equal(r2.spends[0]!.jobEpsilon, 10);
    await assert.rejects(
      runFilterChain([f], payload(), o),
      (e: unknown) => e instanceof FilterError && e.reason === "budget_exhausted",
    );
    assert.equal(ledger.totals("private", "job-1").job.epsilon, 10);
  });
});

Deno.test("runFilterChain() releases nothing and spends nothing when a later filter fails", async () => {
  await withLedger(async (ledger, path) => {
    const dp = await createFilter({ name: "LocalGaussianDP", args: LGDP }, { source: "site" });
    const failures: [FilterLogic, string][] = [
      [{
        name: "Boom",
        warnings: [],
        process: () => {
          throw new Error("boom");
        },
      }, "TASK_RESULT_FILTER_ERROR"],
      [{
        name: "Blocker",
        warnings: [],
        process: () => {
          throw new FilterError("CONTENT_BLOCKED", "Blocked");
        },
      }, "CONTENT_BLOCKED"],
      [{
        name: "Detector",
        warnings: [],
        process: () => {
          throw new FilterError("UNSAFE_JOB", "Unsafe");
        },
      }, "UNSAFE_JOB"],
      // A filter raising another module's code is still a filter error of the chain.
      [{
        name: "Odd",
        warnings: [],
        process: () => {
          throw new FilterError("PRIVACY_LEDGER_INVALID", "Odd");
        },
      }, "TASK_RESULT_FILTER_ERROR"],
    ];
    for (const [logic, code] of failures) {
      await assert.rejects(
        runFilterChain([dp, await custom(logic)], payload(), opts(ledger)),
        (e: unknown) => e instanceof FilterError && e.code === code,
      );
    }
    await assert.rejects(
      runFilterChain(
        [dp, await custom(failures[0]![0])],
        payload(),
        opts(ledger, { chain: "task_data", side: "server" }),
      ),
      (e: unknown) => e instanceof FilterError && e.code === "TASK_DATA_FILTER_ERROR",
    );
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
    assert.equal(ledger.totals("private", "job-1").job.epsilon, 0);
  });
});

Deno.test("runFilterChain() refuses non-float values with PRIVACY_REFUSED and the key", async () => {
  await withLedger(async (ledger) => {
    const f = await createFilter({ name: "PercentilePrivacy" }, { source: "site" });
    await assert.rejects(
      runFilterChain([f], { kind: "WEIGHTS", data: { n: 3 }, meta: {} }, opts(ledger)),
      (e: unknown) =>
        e instanceof FilterError && e.code === "PRIVACY_REFUSED" && e.reason === "non_float" &&
        e.key === "n",
    );
  });
});

Deno.test("runFilterChain() audits skips and honours directions", async () => {
  await withLedger(async (ledger) => {
    const pct = await createFilter({ name: "PercentilePrivacy" }, { source: "site" });
    const inOnly = await createFilter({
      name: "ExcludeVars",
      args: { exclude_vars: ["w"] },
      direction: "in",
    }, {
      source: "job",
    });
    const both = await createFilter({
      name: "ExcludeVars",
      args: { exclude_vars: ["bn.w"] },
      direction: "inout",
    }, {
      source: "job",
    });
    const r = await runFilterChain([pct, inOnly, both], {
      kind: "METRICS",
      data: { w: 1, "bn.w": 2 },
      meta: {},
    }, opts(ledger));
    assert.deepEqual(r.events.map((e) => e.message), [
      `skipped filter: PercentilePrivacy@site on task_result: DXO kind "METRICS" is not one of WEIGHTS, WEIGHT_DIFF`,
      "applied filter: ExcludeVars@job on task_result",
    ]);
    assert.deepEqual((r.payload as Dxo).data, { w: 1 });
    assert.deepEqual(r.warnings, []);
    // Client task_data defaults to "in": the in-only filter runs, with direction "in" in provenance.
    const d = await runFilterChain(
      [inOnly],
      { kind: "WEIGHTS", data: { w: 1 }, meta: {} },
      opts(ledger, { chain: "task_data" }),
    );
    assert.deepEqual((d.payload as Dxo).data, {});
    assert.equal(
      ((d.payload as Dxo).meta._filter_provenance as { direction: string }[])[0]!.direction,
      "in",
    );
  });
});

Deno.test("runFilterChain() surfaces filter warnings and rejects a malformed outcome", async () => {
  await withLedger(async (ledger) => {
    const none = await createFilter({ name: "ExcludeVars", args: { exclude_vars: "^zzz" } }, {
      source: "site",
    });
    const r = await runFilterChain([none], payload(), opts(ledger));
    assert.deepEqual(r.warnings, [`Filter "ExcludeVars": exclude_vars matched no key`]);
    const broken = await custom({
      name: "Broken",
      warnings: [],
      process: () => undefined as unknown as { applied: false; reason: string },
    });
    await assert.rejects(
      runFilterChain([broken], payload(), opts(ledger)),
      (e: unknown) => e instanceof FilterError && e.code === "TASK_RESULT_FILTER_ERROR",
    );
  });
});

Deno.test("runFilterChain() either throws a FilterError or returns new arrays with provenance", async () => {
  const value = fc.oneof(
    fc.double({ min: -10, max: 10, noNaN: true }),
    fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 8 })
      .map((a) => new Float64Array(a)),
    fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 8 })
      .map((a) => new Float32Array(a)),
    fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 4 })
      .map((a) => new Int16Array(a)),
  );
  const entry = fc.record({
    name: fc.constantFrom("PercentilePrivacy", "SVTPrivacy", "GaussianPrivacy", "LocalGaussianDP"),
    nonFloat: fc.constantFrom("refuse", "process"),
  });
  let released = 0;
  await withLedger(async (ledger) => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), value, { minKeys: 1, maxKeys: 4 }),
        fc.array(entry, { minLength: 1, maxLength: 3 }),
        async (data, entries) => {
          const filters = await Promise.all(entries.map((e) =>
            createFilter({
              name: e.name,
              args: {
                non_float: e.nonFloat,
                ...(e.name === "LocalGaussianDP" ? { ...LGDP, data_kinds: ["WEIGHTS"] } : {}),
                ...(e.name === "SVTPrivacy" ? { epsilon_release: 1 } : {}),
              },
            }, { source: "site" })
          ));
          const input: Dxo = { kind: "WEIGHTS", data, meta: {} };
          let r;
          try {
            r = await runFilterChain(filters, input, opts(ledger, { noise: new RandomSource() }));
          } catch (e) {
            assert.ok(e instanceof FilterError, String(e));
            return;
          }
          const out = r.payload as Dxo;
          assert.notEqual(out, input);
          for (const [k, v] of Object.entries(out.data)) {
            if (ArrayBuffer.isView(v)) {
              assert.notEqual(v.buffer, (input.data[k] as Float64Array).buffer);
            }
          }
          const prov = out.meta._filter_provenance as unknown[];
          assert.equal(prov.length, r.events.filter((e) => e.type === "applied").length);
          released++;
        },
      ),
      { numRuns: 100 },
    );
  });
  assert.ok(released > 10, `only ${released} payloads released`);
});
