import { Tensor } from "../wire/mod.ts";

/** A multinomial logistic-regression model: `W` is [classes, features], `b` is [classes]. */
export interface LogRegModel {
  W: Tensor<Float32Array>;
  b: Tensor<Float32Array>;
}

/** Rows of features with their class index. */
export interface Dataset {
  x: number[][];
  y: number[];
}

/** A zero model: the usual starting point of federated training. */
export function initLogReg(classes: number, features: number): LogRegModel {
  return {
    W: new Tensor([classes, features], new Float32Array(classes * features)),
    b: new Tensor([classes], new Float32Array(classes)),
  };
}

function softmaxRow(model: LogRegModel, row: number[], out: Float64Array): void {
  const [classes, features] = model.W.shape as [number, number];
  let max = -Infinity;
  for (let c = 0; c < classes; c++) {
    let z = model.b.data[c]!;
    for (let f = 0; f < features; f++) z += model.W.data[c * features + f]! * row[f]!;
    out[c] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < classes; c++) out[c]! /= sum;
}

/**
 * Full-batch gradient descent on the cross-entropy loss, starting from `model` (not modified).
 * Deterministic: the same model and data give the same result at every site.
 */
export function trainLogReg(
  model: LogRegModel,
  data: Dataset,
  options: { epochs: number; learningRate: number },
): LogRegModel {
  const [classes, features] = model.W.shape as [number, number];
  if (data.x.length === 0) throw new RangeError("Cannot train on an empty dataset");
  const W = Float64Array.from(model.W.data);
  const b = Float64Array.from(model.b.data);
  const cur: LogRegModel = {
    W: new Tensor([classes, features], new Float32Array(W)),
    b: new Tensor([classes], new Float32Array(b)),
  };
  const p = new Float64Array(classes);
  const gW = new Float64Array(W.length);
  const gb = new Float64Array(classes);
  const n = data.x.length;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    gW.fill(0);
    gb.fill(0);
    for (let i = 0; i < n; i++) {
      const row = data.x[i]!;
      softmaxRow(cur, row, p);
      for (let c = 0; c < classes; c++) {
        const err = p[c]! - (data.y[i] === c ? 1 : 0);
        gb[c]! += err;
        for (let f = 0; f < features; f++) gW[c * features + f]! += err * row[f]!;
      }
    }
    for (let k = 0; k < W.length; k++) W[k]! -= (options.learningRate * gW[k]!) / n;
    for (let c = 0; c < classes; c++) b[c]! -= (options.learningRate * gb[c]!) / n;
    cur.W.data.set(W);
    cur.b.data.set(b);
  }
  return cur;
}

/** Share of rows whose most probable class is their label. */
export function accuracy(model: LogRegModel, data: Dataset): number {
  const p = new Float64Array(model.b.data.length);
  let right = 0;
  for (let i = 0; i < data.x.length; i++) {
    softmaxRow(model, data.x[i]!, p);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    if (best === data.y[i]) right++;
  }
  return data.x.length === 0 ? 0 : right / data.x.length;
}
