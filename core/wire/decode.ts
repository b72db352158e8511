import { halfToNumber } from "./_float16.ts";
import { TYPED_ARRAY_TAGS, type TypedArray } from "./_typed_arrays.ts";
import { type DecodeLimits, DEFAULT_LIMITS, LIMIT_NAMES } from "./limits.ts";
import { Tensor } from "./tensor.ts";
import { WireError, type WireErrorCode } from "./wire_error.ts";

/** Options for {@linkcode decode}. */
export interface DecodeOptions {
  /** Overrides of the default limits (`wire-and-auth.md` §1). */
  limits?: Partial<DecodeLimits>;
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes one CBOR message with the strict rules of `wire-and-auth.md` §1: only the listed types
 * and tags, definite lengths, text keys, limits checked before anything is allocated. Maps become
 * null-prototype objects; byte strings and aligned typed arrays are views on `input` (no copy), so
 * the caller must not reuse `input`'s memory while the result is alive.
 *
 * @throws {WireError} with the spec's code, the byte offset and the path of the offending item
 */
export function decode(input: Uint8Array, options: DecodeOptions = {}): unknown {
  if (!(input instanceof Uint8Array)) {
    throw new TypeError("Cannot decode CBOR: input must be a Uint8Array");
  }
  const limits: DecodeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  if (input.length > limits.maxMessageBytes) {
    throw new WireError(
      "CBOR_LIMIT",
      `Message of ${input.length} bytes exceeds max_message_bytes (${limits.maxMessageBytes})`,
      { offset: 0, limit: "max_message_bytes" },
    );
  }
  // A plain view: subclasses such as Node's Buffer change slice() and subarray() semantics.
  const bytes = Object.getPrototypeOf(input) === Uint8Array.prototype
    ? input
    : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const d = new Decoder(bytes, limits);
  const value = d.item();
  if (d.pos !== input.length) {
    d.fail("CBOR_TRAILING", `${input.length - d.pos} bytes follow the root item`, d.pos);
  }
  return value;
}

class Decoder {
  pos = 0;
  #items = 0;
  #depth = 0;
  readonly #path: (string | number)[] = [];
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #limits: DecodeLimits;

  constructor(bytes: Uint8Array, limits: DecodeLimits) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#limits = limits;
  }

