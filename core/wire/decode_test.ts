import assert from "node:assert/strict";
import { decode } from "./decode.ts";
import { Tensor } from "./tensor.ts";
import { assertWireError, hex } from "./_test_util.ts";

Deno.test("decode() accepts every allowed simple type", () => {
  assert.equal(decode(hex("00")), 0);
  assert.equal(decode(hex("17")), 23);
  assert.equal(decode(hex("1818")), 24);
  assert.equal(decode(hex("1b001fffffffffffff")), Number.MAX_SAFE_INTEGER);
  assert.equal(decode(hex("3b001ffffffffffffe")), -Number.MAX_SAFE_INTEGER);
  assert.equal(decode(hex("20")), -1);
  assert.equal(decode(hex("f4")), false);
  assert.equal(decode(hex("f5")), true);
  assert.equal(decode(hex("f6")), null);
  assert.equal(decode(hex("f93c00")), 1);
  assert.equal(decode(hex("f90001")), 2 ** -24);
  assert.equal(decode(hex("f97c00")), Infinity);
  assert.ok(Number.isNaN(decode(hex("f97e00"))));
  assert.ok(Object.is(decode(hex("f98000")), -0));
  assert.equal(decode(hex("fa47c35000")), 100000);
  assert.equal(decode(hex("fb3ff199999999999a")), 1.1);
  assert.equal(decode(hex("6449455446")), "IETF");
  assert.equal(decode(hex("62c3bc")), "ü");
  assert.deepEqual(decode(hex("4401020304")), new Uint8Array([1, 2, 3, 4]));
  assert.deepEqual(decode(hex("83010203")), [1, 2, 3]);
});

Deno.test("decode() accepts longer-than-needed argument encodings", () => {
  assert.equal(decode(hex("190001")), 1);
  assert.equal(decode(hex("1a00000001")), 1);
  assert.equal(decode(hex("1b0000000000000001")), 1);
  assert.equal(decode(hex("7a0000000161")), "a");
  assert.deepEqual({ ...decode(hex("b9000161610f")) as object }, { a: 15 });
});

Deno.test("decode() returns maps as null-prototype objects", () => {
  const m = decode(hex("a2616101616202")) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(m), null);
  assert.deepEqual({ ...m }, { a: 1, b: 2 });
  assert.equal("toString" in m, false);
});

Deno.test("decode() decodes every typed-array tag as a view on the input", () => {
  const cases: [string, number, new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView][] = [
    ["40", 1, Uint8Array],
    ["45", 2, Uint16Array],
    ["46", 4, Uint32Array],
    ["47", 8, BigUint64Array],
    ["48", 1, Int8Array],
    ["4d", 2, Int16Array],
    ["4e", 4, Int32Array],
    ["4f", 8, BigInt64Array],
    ["55", 4, Float32Array],
    ["56", 8, Float64Array],
  ];
  for (const [tag, size, Ctor] of cases) {
    // Tag head 2 bytes + byte-string head: pad with a 1-byte array head so data sits at offset 8.
    const len = size * 3;
    const body = hex(`84 000000 d8${tag} 58${len.toString(16).padStart(2, "0")}`);
    const input = new Uint8Array(body.length + len);
    input.set(body);
    for (let i = 0; i < len; i++) input[body.length + i] = i + 1;
    const out = decode(input) as unknown[];
    const arr = out[3] as ArrayBufferView;
    assert.ok(arr instanceof Ctor, `tag 0x${tag}`);
    assert.equal(arr.byteLength, len);
    assert.equal(arr.byteOffset, 8);
    assert.equal(arr.buffer, input.buffer, `tag 0x${tag} must be a view`);
  }
});

Deno.test("decode() copies unaligned typed-array data once and keeps the values", () => {
  // Float32 data at offset 3: cannot be viewed in place.
  const input = hex("d855 44 0000803f");
  const f = decode(input) as Float32Array;
  assert.ok(f instanceof Float32Array);
  assert.notEqual(f.buffer, input.buffer);
  assert.deepEqual([...f], [1]);
});

Deno.test("decode() decodes tag 40 to a tensor with shape and data", () => {
  // 40([[2, 2], float32 LE [1, 2, 3, 4]]), with longer heads placing the data at offset 16.
  const head = hex("d828 82 82 1802 1802 d90055 5a00000010");
  const input = new Uint8Array(head.length + 16);
  input.set(head);
  new Float32Array(input.buffer, head.length, 4).set([1, 2, 3, 4]);
  const t = decode(input) as Tensor;
  assert.ok(t instanceof Tensor);
  assert.deepEqual(t.shape, [2, 2]);
  assert.deepEqual([...t.data], [1, 2, 3, 4]);
  assert.equal(t.data.buffer, input.buffer);
});

