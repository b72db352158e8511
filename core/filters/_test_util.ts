// Test helpers: vector data as DXOs, fixed noise sources, a bare filter context.
import assert from "node:assert/strict";
import { Tensor } from "../wire/mod.ts";
import type { Dxo, DxoValue } from "./dxo.ts";
import type { FilterContext, Spend } from "./filter.ts";
import type { NoiseSource } from "./random_source.ts";

export type Json = number | Json[] | { [k: string]: Json };

function shapeOf(v: Json): number[] {
  return Array.isArray(v) ? [v.length, ...(v.length > 0 ? shapeOf(v[0]!) : [])] : [];
}

/** Vector data: numbers are scalars, flat lists Float64Array, nested lists shaped tensors. */
export function toValue(v: Json): DxoValue {
  if (typeof v === "number") return v;
  if (!Array.isArray(v)) throw new TypeError("Vector value is not a number or list");
  const flat = new Float64Array((v as unknown[]).flat(8) as number[]);
  const shape = shapeOf(v);
  return shape.length === 1 ? flat : new Tensor(shape, flat);
}

export function toDxo(
  data: Record<string, Json>,
  kind = "WEIGHT_DIFF",
  meta: Record<string, unknown> = {},
): Dxo {
  const out: Record<string, DxoValue> = {};
  for (const [k, v] of Object.entries(data)) out[k] = toValue(v);
  return { kind, data: out, meta };
}

/** Asserts that `actual` holds exactly the keys of `expected`, values within `tol`, same forms. */
export function assertDataClose(
  actual: Record<string, DxoValue>,
  expected: Record<string, Json>,
  tol = 1e-12,
): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [k, e] of Object.entries(expected)) {
    const a = actual[k];
    const want = toValue(e);
    if (typeof want === "number") {
      assert.equal(typeof a, "number", `key ${k} is not a scalar`);
      assert.ok(Math.abs((a as number) - want) <= tol, `key ${k}: ${a} ≠ ${want}`);
      continue;
    }
    const wantData = want instanceof Tensor ? want.data : want as Float64Array;
    const gotData = a instanceof Tensor ? a.data : a as Float64Array;
    if (want instanceof Tensor) {
      assert.ok(a instanceof Tensor, `key ${k} is not a tensor`);
      assert.deepEqual(a.shape, want.shape);
    }
    assert.equal(gotData.length, wantData.length, `key ${k} length`);
    for (let i = 0; i < wantData.length; i++) {
      const g = Number(gotData[i]);
      const w = Number(wantData[i]);
      assert.ok(Math.abs(g - w) <= tol, `key ${k}[${i}]: ${g} ≠ ${w}`);
    }
  }
}

/** Noise that is always `value` (0 for the clip-step vectors), and uniform draws in order. */
export function constNoise(value = 0, uniform = 0): NoiseSource {
  return { uniform: () => uniform, laplace: () => value, gaussian: () => value };
}

export function testContext(
  noise: NoiseSource,
  spends: Spend[] = [],
  replyCode = "OK",
): FilterContext {
  return {
    chain: "task_result",
    direction: "out",
    scope: "s",
    replyCode,
    noise,
    spend: (s) => void spends.push(s),
  };
}

/** Kolmogorov–Smirnov statistic of `xs` (sorted in place) against the CDF `cdf`. */
export function ksStatistic(xs: Float64Array, cdf: (x: number) => number): number {
  xs.sort();
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** Critical KS value at α = 0.001 for n draws. */
export function ksCritical(n: number): number {
  return 1.949 / Math.sqrt(n);
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

// The classic Chebyshev-fitted erfc (fractional error below 1.2e-7): far finer than the KS
// critical value at n = 1e5 (about 6e-3).
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 +
            t * (0.37409196 +
                t * (0.09678418 +
                    t * (-0.18628806 +
                        t * (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function laplaceCdf(b: number): (x: number) => number {
  return (x) => x < 0 ? 0.5 * Math.exp(x / b) : 1 - 0.5 * Math.exp(-x / b);
}
