import assert from "node:assert/strict";
import fc from "fast-check";
import { Tensor } from "../wire/mod.ts";
import type { Dxo } from "./dxo.ts";
import { FilterError } from "./filter_error.ts";
import { PercentilePrivacy } from "./percentile_privacy.ts";
import { constNoise, testContext } from "./_test_util.ts";
import { percentile } from "./_percentile.ts";

const ctx = testContext(constNoise());

function sortedPercentile(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  const h = (v.length - 1) * (p / 100);
  const lo = Math.floor(h);
  const t = h - lo;
  const hi = Math.min(lo + 1, v.length - 1);
  const d = v[hi]! - v[lo]!;
  return t >= 0.5 ? v[hi]! - d * (1 - t) : v[lo]! + d * t;
}

Deno.test("percentile() equals the sort-based numpy linear percentile", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(1)), {
        minLength: 1,
        maxLength: 300,
      }),
      fc.double({ min: 0, max: 100, noNaN: true }),
      (values, p) => {
        assert.equal(percentile(new Float64Array(values), p), sortedPercentile(values, p));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("PercentilePrivacy() writes float32 back as float32 and keeps tensor shapes", () => {
  const out = new PercentilePrivacy({ percentile: 50, gamma: 0.25 }).process({
    kind: "WEIGHTS",
    data: { w: new Tensor([2, 2], new Float32Array([0.1, -0.2, 0.3, -0.4])) },
    meta: {},
  }, ctx);
  assert.ok(out.applied);
  const t = (out.payload as Dxo).data.w as Tensor;
  assert.ok(t.data instanceof Float32Array);
  assert.deepEqual(t.shape, [2, 2]);
  assert.deepEqual([...t.data], [0, 0, 0.25, -0.25]);
});

Deno.test("PercentilePrivacy() skips bad reply codes, non-DXOs, empty data and other kinds", () => {
  const f = new PercentilePrivacy();
  const w = { w: new Float64Array([1]) };
  const cases: [unknown, string, RegExp][] = [
    [{ kind: "WEIGHTS", data: w, meta: {} }, "EXECUTION_EXCEPTION", /reply code/],
    [new Float64Array([1]), "OK", /not a DXO/],
    [{ kind: "WEIGHTS", data: {}, meta: {} }, "OK", /empty/],
    [{ kind: "METRICS", data: w, meta: {} }, "OK", /kind "METRICS"/],
  ];
  for (const [payload, code, why] of cases) {
    const out = f.process(payload, testContext(constNoise(), [], code));
    assert.ok(!out.applied);
    assert.match(out.reason, why);
  }
});

Deno.test("PercentilePrivacy() refuses a bad NUM_STEPS_CURRENT_ROUND", () => {
  for (const t of [0, -1, 1.5, "2", null]) {
    assert.throws(
      () =>
        new PercentilePrivacy().process({
          kind: "WEIGHTS",
          data: { w: new Float64Array([1]) },
          meta: { NUM_STEPS_CURRENT_ROUND: t },
        }, ctx),
      (e: unknown) => e instanceof FilterError && e.reason === "num_steps",
    );
  }
});

Deno.test("PercentilePrivacy() converts integer arrays with process and always refuses 64-bit ones", () => {
  const f = new PercentilePrivacy({ percentile: 0, gamma: 10, non_float: "process" });
  const out = f.process({
    kind: "WEIGHTS",
    data: { i: new Int32Array([1, -2]), t: new Tensor([2], new Uint8Array([3, 4])) },
    meta: {},
  }, ctx);
  assert.ok(out.applied);
  const d = (out.payload as Dxo).data;
  assert.ok(d.i instanceof Float64Array);
  assert.deepEqual([...d.i], [1, -2]);
  assert.ok(d.t instanceof Tensor && d.t.data instanceof Float64Array);
  assert.ok(out.notes.some((n) => n.includes("converted i from Int32Array")));
  for (const big of [new BigInt64Array(1), new BigUint64Array(1)]) {
    assert.throws(
      () => f.process({ kind: "WEIGHTS", data: { b: big }, meta: {} }, ctx),
      (e: unknown) => e instanceof FilterError && e.reason === "non_float" && e.key === "b",
    );
  }
  assert.throws(
    () =>
      new PercentilePrivacy().process(
        { kind: "WEIGHTS", data: { i: new Int8Array(1) }, meta: {} },
        ctx,
      ),
    (e: unknown) => e instanceof FilterError && e.reason === "non_float",
  );
});

Deno.test("PercentilePrivacy() filters nested DXOs of a COLLECTION together and leaves other kinds", () => {
  const metrics = { kind: "METRICS", data: { acc: 0.9 }, meta: {} };
  const out = new PercentilePrivacy({ percentile: 50, gamma: 1 }).process({
    kind: "COLLECTION",
    data: {
      a: { kind: "WEIGHTS", data: { w: new Float64Array([0.1, 0.2]) }, meta: {} },
      b: { kind: "WEIGHT_DIFF", data: { w: new Float64Array([0.3, 0.4]) }, meta: {} },
      m: metrics,
    },
    meta: {},
  }, ctx);
  assert.ok(out.applied);
  const d = (out.payload as Dxo).data;
  assert.deepEqual([...(d.a as Dxo).data.w as Float64Array], [0, 0]);
  assert.deepEqual([...(d.b as Dxo).data.w as Float64Array], [0.3, 0.4]);
  assert.deepEqual((d.m as Dxo).data, metrics.data);
  assert.ok(out.notes.includes("left m: DXO kind METRICS"));
});

Deno.test("PercentilePrivacy() refuses strings and other values it cannot process", () => {
  assert.throws(
    () =>
      new PercentilePrivacy({ non_float: "process" }).process(
        { kind: "WEIGHTS", data: { s: "x" as unknown as number }, meta: {} },
        ctx,
      ),
    (e: unknown) => e instanceof FilterError && e.reason === "non_float" && e.key === "s",
  );
});