  fail(code: WireErrorCode, message: string, offset: number, extra: object = {}): never {
    throw new WireError(code, message, { offset, path: this.#pathString(), ...extra });
  }

  #limit(name: keyof DecodeLimits, what: string, offset: number): never {
    this.fail(
      "CBOR_LIMIT",
      `${what} exceeds ${LIMIT_NAMES[name]} (${this.#limits[name]})`,
      offset,
      { limit: LIMIT_NAMES[name] },
    );
  }

  #pathString(): string {
    let s = "$";
    for (const p of this.#path) {
      s += typeof p === "number"
        ? `[${p}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)
        ? `.${p}`
        : `[${JSON.stringify(p)}]`;
    }
    return s;
  }

  #need(n: number, start: number): void {
    if (n > this.#bytes.length - this.pos) {
      this.fail("CBOR_MALFORMED", "Unexpected end of input", start);
    }
  }

  /** Reads the argument of a head whose initial byte (already consumed) had `ai`. */
  #arg(ai: number, start: number): number {
    if (ai < 24) return ai;
    const v = this.#view;
    const p = this.pos;
    switch (ai) {
      case 24:
        this.#need(1, start);
        this.pos = p + 1;
        return this.#bytes[p]!;
      case 25:
        this.#need(2, start);
        this.pos = p + 2;
        return v.getUint16(p);
      case 26:
        this.#need(4, start);
        this.pos = p + 4;
        return v.getUint32(p);
      case 27: {
        this.#need(8, start);
        this.pos = p + 8;
        // Any high word above 21 bits puts the value beyond 2^53 - 1; callers reject that.
        return v.getUint32(p) * 2 ** 32 + v.getUint32(p + 4);
      }
      default:
        return this.fail("CBOR_MALFORMED", `Reserved additional information ${ai}`, start);
    }
  }

  #count(start: number): void {
    if (++this.#items > this.#limits.maxItems) this.#limit("maxItems", "Data item count", start);
  }

  item(): unknown {
    const start = this.pos;
    this.#need(1, start);
    this.#count(start);
    const ib = this.#bytes[start]!;
    this.pos = start + 1;
    const major = ib >> 5;
    const ai = ib & 31;
    if (ai === 31) {
      if (major >= 2 && major <= 5) {
        this.fail("CBOR_TYPE_REJECTED", "Indefinite-length items are not accepted", start);
      }
      this.fail(
        "CBOR_MALFORMED",
        major === 7 ? "Unexpected break" : "Invalid additional information 31",
        start,
      );
    }
    switch (major) {
      case 0: {
        const n = this.#arg(ai, start);
        if (n > MAX_SAFE) {
          this.fail("CBOR_TYPE_REJECTED", "Integer magnitude exceeds 2^53 - 1", start);
        }
        return n;
      }
      case 1: {
        const n = this.#arg(ai, start);
        if (n >= MAX_SAFE) {
          this.fail("CBOR_TYPE_REJECTED", "Integer magnitude exceeds 2^53 - 1", start);
        }
        return -1 - n;
      }
      case 2: {
        const n = this.#arg(ai, start);
        this.#need(n, start);
        const p = this.pos;
        this.pos = p + n;
        return this.#bytes.subarray(p, p + n);
      }
      case 3: {
        const n = this.#arg(ai, start);
        if (n > this.#limits.maxTextBytes) this.#limit("maxTextBytes", `Text of ${n} bytes`, start);
        return this.#text(n, start);
      }
      case 4:
        return this.#array(this.#arg(ai, start), start);
      case 5:
        return this.#map(this.#arg(ai, start), start);
      case 6:
        return this.#tag(this.#arg(ai, start), start);
      default:
        return this.#simple(ai, start);
    }
  }

  #text(n: number, start: number): string {
    this.#need(n, start);
    const b = this.#bytes;
    const p = this.pos;
    this.pos = p + n;
    if (n <= 32) {
      let s = "";
      for (let i = p; i < p + n; i++) {
        const c = b[i]!;
        if (c >= 0x80) return this.#utf8(p, n, start);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.#utf8(p, n, start);
  }

  #utf8(p: number, n: number, start: number): string {
    try {
      return utf8.decode(this.#bytes.subarray(p, p + n));
    } catch {
      return this.fail("CBOR_MALFORMED", "Text string is not valid UTF-8", start);
    }
  }

  #enter(n: number, minBytesPerEntry: number, start: number): void {
    if (n > this.#limits.maxEntries) this.#limit("maxEntries", `Container of ${n} entries`, start);
    if (++this.#depth > this.#limits.maxDepth) this.#limit("maxDepth", "Nesting depth", start);
    // Each entry needs at least one byte per item: refuse impossible counts before allocating.
    if (n * minBytesPerEntry > this.#bytes.length - this.pos) {
      this.fail(
        "CBOR_MALFORMED",
        `Container declares ${n} entries but the input ends first`,
        start,
      );
    }
  }

  #array(n: number, start: number): unknown[] {
    this.#enter(n, 1, start);
    const out = new Array<unknown>(n);
    const path = this.#path;
    path.push(0);
    for (let i = 0; i < n; i++) {
      path[path.length - 1] = i;
      out[i] = this.item();
    }
    path.pop();
    this.#depth--;
    return out;
  }

  #map(n: number, start: number): Record<string, unknown> {
    this.#enter(n, 2, start);
    const out: Record<string, unknown> = Object.create(null);
    const path = this.#path;
    for (let i = 0; i < n; i++) {
      const keyStart = this.pos;
      const key = this.#key();
      path.push(key);
      if (key in out) this.fail("CBOR_KEY_REJECTED", `Duplicate map key "${key}"`, keyStart);
      out[key] = this.item();
      path.pop();
    }
    this.#depth--;
    return out;
  }

  #key(): string {
    const start = this.pos;
    this.#need(1, start);
    this.#count(start);
    const ib = this.#bytes[start]!;
    this.pos = start + 1;
    if (ib >> 5 !== 3) this.fail("CBOR_KEY_REJECTED", "Map key is not a text string", start);
    const ai = ib & 31;
    if (ai === 31) {
      this.fail("CBOR_TYPE_REJECTED", "Indefinite-length items are not accepted", start);
    }
    const n = this.#arg(ai, start);
    if (n > this.#limits.maxKeyBytes) this.#limit("maxKeyBytes", `Map key of ${n} bytes`, start);
    const key = this.#text(n, start);
    if (FORBIDDEN_KEYS.has(key)) {
      this.fail("CBOR_KEY_REJECTED", `Map key "${key}" is not accepted`, start);
    }
    return key;
  }

  #tag(tag: number, start: number): unknown {
    if (tag === 40) return this.#tensor(start);
    const kind = TYPED_ARRAY_TAGS.get(tag);
    if (kind === undefined) {
      this.fail("CBOR_TAG_REJECTED", `Tag ${tag} is not accepted`, start, { tag });
    }
    return this.#typedArray(tag, start);
  }

  #typedArray(tag: number, tagStart: number): TypedArray {
    const kind = TYPED_ARRAY_TAGS.get(tag)!;
    const start = this.pos;
    this.#need(1, start);
    this.#count(start);
    const ib = this.#bytes[start]!;
    this.pos = start + 1;
    if (ib >> 5 !== 2 || (ib & 31) === 31) {
      this.fail(
        "CBOR_TYPE_REJECTED",
        `Tag ${tag} must hold a definite-length byte string`,
        tagStart,
      );
    }
    const n = this.#arg(ib & 31, start);
    this.#need(n, start);
    if (n % kind.bytes !== 0) {
      this.fail(
        "CBOR_MALFORMED",
        `Tag ${tag} holds ${n} bytes, not a multiple of the element size ${kind.bytes}`,
        tagStart,
      );
    }
    const p = this.pos;
    this.pos = p + n;
    const b = this.#bytes;
    const abs = b.byteOffset + p;
    if (abs % kind.bytes === 0) return kind.make(b.buffer as ArrayBuffer, abs, n / kind.bytes);
    // Unaligned data cannot be viewed in place: copy it once.
    const copy = new Uint8Array(n);
    copy.set(b.subarray(p, p + n));
    return kind.make(copy.buffer, 0, n / kind.bytes);
  }

  #tensor(tagStart: number): Tensor {
    const b = this.#bytes;
    const shapeErr = (msg: string, at: number): never =>
      this.fail("CBOR_TYPE_REJECTED", `Tag 40 ${msg}`, at);
    let start = this.pos;
    this.#need(1, start);
    this.#count(start);
    const ah = b[start]!;
    this.pos = start + 1;
    if (ah >> 5 !== 4 || (ah & 31) === 31 || this.#arg(ah & 31, start) !== 2) {
      shapeErr("must hold a two-element array [dims, typed array]", tagStart);
    }
    if (++this.#depth > this.#limits.maxDepth) this.#limit("maxDepth", "Nesting depth", start);

    start = this.pos;
    this.#need(1, start);
    this.#count(start);
    const dh = b[start]!;
    this.pos = start + 1;
    if (dh >> 5 !== 4 || (dh & 31) === 31) shapeErr("dims must be an array", start);
    const ndims = this.#arg(dh & 31, start);
    if (ndims < 1 || ndims > 8) shapeErr(`has ${ndims} dims, expected 1 to 8`, start);
    const shape: number[] = [];
    let count = 1;
    for (let i = 0; i < ndims; i++) {
      const s = this.pos;
      this.#need(1, s);
      this.#count(s);
      const h = b[s]!;
      this.pos = s + 1;
      if (h >> 5 !== 0 || (h & 31) === 31) shapeErr(`dim ${i} is not an unsigned integer`, s);
      const dim = this.#arg(h & 31, s);
      if (dim > 2 ** 31 - 1) shapeErr(`dim ${i} (${dim}) exceeds 2^31 - 1`, s);
      shape.push(dim);
      count *= dim;
    }

    start = this.pos;
    this.#need(1, start);
    const th = b[start]!;
    if (th >> 5 !== 6 || (th & 31) === 31) shapeErr("data must be a typed array", start);
    this.pos = start + 1;
    this.#count(start);
    const tag = this.#arg(th & 31, start);
    if (!TYPED_ARRAY_TAGS.has(tag)) {
      if (tag === 40) shapeErr("data must be a typed array", start);
      this.fail("CBOR_TAG_REJECTED", `Tag ${tag} is not accepted`, start, { tag });
    }
    const data = this.#typedArray(tag, start);
    if (count !== data.length) {
      shapeErr(
        `shape [${shape.join(", ")}] holds ${count} elements, data has ${data.length}`,
        tagStart,
      );
    }
    this.#depth--;
    return new Tensor(shape, data);
  }

  #simple(ai: number, start: number): unknown {
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 25:
        this.#need(2, start);
        this.pos += 2;
        return halfToNumber(this.#view.getUint16(start + 1));
      case 26:
        this.#need(4, start);
        this.pos += 4;
        return this.#view.getFloat32(start + 1);
      case 27:
        this.#need(8, start);
        this.pos += 8;
        return this.#view.getFloat64(start + 1);
      case 28:
      case 29:
      case 30:
        return this.fail("CBOR_MALFORMED", `Reserved additional information ${ai}`, start);
      default:
        return this.fail(
          "CBOR_TYPE_REJECTED",
          ai === 23
            ? "Simple value undefined is not accepted"
            : "Simple values other than false, true and null are not accepted",
          start,
        );
    }
  }
}