// Every rejection of wire-and-auth.md §1, with its exact code.
const REJECTIONS: [string, string, Parameters<typeof assertWireError>[1], object?][] = [
  ["empty input", "", "CBOR_MALFORMED", { offset: 0 }],
  ["truncated argument", "18", "CBOR_MALFORMED"],
  ["truncated byte string", "4401", "CBOR_MALFORMED"],
  ["truncated float", "fa0000", "CBOR_MALFORMED"],
  ["reserved additional information 28", "1c", "CBOR_MALFORMED"],
  ["reserved additional information 30 on a map", "be", "CBOR_MALFORMED"],
  ["additional information 31 on an integer", "1f", "CBOR_MALFORMED"],
  ["a lone break", "ff", "CBOR_MALFORMED"],
  ["invalid UTF-8", "62c328", "CBOR_MALFORMED"],
  ["invalid UTF-8 in a long string", "7821" + "61".repeat(32) + "ff", "CBOR_MALFORMED"],
  ["UTF-16 surrogate encoded in UTF-8", "63eda080", "CBOR_MALFORMED"],
  ["array longer than the input", "830102", "CBOR_MALFORMED"],
  ["map longer than the input", "a2616101", "CBOR_MALFORMED"],
  ["typed array not a multiple of its element size", "d85543000000", "CBOR_MALFORMED"],
  ["integer above 2^53 - 1", "1b0020000000000000", "CBOR_TYPE_REJECTED"],
  ["integer 2^64 - 1", "1bffffffffffffffff", "CBOR_TYPE_REJECTED"],
  ["negative integer below -(2^53 - 1)", "3b001fffffffffffff", "CBOR_TYPE_REJECTED"],
  ["undefined", "f7", "CBOR_TYPE_REJECTED"],
  ["simple value 16", "f0", "CBOR_TYPE_REJECTED"],
  ["one-byte simple value", "f820", "CBOR_TYPE_REJECTED"],
  ["indefinite byte string", "5f4101ff", "CBOR_TYPE_REJECTED"],
  ["indefinite text string", "7f6161ff", "CBOR_TYPE_REJECTED"],
  ["indefinite array", "9f01ff", "CBOR_TYPE_REJECTED"],
  ["indefinite map", "bf616101ff", "CBOR_TYPE_REJECTED"],
  ["typed-array tag around an integer", "d85501", "CBOR_TYPE_REJECTED"],
  ["tag 40 around a map", "d828a0", "CBOR_TYPE_REJECTED"],
  ["tag 40 with three elements", "d828 83 8101 d85540 00", "CBOR_TYPE_REJECTED"],
  ["tag 40 with no dims", "d828 82 80 d85540", "CBOR_TYPE_REJECTED"],
  ["tag 40 with nine dims", "d828 82 89 010101010101010101 d855440000803f", "CBOR_TYPE_REJECTED"],
  ["tag 40 with a negative dim", "d828 82 81 20 d85540", "CBOR_TYPE_REJECTED"],
  ["tag 40 with a dim above 2^31 - 1", "d828 82 81 1a80000000 d85540", "CBOR_TYPE_REJECTED"],
  ["tag 40 whose shape does not match", "d828 82 81 02 d855440000803f", "CBOR_TYPE_REJECTED"],
  ["tag 40 with a plain byte string", "d828 82 81 01 41 00", "CBOR_TYPE_REJECTED"],
  ["tag 40 inside tag 40", "d828 82 81 01 d828 82 81 01 d84041 00", "CBOR_TYPE_REJECTED"],
  ["integer map key", "a10102", "CBOR_KEY_REJECTED"],
  ["byte-string map key", "a1416101", "CBOR_KEY_REJECTED"],
  ["key __proto__", "a1695f5f70726f746f5f5f01", "CBOR_KEY_REJECTED", { path: "$" }],
  ["key constructor", "a16b636f6e7374727563746f7201", "CBOR_KEY_REJECTED"],
  ["key prototype", "a16970726f746f7479706501", "CBOR_KEY_REJECTED"],
  ["duplicate key", "a2616101616102", "CBOR_KEY_REJECTED", { path: "$.a", offset: 4 }],
  ["bytes after the root item", "0102", "CBOR_TRAILING", { offset: 1 }],
  ["text over max_text_bytes, declared only", "7b0000000001000001", "CBOR_LIMIT", {
    limit: "max_text_bytes",
  }],
  ["map key over 256 bytes", "a17901 01" + "61".repeat(257) + "01", "CBOR_LIMIT", {
    limit: "max_key_bytes",
  }],
  ["array over max_entries, declared only", "9a00010001", "CBOR_LIMIT", { limit: "max_entries" }],
  ["map over max_entries, declared only", "ba00010001", "CBOR_LIMIT", { limit: "max_entries" }],
  ["nesting of 33 arrays", "81".repeat(33) + "00", "CBOR_LIMIT", { limit: "max_depth" }],
];

