import { Tensor } from "../wire/mod.ts";

/** A model as it travels: named float tensors. */
export type Weights = Record<string, Tensor<Float32Array | Float64Array>>;

/**
 * FedAvg aggregation that folds each result in as it arrives: one float64 running sum per tensor,
 * so memory stays at about one model copy however many sites answer (`transport.md` §6).
 */
export class WeightedAggregator {
  readonly #sums = new Map<string, { shape: readonly number[]; sum: Float64Array }>();
  #total = 0;
  #count = 0;

  /** Results folded in so far. */
  get count(): number {
    return this.#count;
  }

  /** Sum of the weights folded in so far. */
  get totalWeight(): number {
    return this.#total;
  }

  /**
   * Folds in one site's weights with its weight (e.g. its number of training samples). Every
   * result must carry the same tensor names and shapes as the first.
   */
  add(weights: Weights, weight: number): void {
    if (!(weight > 0) || !Number.isFinite(weight)) {
      throw new RangeError(`Aggregation weight "${weight}" must be a positive finite number`);
    }
    const names = Object.keys(weights);
    if (this.#count > 0) {
      const expected = [...this.#sums.keys()];
      if (names.length !== expected.length || !names.every((n) => this.#sums.has(n))) {
        throw new TypeError(
          `Result tensors [${names.join(", ")}] differ from the model's [${expected.join(", ")}]`,
        );
      }
    }
    // Check everything before changing anything, so a bad result leaves the sums intact.
    for (const name of names) {
      const t = weights[name]!;
      const have = this.#sums.get(name);
      if (have && have.shape.join("x") !== t.shape.join("x")) {
        throw new TypeError(
          `Tensor "${name}" has shape [${t.shape.join(", ")}], expected [${have.shape.join(", ")}]`,
        );
      }
      const d = t.data;
      for (let i = 0; i < d.length; i++) {
        // x - x is NaN exactly for NaN and ±Infinity: one cheap test per element.
        if (d[i]! - d[i]! !== 0) throw new RangeError(`Tensor "${name}" holds a non-finite value`);
      }
    }
    for (const name of names) {
      const t = weights[name]!;
      let entry = this.#sums.get(name);
      if (!entry) {
        entry = { shape: t.shape, sum: new Float64Array(t.data.length) };
        this.#sums.set(name, entry);
      }
      const { sum } = entry;
      const d = t.data;
      for (let i = 0; i < d.length; i++) sum[i]! += d[i]! * weight;
    }
    this.#total += weight;
    this.#count++;
  }

  /** The weighted average of everything folded in, as float32 tensors. */
  result(): Record<string, Tensor<Float32Array>> {
    if (this.#count === 0) throw new RangeError("No results to aggregate");
    const out: Record<string, Tensor<Float32Array>> = {};
    for (const [name, { shape, sum }] of this.#sums) {
      const avg = new Float32Array(sum.length);
      for (let i = 0; i < sum.length; i++) avg[i] = sum[i]! / this.#total;
      out[name] = new Tensor(shape, avg);
    }
    return out;
  }
}
