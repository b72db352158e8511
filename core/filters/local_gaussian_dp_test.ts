import assert from "node:assert/strict";
import { Tensor } from "../wire/mod.ts";
import type { Dxo } from "./dxo.ts";
import { FilterError } from "./filter_error.ts";
import type { Spend } from "./filter.ts";
import { LocalGaussianDP } from "./local_gaussian_dp.ts";
import { RandomSource } from "./random_source.ts";
import { constNoise, ksCritical, ksStatistic, normalCdf, testContext } from "./_test_util.ts";

const ARGS = { clipping_norm: 1, sensitivity: 0.01, epsilon: 1, delta: 1e-5 };

Deno.test("LocalGaussianDP() adds N(0, σ²) noise after clipping: KS test with 10^5 elements", () => {
  const n = 100_000;
  const x = new Float32Array(n).fill(0.01); // norm √(n)·0.01 ≈ 3.16 > 1: scaled
  const f = new LocalGaussianDP(ARGS);
  const out = f.process(
    { kind: "WEIGHT_DIFF", data: { w: new Tensor([250, 400], x) }, meta: {} },
    testContext(new RandomSource()),
  );
  assert.ok(out.applied);
  const t = (out.payload as Dxo).data.w as Tensor;
  assert.ok(t.data instanceof Float32Array);
  assert.deepEqual(t.shape, [250, 400]);
  const scale = 1 / Math.sqrt(n * Math.fround(0.01) ** 2);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = (t.data[i]! - Math.fround(0.01) * scale) / f.sigma;
  const d = ksStatistic(z, normalCdf);
  assert.ok(d < ksCritical(n), `D = ${d}`);
});

Deno.test("LocalGaussianDP() refuses non-DXO payloads and other kinds, nested ones too", () => {
  const f = new LocalGaussianDP(ARGS);
  const bad = [
    new Float64Array([1]),
    { kind: "WEIGHTS", data: { w: new Float64Array([1]) }, meta: {} },
    {
      kind: "COLLECTION",
      data: { m: { kind: "METRICS", data: { w: new Float64Array([1]) }, meta: {} } },
      meta: {},
    },
  ];
  for (const p of bad) {
    const spends: Spend[] = [];
    assert.throws(
      () => f.process(p, testContext(constNoise(), spends)),
      (e: unknown) =>
        e instanceof FilterError && e.code === "PRIVACY_REFUSED" && e.reason === "kind",
    );
    assert.deepEqual(spends, []);
  }
});

Deno.test("LocalGaussianDP() notes classic_gaussian_bound_exceeded for ε > 1", () => {
  const dxo = { kind: "WEIGHT_DIFF", data: { w: new Float64Array([0.1]) }, meta: {} };
  const a = new LocalGaussianDP({ ...ARGS, epsilon: 2 }).process(dxo, testContext(constNoise()));
  const b = new LocalGaussianDP(ARGS).process(dxo, testContext(constNoise()));
  assert.ok(a.applied && a.notes.includes("classic_gaussian_bound_exceeded"));
  assert.ok(b.applied && !b.notes.includes("classic_gaussian_bound_exceeded"));
});

Deno.test("LocalGaussianDP() requires every argument and rejects out-of-range ones", () => {
  const bad = [
    {},
    { ...ARGS, sensitivity: undefined },
    { ...ARGS, clipping_norm: 0 },
    { ...ARGS, epsilon: -1 },
    { ...ARGS, delta: 1 },
    { ...ARGS, delta: 0 },
    { ...ARGS, non_float: "skip" },
    { ...ARGS, data_kinds: [] },
  ];
  for (const args of bad) {
    assert.throws(
      () => new LocalGaussianDP(args),
      (e: unknown) => e instanceof FilterError && e.code === "PRIVACY_FILTER",
    );
  }
});