for (const [name, input, code, detail] of REJECTIONS) {
  Deno.test(`decode() rejects ${name} with ${code}`, () => {
    assertWireError(() => decode(hex(input)), code, detail);
  });
}

const REJECTED_TAGS = [
  0,
  1,
  2,
  3,
  4,
  5,
  21,
  24,
  27,
  28,
  29,
  32,
  65,
  66,
  67,
  68,
  73,
  74,
  75,
  76,
  80,
  81,
  82,
  83,
  84,
  87,
  258,
  1040,
  55799,
  2 ** 32 + 40,
];
Deno.test("decode() rejects every tag but 40 and the little-endian typed arrays", () => {
  for (const tag of REJECTED_TAGS) {
    const head = tag < 24
      ? hex((0xc0 | tag).toString(16))
      : tag < 256
      ? hex("d8" + tag.toString(16).padStart(2, "0"))
      : tag < 65536
      ? hex("d9" + tag.toString(16).padStart(4, "0"))
      : hex("db" + tag.toString(16).padStart(16, "0"));
    const input = new Uint8Array([...head, 0x40]);
    assertWireError(() => decode(input), "CBOR_TAG_REJECTED", { tag, offset: 0 });
  }
});

Deno.test("decode() accepts 32 levels of nesting and no more", () => {
  assert.ok(decode(hex("81".repeat(32) + "00")));
  assertWireError(() => decode(hex("a16161".repeat(33) + "00")), "CBOR_LIMIT", {
    limit: "max_depth",
  });
});

Deno.test("decode() enforces each limit from its options", () => {
  const limits = {
    maxMessageBytes: 8,
    maxItems: 4,
    maxEntries: 2,
    maxTextBytes: 3,
    maxDepth: 2,
    maxKeyBytes: 1,
  };
  assertWireError(() => decode(new Uint8Array(9), { limits }), "CBOR_LIMIT", {
    limit: "max_message_bytes",
  });
  assertWireError(() => decode(hex("8201820203"), { limits }), "CBOR_LIMIT", {
    limit: "max_items",
  });
  assertWireError(() => decode(hex("83010203"), { limits }), "CBOR_LIMIT", {
    limit: "max_entries",
  });
  assertWireError(() => decode(hex("6461626364"), { limits }), "CBOR_LIMIT", {
    limit: "max_text_bytes",
  });
  assertWireError(() => decode(hex("81818100"), { limits }), "CBOR_LIMIT", { limit: "max_depth" });
  assertWireError(() => decode(hex("a1626161 01"), { limits }), "CBOR_LIMIT", {
    limit: "max_key_bytes",
  });
  assert.deepEqual(decode(hex("820102"), { limits }), [1, 2]);
});

Deno.test("decode() refuses huge declared lengths before allocating anything", () => {
  // A 4 GiB byte string and a 65,536-entry array declared in a few bytes.
  assertWireError(() => decode(hex("5b0000000100000000")), "CBOR_MALFORMED");
  assertWireError(() => decode(hex("9a00010000")), "CBOR_MALFORMED");
  assertWireError(() => decode(hex("d855 5b00000000ffffffff")), "CBOR_MALFORMED");
});

Deno.test("decode() errors name the byte offset and the field path", () => {
  // {"a": [1, 2, undefined]}: the undefined is at byte 6, path $.a[2].
  const e = assertWireError(() => decode(hex("a1 6161 83 01 02 f7")), "CBOR_TYPE_REJECTED", {
    offset: 6,
    path: "$.a[2]",
  });
  assert.match(e.message, /at byte 6/);
  assert.match(e.message, /\$\.a\[2\]/);
  const k = assertWireError(() => decode(hex("a1 63612d62 c1 00")), "CBOR_TAG_REJECTED", {
    path: '$["a-b"]',
    tag: 1,
  });
  assert.match(k.message, /Tag 1/);
});

Deno.test("decode() rejects input that is not a Uint8Array", () => {
  assert.throws(() => decode("00" as unknown as Uint8Array), TypeError);
});

Deno.test("decode() treats a Node Buffer input like a plain Uint8Array", async () => {
  const { Buffer } = await import("node:buffer");
  // Float32 data at offset 3 of a pooled Buffer: must be copied, not viewed at the pool's start.
  const pool = Buffer.alloc(64, 0xee);
  const input = pool.subarray(5, 12);
  input.set(hex("d855 44 0000803f"));
  const f = decode(input) as Float32Array;
  assert.deepEqual([...f], [1]);
  const bytes = decode(Buffer.from(hex("43010203"))) as Uint8Array;
  assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
  assert.deepEqual([...bytes], [1, 2, 3]);
});
