import assert from "node:assert/strict";
import { FilterError } from "./filter_error.ts";
import { createFilter } from "./create_filter.ts";
import { ExcludeVars } from "./exclude_vars.ts";
import { gaussianSigma, LocalGaussianDP } from "./local_gaussian_dp.ts";
import { PercentilePrivacy } from "./percentile_privacy.ts";
import { SVTPrivacy, svtSplit } from "./svt_privacy.ts";
import type { Spend } from "./filter.ts";
import { assertDataClose, constNoise, type Json, testContext, toDxo } from "./_test_util.ts";
import { percentile } from "./_percentile.ts";
import type { Dxo } from "./dxo.ts";

// The shared vectors sit beside the repo; a missing file must fail these tests, not skip them.
const VECTORS = new URL("../../../shared/vectors/privacy_filters.json", import.meta.url);
// deno-lint-ignore no-explicit-any
const V: any = JSON.parse(await Deno.readTextFile(VECTORS));
const TOL = 1e-12;

type Data = Record<string, Json>;

Deno.test("ExcludeVars() matches every exclude_vars vector", () => {
  assert.equal(V.exclude_vars.length, 5);
  for (const v of V.exclude_vars) {
    const f = new ExcludeVars({ exclude_vars: v.exclude_vars });
    const out = f.process(toDxo(v.data), testContext(constNoise()));
    assert.ok(out.applied);
    const expected = v.out === "unchanged" ? v.data : v.out;
    assertDataClose((out.payload as Dxo).data, expected as Data, TOL);
  }
});

Deno.test("percentile() gives every cutoff of the percentile_privacy vectors", () => {
  for (const v of V.percentile_privacy) {
    const abs = Object.values(v.data as Data).flatMap((x) =>
      [x].flat(3).map((e) => Math.abs((e as number) / v.T))
    );
    assert.ok(Math.abs(percentile(new Float64Array(abs), v.percentile) - v.cutoff) <= TOL);
  }
});

Deno.test("PercentilePrivacy() matches every percentile_privacy vector, refuse and process", () => {
  assert.equal(V.percentile_privacy.length, 8);
  for (const v of V.percentile_privacy) {
    const args = { percentile: v.percentile, gamma: v.gamma };
    const dxo = () => toDxo(v.data, "WEIGHTS", { NUM_STEPS_CURRENT_ROUND: v.T });
    const ctx = testContext(constNoise());
    if (v.refuse !== undefined) {
      assert.throws(
        () => new PercentilePrivacy(args).process(dxo(), ctx),
        (e: unknown) =>
          e instanceof FilterError && e.code === v.refuse && e.reason === "non_float" &&
          e.key === "s",
      );
      const out = new PercentilePrivacy({ ...args, non_float: "process" }).process(dxo(), ctx);
      assert.ok(out.applied);
      assertDataClose((out.payload as Dxo).data, v.process, TOL);
      // Stockade differs from NVFlare by design: the scalar is never passed through untouched.
      assert.notEqual((out.payload as Dxo).data.s as number, v.NVFlare.s);
    } else {
      const out = new PercentilePrivacy(args).process(dxo(), ctx);
      assert.ok(out.applied);
      assertDataClose((out.payload as Dxo).data, v.out, TOL);
    }
  }
});

Deno.test("createFilter() refuses every percentile_privacy_bad_args vector with PRIVACY_FILTER", async () => {
  assert.equal(V.percentile_privacy_bad_args.length, 3);
  for (const v of V.percentile_privacy_bad_args) {
    await assert.rejects(
      createFilter({
        name: "PercentilePrivacy",
        args: { percentile: v.percentile, gamma: v.gamma },
      }, { source: "site" }),
      (e: unknown) => e instanceof FilterError && e.code === v.expect,
    );
  }
});

Deno.test("gaussianSigma() matches every local_gaussian_dp_sigma vector", () => {
  assert.equal(V.local_gaussian_dp_sigma.length, 4);
  for (const v of V.local_gaussian_dp_sigma) {
    const f = new LocalGaussianDP({
      clipping_norm: 1,
      sensitivity: v.sensitivity,
      epsilon: v.epsilon,
      delta: v.delta,
    });
    assert.ok(Math.abs(f.sigma - v.sigma) <= TOL, `${f.sigma} ≠ ${v.sigma}`);
    assert.equal(f.sigma, gaussianSigma(v.sensitivity, v.epsilon, v.delta));
  }
});

