import assert from "node:assert/strict";
import { accuracy, type Dataset, initLogReg, trainLogReg } from "./logistic_regression.ts";

/** Three well separated Gaussian-ish clusters from a fixed-seed generator. */
function clusters(n: number, seed: number): Dataset {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  const centers = [[2, 0], [-2, 1], [0, -2]];
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push([centers[c]![0]! + rnd(), centers[c]![1]! + rnd()]);
    y.push(c);
  }
  return { x, y };
}

Deno.test("trainLogReg() learns separable classes and leaves its input model unchanged", () => {
  const start = initLogReg(3, 2);
  const model = trainLogReg(start, clusters(90, 1), { epochs: 200, learningRate: 0.5 });
  assert.ok(accuracy(model, clusters(60, 2)) >= 0.95);
  assert.ok(start.W.data.every((v) => v === 0));
  assert.equal(accuracy(start, clusters(60, 2)), 1 / 3);
  assert.throws(
    () => trainLogReg(start, { x: [], y: [] }, { epochs: 1, learningRate: 1 }),
    RangeError,
  );
});
