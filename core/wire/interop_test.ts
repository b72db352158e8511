// Interop with cbor-x, a CBOR implementation nobody here wrote: it must read what we write, and we
// must read what it writes within the strict subset and refuse the rest with the right code.
import assert from "node:assert/strict";
import { Decoder } from "cbor-x/decode";
import { Encoder } from "cbor-x/encode";
import fc from "fast-check";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { encodeCanonical } from "./encode_canonical.ts";
import { Tensor } from "./tensor.ts";
import { assertWireError } from "./_test_util.ts";

const cborx = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  tagUint8Array: false,
  pack: false,
});

// int64AsNumber exists in cbor-x's decoder but not in its type definitions.
const cborxDecoder = new Decoder(
  { mapsAsObjects: true, int64AsNumber: true } as ConstructorParameters<typeof Decoder>[0],
);
const cborxDecode = (b: Uint8Array): unknown => cborxDecoder.decode(b);

const key = fc.string({ maxLength: 10 }).filter((k) =>
  !["__proto__", "constructor", "prototype"].includes(k)
);
const leaf = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 30 }),
  fc.float32Array({ maxLength: 8 }),
  fc.float64Array({ maxLength: 8 }),
  fc.int32Array({ maxLength: 8 }),
  fc.uint16Array({ maxLength: 8 }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("map")),
  array: fc.array(tie("node"), { maxLength: 4 }),
  map: fc.dictionary(key, tie("node"), { maxKeys: 4 }),
})).node;

const plain = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(plain)
    : v !== null && typeof v === "object" && !ArrayBuffer.isView(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
    : v;

Deno.test("decode() reads what cbor-x writes", () => {
  fc.assert(
    fc.property(value, (v) => {
      assert.deepStrictEqual(plain(decode(cborx.encode(v))), plain(v));
    }),
    { numRuns: 1500, seed: 11 },
  );
});

Deno.test("cbor-x reads what encode() and encodeCanonical() write", () => {
  fc.assert(
    fc.property(value, (v) => {
      assert.deepStrictEqual(plain(cborxDecode(encode(v))), plain(v));
      assert.deepStrictEqual(plain(cborxDecode(encodeCanonical(v))), plain(v));
    }),
    { numRuns: 1500, seed: 12 },
  );
});

Deno.test("cbor-x reads an aligned tensor as tag 40 with the same dims and data", () => {
  const t = new Tensor([2, 3], new Float32Array([1, 2, 3, 4, 5, 6]));
  const back = cborxDecode(encode({ layer: t })) as { layer: { tag: number; value: unknown[] } };
  assert.equal(back.layer.tag, 40);
  assert.deepEqual(back.layer.value[0], [2, 3]);
  assert.deepEqual([...back.layer.value[1] as Float32Array], [1, 2, 3, 4, 5, 6]);
});

Deno.test("decode() refuses what cbor-x writes outside the strict subset", () => {
  const loose = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: true });
  assertWireError(() => decode(loose.encode(new Date(0))), "CBOR_TAG_REJECTED", { tag: 1 });
  assertWireError(() => decode(loose.encode(2n ** 70n)), "CBOR_TAG_REJECTED", { tag: 2 });
  assertWireError(() => decode(loose.encode(undefined)), "CBOR_TYPE_REJECTED");
  assertWireError(() => decode(loose.encode(new Set([1]))), "CBOR_TAG_REJECTED", { tag: 258 });
  assertWireError(() => decode(loose.encode(new Map([[1, 2]]))), "CBOR_KEY_REJECTED");
  assertWireError(() => decode(loose.encode(/x/)), "CBOR_TAG_REJECTED", { tag: 27 });
  assertWireError(() => decode(loose.encode(new Uint8ClampedArray(2))), "CBOR_TAG_REJECTED", {
    tag: 68,
  });
  // Records (cbor-x's structure-sharing extension) name a shape by tag: refused too.
  const records = new Encoder({ useRecords: true });
  const e = assertWireError(
    () => decode(records.encode([{ a: 1 }, { a: 2 }])),
    "CBOR_TAG_REJECTED",
  );
  assert.ok(e.tag !== undefined && e.tag > 55799);
});
