import assert from "node:assert/strict";
import { Tensor } from "../wire/mod.ts";
import type { Dxo } from "./dxo.ts";
import { FilterError } from "./filter_error.ts";
import type { Spend } from "./filter.ts";
import { RandomSource } from "./random_source.ts";
import { SVTPrivacy } from "./svt_privacy.ts";
import { constNoise, ksCritical, ksStatistic, laplaceCdf, testContext } from "./_test_util.ts";

function model(n: number, seed = 1): Dxo {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    a[i] = (s / 2 ** 31 - 0.5) * 1e-4;
  }
  return { kind: "WEIGHT_DIFF", data: { w: new Tensor([n / 4, 4], a) }, meta: {} };
}

Deno.test("SVTPrivacy() keeps shape and dtype, zeroes everything outside the selection", () => {
  const f = new SVTPrivacy({ fraction: 0.1, epsilon: 1, epsilon_release: 1 });
  const input = model(4000);
  const out = f.process(input, testContext(new RandomSource()));
  assert.ok(out.applied);
  const t = (out.payload as Dxo).data.w as Tensor<Float32Array>;
  assert.ok(t instanceof Tensor && t.data instanceof Float32Array);
  assert.deepEqual(t.shape, [1000, 4]);
  const nonZero = t.data.filter((v) => v !== 0).length;
  assert.ok(nonZero > 0 && nonZero <= 400, `${nonZero} non-zero`);
  // The input is untouched.
  assert.notEqual(t.data, (input.data.w as Tensor).data);
});

Deno.test("SVTPrivacy() selects exactly c elements when replace is false", () => {
  const f = new SVTPrivacy({ fraction: 0.05, epsilon: 1, epsilon_release: 1, replace: false });
  for (let seed = 1; seed <= 5; seed++) {
    const out = f.process(model(2000, seed), testContext(new RandomSource()));
    assert.ok(out.applied);
    assert.ok(out.notes.includes("selected 100 of 2000"), out.notes.join("; "));
    const data = ((out.payload as Dxo).data.w as Tensor).data as Float32Array;
    assert.equal(data.filter((v) => v !== 0).length, 100);
  }
});

Deno.test("SVTPrivacy() with replace selects at most c, the union of c draws", () => {
  // Uniform draws always 0 pick the first accepted element c times: one selected.
  const out = new SVTPrivacy({ fraction: 0.5, epsilon_release: 1 }).process(
    { kind: "WEIGHTS", data: { w: new Float64Array([1, 2, 3, 4]) }, meta: {} },
    testContext(constNoise(1, 0)),
  );
  assert.ok(out.applied);
  assert.ok(out.notes.includes("selected 1 of 4"));
});

Deno.test("SVTPrivacy() release noise passes a KS test against Laplace(2·gamma·c/ε_R)", () => {
  const n = 100_000;
  const gamma = 1e-3;
  const epsRelease = 5e4;
  const f = new SVTPrivacy({
    fraction: 1,
    gamma,
    epsilon: 1,
    epsilon_release: epsRelease,
    replace: false,
  });
  const x = new Float64Array(n).fill(0.5); // clamped to gamma
  const spends: Spend[] = [];
  const out = f.process(
    { kind: "WEIGHTS", data: { w: x }, meta: {} },
    testContext(new RandomSource(), spends),
  );
  assert.ok(out.applied);
  const y = (out.payload as Dxo).data.w as Float64Array;
  const noise = y.map((v) => v - gamma);
  const b = 2 * gamma * n / epsRelease;
  const d = ksStatistic(noise, laplaceCdf(b));
  assert.ok(d < ksCritical(n), `D = ${d}`);
  assert.equal(spends.length, 1);
  assert.ok(Math.abs(spends[0]!.epsilon - (1 + epsRelease)) < 1e-9);
});

Deno.test("SVTPrivacy() refuses a split that does not sum to epsilon or is not positive", () => {
  const dxo = { kind: "WEIGHTS", data: { w: new Float64Array([1, 2]) }, meta: {} };
  const cases = [
    { epsilon: 1, epsilon_threshold: 0.3, epsilon_query: 0.3 },
    { epsilon: 1, epsilon_threshold: 1.5 },
    { epsilon: 1, epsilon_query: 1 },
  ];
  for (const args of cases) {
    const spends: Spend[] = [];
    assert.throws(
      () =>
        new SVTPrivacy({ ...args, epsilon_release: 1 }).process(
          dxo,
          testContext(constNoise(), spends),
        ),
      (e: unknown) =>
        e instanceof FilterError && e.code === "PRIVACY_REFUSED" && e.reason === "epsilon_split",
    );
    assert.deepEqual(spends, []);
  }
});

Deno.test("SVTPrivacy() refuses after 1000 passes without c accepted elements", () => {
  // The threshold draw is +1, every query draw −1: |Δ| ≤ 0.2 never reaches tau + 1.
  let calls = 0;
  const noise = { uniform: () => 0, gaussian: () => 0, laplace: () => calls++ === 0 ? 1 : -1 };
  assert.throws(
    () =>
      new SVTPrivacy({ gamma: 1, epsilon: 1, epsilon_threshold: 0.5, epsilon_release: 1 }).process(
        { kind: "WEIGHTS", data: { w: new Float64Array([0.1, 0.2]) }, meta: {} },
        testContext(noise),
      ),
    (e: unknown) => e instanceof FilterError && e.reason === "svt_passes",
  );
});

Deno.test("SVTPrivacy() rejects bad arguments at construction", () => {
  for (
    const args of [{ fraction: 0 }, { fraction: 1.5 }, { tau: -1 }, { replace: "yes" }, { x: 1 }]
  ) {
    assert.throws(
      () => new SVTPrivacy(args),
      (e: unknown) => e instanceof FilterError && e.code === "PRIVACY_FILTER",
    );
  }
});

Deno.test("SVTPrivacy() draws threshold, query and release noise at the spec's scales", () => {
  const scales: number[] = [];
  const spy = {
    uniform: () => 0,
    gaussian: () => 0,
    laplace: (b: number) => (scales.push(b), 0),
  };
  const gamma = 0.5;
  const f = new SVTPrivacy({
    gamma,
    epsilon: 1,
    epsilon_release: 2,
    fraction: 0.5,
    replace: false,
  });
  f.process(
    { kind: "WEIGHTS", data: { w: new Float64Array([1, 2, 3, 4]) }, meta: {} },
    testContext(spy),
  );
  const c = 2;
  const { threshold, query } = f.budgetFor(c);
  // One threshold draw, one query draw per element in the first pass (all accepted), c releases.
  assert.deepEqual(scales, [
    gamma / threshold,
    ...Array(4).fill(2 * gamma * c / query),
    ...Array(c).fill(2 * gamma * c / 2),
  ]);
});
