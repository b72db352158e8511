import type { TypedArray } from "./_typed_arrays.ts";

export type { TypedArray };

const MAX_DIM = 2 ** 31 - 1;

/**
 * A row-major multi-dimensional array (CBOR tag 40, RFC 8746): `shape` and the flat element data.
 *
 * ```ts
 * const t = new Tensor([2, 3], new Float32Array(6));
 * ```
 */
export class Tensor<T extends TypedArray = TypedArray> {
  readonly shape: readonly number[];
  readonly data: T;

  constructor(shape: readonly number[], data: T) {
    if (shape.length < 1 || shape.length > 8) {
      throw new RangeError(
        `Cannot make tensor: shape has ${shape.length} dimensions, expected 1 to 8`,
      );
    }
    let count = 1;
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0 || d > MAX_DIM) {
        throw new RangeError(
          `Cannot make tensor: dimension "${d}" is not an integer 0 to 2^31 - 1`,
        );
      }
      count *= d;
    }
    if (count !== data.length) {
      throw new RangeError(
        `Cannot make tensor: shape [${
          shape.join(", ")
        }] holds ${count} elements, data has ${data.length}`,
      );
    }
    this.shape = Object.freeze([...shape]);
    this.data = data;
    Object.freeze(this);
  }
}
