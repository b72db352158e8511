import assert from "node:assert/strict";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { encodeCanonical } from "./encode_canonical.ts";
import { Tensor } from "./tensor.ts";
import { assertWireError, toHex } from "./_test_util.ts";

const plain = (v: unknown): unknown =>
  v instanceof Tensor
    ? { shape: [...v.shape], data: v.data }
    : Array.isArray(v)
    ? v.map(plain)
    : v !== null && typeof v === "object" && !ArrayBuffer.isView(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
    : v;

function roundTrip(v: unknown): unknown {
  const out = decode(encode(v));
  assert.deepStrictEqual(plain(out), plain(v));
  const canon = decode(encodeCanonical(v));
  assert.deepStrictEqual(plain(canon), plain(v));
  return out;
}

Deno.test("encode() round-trips every allowed scalar", () => {
  const ints = [
    0,
    1,
    23,
    24,
    255,
    256,
    65535,
    65536,
    2 ** 32 - 1,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
  ];
  for (const i of ints) {
    roundTrip(i);
    roundTrip(-i - 1);
  }
  for (const f of [0.5, 1.5, -2.75, 0.1, 1e300, -1e-300, 3.4028234663852886e38, 2 ** -24, 65504]) {
    roundTrip(f);
  }
  for (const f of [NaN, Infinity, -Infinity, -0]) roundTrip(f);
  for (
    const s of ["", "a", "IETF", "ü", "水", "𝄞", "x".repeat(23), "y".repeat(24), "é".repeat(500)]
  ) {
    roundTrip(s);
  }
  roundTrip(true);
  roundTrip(false);
  roundTrip(null);
  roundTrip(new Uint8Array(0));
  roundTrip(new Uint8Array([1, 2, 3]));
  roundTrip(new Uint8Array(100_000).fill(7));
});

Deno.test("encode() round-trips containers, typed arrays and tensors", () => {
  roundTrip([]);
  roundTrip({});
  roundTrip([1, "two", [3, [4, { five: 5 }]], null]);
  roundTrip({ a: 1, b: { c: [true, false], d: new Uint8Array([9]) }, "key with space": "x" });
  const arrays = [
    new Uint16Array([1, 65535]),
    new Uint32Array([1, 2 ** 32 - 1]),
    new BigUint64Array([1n, 2n ** 64n - 1n]),
    new Int8Array([-128, 127]),
    new Int16Array([-32768, 32767]),
    new Int32Array([-(2 ** 31), 2 ** 31 - 1]),
    new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
    new Float32Array([1.5, -0, NaN, Infinity]),
    new Float64Array([Math.PI, -1e300]),
  ];
  for (const a of arrays) {
    const back = roundTrip(a) as ArrayBufferView;
    assert.equal(Object.getPrototypeOf(back), Object.getPrototypeOf(a));
    roundTrip({ w: a });
    roundTrip(new Tensor([a.length], a));
    roundTrip(new Tensor([1, a.length, 1], a));
  }
  roundTrip(new Tensor([2, 2], new Uint8Array([1, 2, 3, 4])));
  roundTrip(new Tensor([0, 3], new Float32Array(0)));
  roundTrip({ layers: [new Tensor([3, 3], new Float32Array(9).fill(0.25))], round: 2 });
});

Deno.test("encode() leaves out map entries whose value is undefined", () => {
  assert.deepEqual({ ...decode(encode({ a: 1, b: undefined })) as object }, { a: 1 });
});

Deno.test("encode() aligns typed-array data for zero-copy decoding at any offset", () => {
  const ctors = [
    Uint16Array,
    Uint32Array,
    BigUint64Array,
    Int16Array,
    Int32Array,
    BigInt64Array,
    Float32Array,
    Float64Array,
  ] as const;
  let checked = 0;
  for (const C of ctors) {
    for (let pad = 0; pad < 9; pad++) {
      for (const len of [0, 1, 5, 30, 300, 70_000]) {
        const data = new C(len);
        const key = "k".repeat(1 + pad * 3);
        const msg = { kind: "x".repeat(pad), [key]: data, t: new Tensor([len], new C(len)) };
        const bytes = encode(msg);
        const out = decode(bytes) as Record<string, { buffer: ArrayBufferLike } & Tensor>;
        assert.equal(out[key]!.buffer, bytes.buffer, `${C.name} pad ${pad} len ${len}`);
        assert.equal(out.t!.data.buffer, bytes.buffer, `tensor ${C.name} pad ${pad} len ${len}`);
        // Top-level and array elements too.
        const top = encode(data);
        assert.equal((decode(top) as { buffer: ArrayBufferLike }).buffer, top.buffer);
        checked++;
      }
    }
  }
  assert.equal(checked, 8 * 9 * 6);
});

Deno.test("encodeCanonical() matches the RFC 8949 Appendix A encodings", () => {
  const vectors: [unknown, string][] = [
    [0, "00"],
    [23, "17"],
    [24, "1818"],
    [100, "1864"],
    [1000000, "1a000f4240"],
    [1000000000000, "1b000000e8d4a51000"],
    [-1, "20"],
    [-1000, "3903e7"],
    [0.0, "00"],
    [-0.0, "f98000"],
    [1.5, "f93e00"],
    // JS cannot tell 65504.0 from 65504: integral numbers encode as integers.
    [65504.0, "19ffe0"],
    [65504.5, "fa477fe080"],
    [100000.0, "1a000186a0"],
    [3.4028234663852886e38, "fa7f7fffff"],
    [1.0e300, "fb7e37e43c8800759c"],
    [5.960464477539063e-8, "f90001"],
    [0.00006103515625, "f90400"],
    [-4.1, "fbc010666666666666"],
    [1.1, "fb3ff199999999999a"],
    [Infinity, "f97c00"],
    [NaN, "f97e00"],
    [-Infinity, "f9fc00"],
    [false, "f4"],
    [true, "f5"],
    [null, "f6"],
    [new Uint8Array([1, 2, 3, 4]), "4401020304"],
    ["", "60"],
    ["IETF", "6449455446"],
    ['"\\', "62225c"],
    ["\u00fc", "62c3bc"],
    ["\u6c34", "63e6b0b4"],
    ["\ud800\udd51", "64f0908591"],
    [[], "80"],
    [[1, [2, 3], [4, 5]], "8301820203820405"],
    [{}, "a0"],
    [{ a: 1, b: [2, 3] }, "a26161016162820203"],
    [{ a: "A", b: "B", c: "C", d: "D", e: "E" }, "a56161614161626142616361436164614461656145"],
  ];
  for (const [v, h] of vectors) assert.equal(toHex(encodeCanonical(v)), h, String(v));
});

Deno.test("encodeCanonical() sorts map keys by their encoded bytes", () => {
  // Core deterministic order: shorter keys first, then bytewise.
  const a = encodeCanonical({ bb: 1, a: 2, b: 3, aa: 4, "é": 5 });
  const b = encodeCanonical({ "é": 5, aa: 4, b: 3, a: 2, bb: 1 });
  assert.deepEqual(a, b);
  assert.equal(
    toHex(a),
    "a5" + "616102" + "616203" + "626161" + "04" + "626262" + "01" + "62c3a9" + "05",
  );
});

Deno.test("encode() refuses values the strict decoder would not accept", () => {
  class Point {
    x = 1;
  }
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const cases: [string, unknown, Parameters<typeof assertWireError>[1], string?][] = [
    ["bigint", 1n, "CBOR_TYPE_REJECTED"],
    ["undefined", undefined, "CBOR_TYPE_REJECTED"],
    ["a function", () => 1, "CBOR_TYPE_REJECTED"],
    ["a symbol", Symbol("s"), "CBOR_TYPE_REJECTED"],
    ["a Date", new Date(0), "CBOR_TYPE_REJECTED"],
    ["a Map", new Map(), "CBOR_TYPE_REJECTED"],
    ["a Set", new Set(), "CBOR_TYPE_REJECTED"],
    ["a class instance", new Point(), "CBOR_TYPE_REJECTED"],
    ["a clamped array", new Uint8ClampedArray(2), "CBOR_TYPE_REJECTED"],
    ["an ArrayBuffer", new ArrayBuffer(4), "CBOR_TYPE_REJECTED"],
    ["a DataView", new DataView(new ArrayBuffer(4)), "CBOR_TYPE_REJECTED"],
    ["a nested bigint", { a: [1, 2n] }, "CBOR_TYPE_REJECTED", "$.a[1]"],
    ["a __proto__ key", JSON.parse('{"__proto__": 1}'), "CBOR_KEY_REJECTED", "$.__proto__"],
    ["a constructor key", { constructor: 1 }, "CBOR_KEY_REJECTED"],
    ["a prototype key", { prototype: 1 }, "CBOR_KEY_REJECTED"],
    ["a cycle", cyclic, "CBOR_LIMIT"],
  ];
  for (const [name, value, code, path] of cases) {
    const e = assertWireError(() => encode(value), code, path ? { path } : {});
    assert.ok(e.message.startsWith("Cannot encode"), name);
  }
});

Deno.test("Tensor() checks its shape against its data", () => {
  assert.throws(() => new Tensor([2, 2], new Float32Array(3)), RangeError);
  assert.throws(() => new Tensor([], new Float32Array(0)), RangeError);
  assert.throws(() => new Tensor([1, 1, 1, 1, 1, 1, 1, 1, 1], new Float32Array(1)), RangeError);
  assert.throws(() => new Tensor([-1], new Float32Array(0)), RangeError);
  assert.throws(() => new Tensor([1.5], new Float32Array(0)), RangeError);
  const t = new Tensor([3], new Float32Array(3));
  assert.ok(Object.isFrozen(t) && Object.isFrozen(t.shape));
});

Deno.test("encode() aligns a payload byte string so a nested message decodes in place", () => {
  // Guaranteed for the first key of a top-level map (how task payloads travel); elsewhere the
  // heads may not reach every offset and the receiver copies once.
  for (const n of [16, 100, 5000, 70_000]) {
    const inner = encode({ w: new Float32Array(n).fill(1.5) });
    const outer = encode({
      payload: inner,
      kind: "task.assign",
      v: 1,
      task_id: "t".repeat(n % 13),
    });
    const back = decode(outer) as { payload: Uint8Array };
    assert.equal(back.payload.buffer, outer.buffer);
    assert.equal(back.payload.byteOffset % 8, 0, `n ${n}`);
    const w = (decode(back.payload) as { w: Float32Array }).w;
    assert.equal(w.buffer, outer.buffer, "the inner tensor is a view on the outer message");
    assert.equal(w[n - 1], 1.5);
  }
  for (let pad = 0; pad < 9; pad++) {
    const inner = encode({ w: new Float32Array(100).fill(2.5) });
    const outer = encode({ kind: "x".repeat(pad), payload: inner });
    const back = decode(outer) as { payload: Uint8Array };
    assert.equal((decode(back.payload) as { w: Float32Array }).w[99], 2.5);
  }
  // Short byte strings stay minimal; canonical encoding never pads.
  assert.equal(toHex(encode(new Uint8Array([1, 2]))), "420102");
  assert.equal(encodeCanonical({ a: new Uint8Array(64) }).length, 1 + 2 + 2 + 64);
});