Deno.test("LocalGaussianDP() matches every local_gaussian_dp_clip_step vector with zero noise", () => {
  assert.equal(V.local_gaussian_dp_clip_step.length, 4);
  for (const v of V.local_gaussian_dp_clip_step) {
    const args = {
      clipping_norm: v.clipping_norm,
      sensitivity: 1,
      epsilon: 1,
      delta: 1e-5,
      ...(v.non_float === undefined ? {} : { non_float: v.non_float }),
    };
    const spends: Spend[] = [];
    const ctx = testContext(constNoise(0), spends);
    const f = new LocalGaussianDP(args);
    if (v.expect !== undefined) {
      assert.throws(
        () => f.process(toDxo(v.data), ctx),
        (e: unknown) => e instanceof FilterError && e.code === v.expect && e.reason === "non_float",
      );
      assert.deepEqual(spends, []);
      continue;
    }
    const out = f.process(toDxo(v.data), ctx);
    assert.ok(out.applied);
    assertDataClose((out.payload as Dxo).data, v.clipped, TOL);
    if (v.norm !== undefined) {
      assert.ok(out.notes.includes(`norm ${v.norm}`) && out.notes.includes(`scale ${v.scale}`));
    }
    assert.deepEqual(spends, [{ epsilon: 1, delta: 1e-5 }]);
  }
});

Deno.test("svtSplit() matches every svt_split vector", () => {
  assert.equal(V.svt_split.length, 3);
  for (const v of V.svt_split) {
    const s = svtSplit(v.epsilon, v.c);
    assert.ok(Math.abs(s.threshold - v.eps_threshold) <= TOL);
    assert.ok(Math.abs(s.query - v.eps_query) <= TOL);
    const b = new SVTPrivacy({ epsilon: v.epsilon, epsilon_release: 1 }).budgetFor(v.c);
    assert.ok(Math.abs(b.threshold - v.eps_threshold) <= TOL);
    assert.ok(Math.abs(b.query - v.eps_query) <= TOL);
  }
});

Deno.test("SVTPrivacy() defaults epsilon_release to c·noise_var as svt_release_default says", () => {
  const v = V.svt_release_default;
  const b = new SVTPrivacy({ noise_var: v.noise_var }).budgetFor(v.c);
  assert.ok(Math.abs(b.release - v.eps_release) <= TOL);
  assert.ok(b.notes.some((n) => n.includes("epsilon_release")));
});

Deno.test("SVTPrivacy() spends the svt_spend totals per call and after two calls", () => {
  const v = V.svt_spend;
  const f = new SVTPrivacy({
    epsilon: v.eps_threshold + v.eps_query,
    epsilon_threshold: v.eps_threshold,
    epsilon_query: v.eps_query,
    epsilon_release: v.eps_release,
    fraction: 1,
  });
  const spends: Spend[] = [];
  const ctx = testContext(constNoise(0), spends);
  const dxo = toDxo({ w: [0.5, -0.5] });
  f.process(dxo, ctx);
  assert.ok(Math.abs(spends[0]!.epsilon - v.per_call) <= TOL);
  f.process(dxo, ctx);
  const total = spends.reduce((a, s) => a + s.epsilon, 0);
  assert.ok(Math.abs(total - v.after_2_calls) <= TOL);
  assert.ok(spends.every((s) => s.delta === 0));
});

Deno.test("SVTPrivacy() clips before adding release noise as svt_clip_before_noise says", () => {
  const v = V.svt_clip_before_noise;
  const f = new SVTPrivacy({ gamma: v.gamma, fraction: 1, epsilon_release: 1 });
  const out = f.process(
    toDxo({ x: [v.x] }, "WEIGHTS", { NUM_STEPS_CURRENT_ROUND: v.T }),
    testContext(constNoise(v.release_noise)),
  );
  assert.ok(out.applied);
  assertDataClose((out.payload as Dxo).data, { x: [v.out] }, TOL);
});
