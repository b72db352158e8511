import assert from "node:assert/strict";
import fc from "fast-check";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { encodeCanonical } from "./encode_canonical.ts";
import { Tensor } from "./tensor.ts";
import { WireError } from "./wire_error.ts";

const CBOR_CODES = new Set([
  "CBOR_MALFORMED",
  "CBOR_TYPE_REJECTED",
  "CBOR_TAG_REJECTED",
  "CBOR_KEY_REJECTED",
  "CBOR_LIMIT",
  "CBOR_TRAILING",
]);

/** xorshift32: reproducible inputs from a fixed seed. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return { next, int: (n: number) => next() % n };
}

const SEEDS: Uint8Array[] = [
  {
    kind: "task.result",
    v: 1,
    round: 3,
    weights: new Tensor([2, 3], new Float32Array(6).fill(1.5)),
  },
  { a: [1, -2, 3.25, "text", null, true, false, new Uint8Array([1, 2])], b: { c: { d: "é水𝄞" } } },
  [new Float64Array([1, 2]), new Int16Array([3]), new BigInt64Array([5n]), new Uint32Array(3)],
  { t: new Tensor([1, 2, 2], new Int8Array([1, 2, 3, 4])), n: 1e300, h: 0.5, s: 2 ** 40 },
  "a longer text string that goes past thirty-two bytes of UTF-8",
].map((v) => encode(v));
const CANON_SEEDS = SEEDS.map((s) => encodeCanonical(decode(s)));

/** A byte that often forms an interesting head: every major type, boundary arguments. */
function interestingByte(r: ReturnType<typeof rng>): number {
  const majors = [0, 0x20, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xe0];
  const ais = [0, 1, 23, 24, 25, 26, 27, 28, 30, 31, 20, 21, 22];
  return majors[r.int(8)]! | ais[r.int(ais.length)]!;
}

function mutate(r: ReturnType<typeof rng>): Uint8Array {
  const pool = r.int(2) ? SEEDS : CANON_SEEDS;
  const base = pool[r.int(pool.length)]!;
  const b = Array.from(base.length > 4096 ? base.subarray(0, 4096) : base);
  const edits = 1 + r.int(4);
  for (let e = 0; e < edits; e++) {
    const at = r.int(b.length + 1);
    switch (r.int(7)) {
      case 0:
        if (b.length) b[at % b.length] = b[at % b.length]! ^ (1 << r.int(8));
        break;
      case 1:
        if (b.length) b[at % b.length] = r.int(256);
        break;
      case 2:
        b.splice(at, 0, interestingByte(r));
        break;
      case 3:
        b.splice(at, 1 + r.int(8));
        break;
      case 4:
        b.length = at;
        break;
      case 5:
        if (b.length) b[at % b.length] = interestingByte(r);
        break;
      default: {
        const other = SEEDS[r.int(SEEDS.length)]!;
        const from = r.int(other.length);
        b.splice(at, 0, ...other.subarray(from, from + 1 + r.int(16)));
      }
    }
  }
  return new Uint8Array(b);
}

function randomBytes(r: ReturnType<typeof rng>): Uint8Array {
  const out = new Uint8Array(r.int(48));
  for (let i = 0; i < out.length; i++) out[i] = r.int(3) ? interestingByte(r) : r.int(256);
  return out;
}

Deno.test("decode() returns a value or throws a spec error for 120,000 hostile inputs", () => {
  const r = rng(0x5eed1234);
  const small = {
    maxDepth: 4,
    maxEntries: 8,
    maxItems: 64,
    maxTextBytes: 16,
    maxKeyBytes: 8,
    maxMessageBytes: 4096,
  };
  const counts: Record<string, number> = { ok: 0 };
  for (let i = 0; i < 120_000; i++) {
    const input = i % 3 === 0 ? randomBytes(r) : mutate(r);
    const options = i % 5 === 0 ? { limits: small } : {};
    let value: unknown;
    try {
      value = decode(input, options);
    } catch (e) {
      if (!(e instanceof WireError) || !CBOR_CODES.has(e.code)) {
        throw new Error(
          `input ${i} (${
            [...input].map((x) => x.toString(16).padStart(2, "0")).join("")
          }) threw ${e}`,
        );
      }
      assert.ok(e.offset !== undefined && e.offset >= 0 && e.offset <= input.length, e.message);
      counts[e.code] = (counts[e.code] ?? 0) + 1;
      continue;
    }
    counts.ok!++;
    // Whatever the decoder accepts, the encoder can send back unchanged.
    assert.deepStrictEqual(decode(encode(value)), value);
  }
  // The corpus must reach every outcome, or the test proves little.
  for (const code of ["ok", ...CBOR_CODES]) {
    assert.ok((counts[code] ?? 0) > 0, `no input produced ${code}: ${JSON.stringify(counts)}`);
  }
});

// Values of every allowed type, nested.
const leaf = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.maxSafeInteger(),
  fc.double(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 40 }),
  fc.float32Array({ maxLength: 12 }),
  fc.float64Array({ maxLength: 12 }),
  fc.int32Array({ maxLength: 12 }),
  fc.int16Array({ maxLength: 12 }),
  fc.bigInt64Array({ maxLength: 4 }),
  fc.float32Array({ minLength: 1, maxLength: 12 }).map((d) => new Tensor([d.length], d)),
);
const key = fc.string({ maxLength: 12 }).filter((k) =>
  !["__proto__", "constructor", "prototype"].includes(k)
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("array"), tie("map")),
  array: fc.array(tie("node"), { maxLength: 5 }),
  map: fc.dictionary(key, tie("node"), { maxKeys: 5 }),
})).node;

const normalize = (v: unknown): unknown =>
  v instanceof Tensor
    ? { tensor: [...v.shape], data: v.data }
    : Array.isArray(v)
    ? v.map(normalize)
    : v !== null && typeof v === "object" && !ArrayBuffer.isView(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]))
    : v;

Deno.test("decode(encode(v)) equals v for generated values of every allowed type", () => {
  fc.assert(
    fc.property(value, (v) => {
      assert.deepStrictEqual(normalize(decode(encode(v))), normalize(v));
      assert.deepStrictEqual(normalize(decode(encodeCanonical(v))), normalize(v));
    }),
    { numRuns: 2000, seed: 42 },
  );
});

Deno.test("encodeCanonical() gives the same bytes whatever the key order", () => {
  fc.assert(
    fc.property(fc.dictionary(key, fc.integer(), { maxKeys: 8 }), (m) => {
      const reversed = Object.fromEntries(Object.entries(m).reverse());
      assert.deepEqual(encodeCanonical(m), encodeCanonical(reversed));
    }),
    { numRuns: 500, seed: 7 },
  );
});
