import assert from "node:assert/strict";
import { RandomSource } from "./random_source.ts";
import { ksCritical, ksStatistic, laplaceCdf, normalCdf } from "./_test_util.ts";

const N = 100_000;

function draws(f: () => number): Float64Array {
  const xs = new Float64Array(N);
  for (let i = 0; i < N; i++) xs[i] = f();
  return xs;
}

/** A word source that repeats `words` forever. */
function fixedWords(words: number[]): (w: Uint32Array) => void {
  let i = 0;
  return (w) => {
    for (let j = 0; j < w.length; j++) w[j] = words[i++ % words.length]!;
  };
}

Deno.test("RandomSource() builds u = k/2^53 from the top 21 bits of one word and the next word", () => {
  assert.equal(new RandomSource(fixedWords([0, 0])).uniform(), 0);
  const max = new RandomSource(fixedWords([0xffffffff, 0xffffffff])).uniform();
  assert.equal(max, (2 ** 53 - 1) / 2 ** 53);
  assert.ok(max < 1);
  // k = 1·2^32 + 5 when the first word's top 21 bits are 1.
  assert.equal(new RandomSource(fixedWords([1 << 11, 5])).uniform(), (2 ** 32 + 5) / 2 ** 53);
});

Deno.test("RandomSource() Laplace never hits u = ±0.5 and follows the spec's formula", () => {
  const b = 2;
  const lo = new RandomSource(fixedWords([0, 0])).laplace(b);
  const u0 = 0.5 / 2 ** 52 - 0.5;
  assert.equal(lo, -b * Math.sign(u0) * Math.log(1 - 2 * Math.abs(u0)));
  assert.ok(Number.isFinite(lo) && lo < 0);
  const hi = new RandomSource(fixedWords([0xffffffff, 0xffffffff])).laplace(b);
  assert.ok(Number.isFinite(hi) && hi > 0);
});

Deno.test("RandomSource() Box–Muller returns z0 then z1 of one pair", () => {
  const words = [0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321];
  const r = new RandomSource(fixedWords(words));
  const k1 = (words[0]! >>> 11) * 2 ** 32 + words[1]!;
  const k2 = (words[2]! >>> 11) * 2 ** 32 + words[3]!;
  const u1 = (k1 + 1) / 2 ** 53;
  const u2 = k2 / 2 ** 53;
  const rr = Math.sqrt(-2 * Math.log(u1));
  assert.equal(r.gaussian(), rr * Math.cos(2 * Math.PI * u2));
  assert.equal(r.gaussian(), rr * Math.sin(2 * Math.PI * u2));
});

Deno.test("RandomSource() uniform passes a KS test against U[0, 1) with 10^5 draws", () => {
  const r = new RandomSource();
  assert.ok(ksStatistic(draws(() => r.uniform()), (x) => x) < ksCritical(N));
});

Deno.test("RandomSource() Laplace passes a KS test against Laplace(b) with 10^5 draws", () => {
  const r = new RandomSource();
  const d = ksStatistic(draws(() => r.laplace(0.7)), laplaceCdf(0.7));
  assert.ok(d < ksCritical(N), `D = ${d}`);
  // The same draws fail against a wrong scale: the test can fail.
  const wrong = ksStatistic(draws(() => r.laplace(0.7)), laplaceCdf(0.9));
  assert.ok(wrong > ksCritical(N), `D = ${wrong}`);
});

Deno.test("RandomSource() Gaussian passes a KS test against N(0, 1) with 10^5 draws", () => {
  const r = new RandomSource();
  const d = ksStatistic(draws(() => r.gaussian()), normalCdf);
  assert.ok(d < ksCritical(N), `D = ${d}`);
  const wrong = ksStatistic(draws(() => 1.05 * r.gaussian()), normalCdf);
  assert.ok(wrong > ksCritical(N), `D = ${wrong}`);
});

Deno.test("RandomSource() draws from crypto.getRandomValues, never Math.random", () => {
  const original = Math.random;
  Math.random = () => {
    throw new Error("Math.random used");
  };
  try {
    const r = new RandomSource();
    for (let i = 0; i < 20_000; i++) r.uniform() + r.laplace(1) + r.gaussian();
  } finally {
    Math.random = original;
  }
});
