// RFC 8746 little-endian typed-array tags: the only ones the strict codec accepts.
export type TypedArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

export interface TypedArrayKind {
  tag: number;
  bytes: 1 | 2 | 4 | 8;
  make: (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray;
}

export const TYPED_ARRAY_TAGS: ReadonlyMap<number, TypedArrayKind> = new Map<
  number,
  TypedArrayKind
>([
  [64, { tag: 64, bytes: 1, make: (b, o, n) => new Uint8Array(b, o, n) }],
  [69, { tag: 69, bytes: 2, make: (b, o, n) => new Uint16Array(b, o, n) }],
  [70, { tag: 70, bytes: 4, make: (b, o, n) => new Uint32Array(b, o, n) }],
  [71, { tag: 71, bytes: 8, make: (b, o, n) => new BigUint64Array(b, o, n) }],
  [72, { tag: 72, bytes: 1, make: (b, o, n) => new Int8Array(b, o, n) }],
  [77, { tag: 77, bytes: 2, make: (b, o, n) => new Int16Array(b, o, n) }],
  [78, { tag: 78, bytes: 4, make: (b, o, n) => new Int32Array(b, o, n) }],
  [79, { tag: 79, bytes: 8, make: (b, o, n) => new BigInt64Array(b, o, n) }],
  [85, { tag: 85, bytes: 4, make: (b, o, n) => new Float32Array(b, o, n) }],
  [86, { tag: 86, bytes: 8, make: (b, o, n) => new Float64Array(b, o, n) }],
]);

/**
 * The tag for a typed array, or undefined for one the codec does not carry (e.g. clamped). A bare
 * `Uint8Array` is written as a byte string; 64 is used only for tensor data.
 */
export function typedArrayTag(value: unknown): number | undefined {
  // Exact prototypes only: subclasses (Node's Buffer aside) could carry other meanings.
  const proto = value === null || typeof value !== "object" ? null : Object.getPrototypeOf(value);
  switch (proto) {
    case Uint8Array.prototype:
      return 64;
    case Uint16Array.prototype:
      return 69;
    case Uint32Array.prototype:
      return 70;
    case BigUint64Array.prototype:
      return 71;
    case Int8Array.prototype:
      return 72;
    case Int16Array.prototype:
      return 77;
    case Int32Array.prototype:
      return 78;
    case BigInt64Array.prototype:
      return 79;
    case Float32Array.prototype:
      return 85;
    case Float64Array.prototype:
      return 86;
    default:
      return undefined;
  }
}

// The strict codec refuses to run where its zero-copy views would read bytes in the wrong order.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("Stockade needs a little-endian host: typed arrays travel little-endian");
}
