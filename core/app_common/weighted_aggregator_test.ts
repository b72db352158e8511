import assert from "node:assert/strict";
import { Tensor } from "../wire/mod.ts";
import { WeightedAggregator } from "./weighted_aggregator.ts";

const t = (...v: number[]) => new Tensor([v.length], new Float32Array(v));

Deno.test("WeightedAggregator.result() is the sample-weighted mean of the results", () => {
  const agg = new WeightedAggregator();
  agg.add({ w: t(1, 2), b: t(0) }, 1);
  agg.add({ w: t(3, 6), b: t(4) }, 3);
  const r = agg.result();
  assert.deepEqual([...r.w!.data], [2.5, 5]);
  assert.deepEqual([...r.b!.data], [3]);
  assert.equal(agg.count, 2);
  assert.equal(agg.totalWeight, 4);
});

Deno.test("WeightedAggregator.add() refuses mismatched results and leaves the sums intact", () => {
  const agg = new WeightedAggregator();
  agg.add({ w: t(1, 1) }, 1);
  assert.throws(() => agg.add({ w: t(1, 1, 1) }, 1), TypeError);
  assert.throws(() => agg.add({ v: t(1, 1) }, 1), TypeError);
  assert.throws(() => agg.add({ w: t(1, NaN) }, 1), RangeError);
  assert.throws(() => agg.add({ w: t(1, 1) }, 0), RangeError);
  assert.throws(() => agg.add({ w: t(1, 1) }, Infinity), RangeError);
  assert.deepEqual([...agg.result().w!.data], [1, 1]);
  assert.throws(() => new WeightedAggregator().result(), RangeError);
});
