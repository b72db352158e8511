import assert from "node:assert/strict";
import { Tensor } from "../wire/mod.ts";
import type { Dxo } from "./dxo.ts";
import { GaussianPrivacy } from "./gaussian_privacy.ts";
import { FilterError } from "./filter_error.ts";
import { RandomSource } from "./random_source.ts";
import { constNoise, ksCritical, ksStatistic, normalCdf, testContext } from "./_test_util.ts";

Deno.test("GaussianPrivacy() adds N(0, (sigma0·m)²) noise: KS test with 10^5 elements", () => {
  const n = 100_000;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((i % 100) + 1) / 100; // |x| in 0.01..1
  const f = new GaussianPrivacy({ sigma0: 0.5, max_percentile: 50 });
  const out = f.process(
    { kind: "WEIGHTS", data: { w: new Tensor([n], x) }, meta: {} },
    testContext(new RandomSource()),
  );
  assert.ok(out.applied);
  const y = ((out.payload as Dxo).data.w as Tensor).data;
  assert.ok(y instanceof Float32Array);
  // Median of 0.01..1 with 1000 copies each: 0.505 (as float32 values); sigma = 0.2525.
  const sigma = Number(out.notes.find((s) => s.startsWith("sigma "))?.slice(6));
  assert.ok(Math.abs(sigma - 0.5 * 0.505) < 1e-7, `sigma ${sigma}`);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = (y[i]! - x[i]!) / sigma;
  // float32 rounding of the output is far below the KS resolution.
  const d = ksStatistic(z, normalCdf);
  assert.ok(d < ksCritical(n), `D = ${d}`);
});

Deno.test("GaussianPrivacy() adds no noise for sigma0 = 0 or an all-zero update", () => {
  const f0 = new GaussianPrivacy({ sigma0: 0 });
  assert.equal(f0.warnings.length, 1);
  const dxo = { kind: "WEIGHTS", data: { w: new Float64Array([1, -2]) }, meta: {} };
  const a = f0.process(dxo, testContext(constNoise(9)));
  assert.ok(a.applied);
  assert.deepEqual([...(a.payload as Dxo).data.w as Float64Array], [1, -2]);
  const zeros = { kind: "WEIGHTS", data: { w: new Float64Array(3) }, meta: {} };
  const b = new GaussianPrivacy().process(zeros, testContext(constNoise(9)));
  assert.ok(b.applied && b.notes.includes("no non-zero element: sigma = 0"));
  assert.deepEqual([...(b.payload as Dxo).data.w as Float64Array], [0, 0, 0]);
});

Deno.test("GaussianPrivacy() refuses NaN and infinite elements", () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(
      () =>
        new GaussianPrivacy().process(
          { kind: "WEIGHTS", data: { w: new Float32Array([1, bad]) }, meta: {} },
          testContext(constNoise()),
        ),
      (e: unknown) => e instanceof FilterError && e.reason === "non_finite" && e.key === "w",
    );
  }
});

Deno.test("GaussianPrivacy() rejects bad arguments at construction", () => {
  for (const args of [{ sigma0: -1 }, { max_percentile: 101 }, { sigma0: "1" }]) {
    assert.throws(
      () => new GaussianPrivacy(args),
      (e: unknown) => e instanceof FilterError && e.code === "PRIVACY_FILTER",
    );
  }
});
