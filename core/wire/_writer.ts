// The encoder behind encode() and encodeCanonical(): one pass, heads into a scratch buffer, large
// byte runs kept by reference and copied once into the final message.
import { numberToHalfExact } from "./_float16.ts";
import { type TypedArray, typedArrayTag } from "./_typed_arrays.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { Tensor } from "./tensor.ts";
import { WireError } from "./wire_error.ts";

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const BIG_RUN = 16 * 1024;
const WIDTHS = [1, 2, 3, 5, 9] as const;
/** Byte strings at least this long are aligned to 8 (payloads carried inside messages). */
const ALIGN_BYTES_MIN = 64;
const te = new TextEncoder();

function minWidth(v: number): number {
  return v < 24 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v < 0x100000000 ? 5 : 9;
}

/** A head whose width the aligner may choose (any width at least its minimum encodes the value). */
interface Head {
  major: number;
  value: number;
}

export interface WriterOptions {
  /** RFC 8949 §4.2.1 core deterministic encoding: sorted keys, shortest heads, no alignment. */
  canonical: boolean;
}

export class Writer {
  readonly #parts: Uint8Array[] = [];
  #flushed = 0;
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #pos = 0;
  /** Start of the bytes in #buf not yet moved to #parts. */
  #start = 0;
  readonly #canonical: boolean;
  readonly #path: (string | number)[] = [];

  constructor(options: WriterOptions) {
    this.#canonical = options.canonical;
  }

  finish(): Uint8Array<ArrayBuffer> {
    if (this.#parts.length === 0) return this.#buf.slice(0, this.#pos);
    this.#flush();
    const out = new Uint8Array(this.#flushed);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  #fail(code: "CBOR_TYPE_REJECTED" | "CBOR_KEY_REJECTED" | "CBOR_LIMIT", msg: string): never {
    let path = "$";
    for (const p of this.#path) path += typeof p === "number" ? `[${p}]` : `.${p}`;
    throw new WireError(code, `Cannot encode: ${msg}`, {
      path,
      ...(code === "CBOR_LIMIT" ? { limit: "max_depth" } : {}),
    });
  }

  #flush(): void {
    if (this.#pos > this.#start) {
      this.#parts.push(this.#buf.subarray(this.#start, this.#pos));
      this.#flushed += this.#pos - this.#start;
    }
    // Flushed bytes stay referenced: later heads go after them, never over them.
    this.#start = this.#pos;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    if (this.#parts.length === 0 && this.#pos + n <= 1024 * 1024) {
      // Small messages stay in one growing buffer.
      const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#pos + n));
      next.set(this.#buf.subarray(0, this.#pos));
      this.#buf = next;
    } else {
      this.#flush();
      this.#buf = new Uint8Array(Math.max(64 * 1024, n));
      this.#pos = 0;
      this.#start = 0;
    }
    this.#view = new DataView(this.#buf.buffer);
  }

  get #offset(): number {
    return this.#flushed + this.#pos - this.#start;
  }

  #head(major: number, v: number, width = minWidth(v)): void {
    this.#ensure(9);
    const b = this.#buf;
    const p = this.#pos;
    const m = major << 5;
    switch (width) {
      case 1:
        b[p] = m | v;
        break;
      case 2:
        b[p] = m | 24;
        b[p + 1] = v;
        break;
      case 3:
        b[p] = m | 25;
        this.#view.setUint16(p + 1, v);
        break;
      case 5:
        b[p] = m | 26;
        this.#view.setUint32(p + 1, v);
        break;
      default:
        b[p] = m | 27;
        this.#view.setUint32(p + 1, Math.floor(v / 2 ** 32));
        this.#view.setUint32(p + 5, v >>> 0);
    }
    this.#pos = p + width;
  }

  #bytes(data: Uint8Array): void {
    if (data.length >= BIG_RUN) {
      this.#flush();
      this.#parts.push(data);
      this.#flushed += data.length;
      return;
    }
    this.#ensure(data.length);
    this.#buf.set(data, this.#pos);
    this.#pos += data.length;
  }

  #number(v: number): void {
    if (Number.isInteger(v) && Math.abs(v) <= MAX_SAFE && !Object.is(v, -0)) {
      if (v >= 0) this.#head(0, v);
      else this.#head(1, -1 - v);
      return;
    }
    this.#ensure(9);
    const half = numberToHalfExact(v);
    const p = this.#pos;
    if (half >= 0) {
      this.#buf[p] = 0xf9;
      this.#view.setUint16(p + 1, half);
      this.#pos = p + 3;
    } else if (Math.fround(v) === v) {
      this.#buf[p] = 0xfa;
      this.#view.setFloat32(p + 1, v);
      this.#pos = p + 5;
    } else {
      this.#buf[p] = 0xfb;
      this.#view.setFloat64(p + 1, v);
      this.#pos = p + 9;
    }
  }

  #string(s: string): void {
    if (s.length < 24) {
      let ascii = true;
      for (let i = 0; i < s.length; i++) {
        if (s.charCodeAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.#ensure(1 + s.length);
        const b = this.#buf;
        let p = this.#pos;
        b[p++] = 0x60 | s.length;
        for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
        this.#pos = p;
        return;
      }
    }
    const bytes = te.encode(s);
    this.#head(3, bytes.length);
    this.#bytes(bytes);
  }

  value(v: unknown, depth = 0): void {
    switch (typeof v) {
      case "number":
        return this.#number(v);
      case "string":
        return this.#string(v);
      case "boolean":
        this.#ensure(1);
        this.#buf[this.#pos++] = v ? 0xf5 : 0xf4;
        return;
      case "object":
        break;
      default:
        return this.#fail("CBOR_TYPE_REJECTED", `${typeof v} values have no encoding`);
    }
    if (v === null) {
      this.#ensure(1);
      this.#buf[this.#pos++] = 0xf6;
      return;
    }
    if (v instanceof Uint8Array) {
      if (!this.#canonical && v.length >= ALIGN_BYTES_MIN) return this.#alignedBytes([], v);
      this.#head(2, v.length);
      return this.#bytes(v);
    }
    if (depth >= DEFAULT_LIMITS.maxDepth) {
      this.#fail("CBOR_LIMIT", `nesting deeper than ${DEFAULT_LIMITS.maxDepth} (or a cycle)`);
    }
    if (v instanceof Tensor || typedArrayTag(v) !== undefined) {
      return this.#aligned([], v as TypedArray | Tensor);
    }
    if (Array.isArray(v)) {
      this.#head(4, v.length);
      const path = this.#path;
      path.push(0);
      for (let i = 0; i < v.length; i++) {
        path[path.length - 1] = i;
        this.value(v[i], depth + 1);
      }
      path.pop();
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      const name = (v as { constructor?: { name?: string } }).constructor?.name ?? "unknown";
      return this.#fail("CBOR_TYPE_REJECTED", `objects of class "${name}" have no encoding`);
    }
    this.#map(v as Record<string, unknown>, depth);
  }

  #map(obj: Record<string, unknown>, depth: number): void {
    let keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    if (this.#canonical) {
      // Deterministic order = bytewise order of the encoded keys: shorter UTF-8 first, then bytes.
      const enc = new Map(keys.map((k) => [k, te.encode(k)]));
      keys = keys.sort((a, b) => compareBytes(enc.get(a)!, enc.get(b)!));
    }
    this.#head(5, keys.length);
    const path = this.#path;
    for (const k of keys) {
      path.push(k);
      if (FORBIDDEN_KEYS.has(k)) this.#fail("CBOR_KEY_REJECTED", `map key "${k}" is not accepted`);
      const val = obj[k];
      if (
        !this.#canonical && typeof val === "object" &&
        (val instanceof Tensor ||
          (!(val instanceof Uint8Array) && typedArrayTag(val) !== undefined))
      ) {
        // The key's head is one more width the aligner may choose.
        const kb = te.encode(k);
        this.#aligned([{ major: 3, value: kb.length, fixed: kb }], val as TypedArray | Tensor);
      } else if (
        !this.#canonical && val instanceof Uint8Array && val.length >= ALIGN_BYTES_MIN
      ) {
        const kb = te.encode(k);
        this.#alignedBytes([{ major: 3, value: kb.length, fixed: kb }], val);
      } else {
        this.#string(k);
        this.value(val, depth + 1);
      }
      path.pop();
    }
  }

  /**
   * Writes a byte string so that its data starts at a multiple of 8: a nested message carried as
   * bytes (a task payload) can then be decoded in place, its own tensors aligned too.
   */
  #alignedBytes(prefix: (Head & { fixed: Uint8Array })[], data: Uint8Array): void {
    const heads: Head[] = [...prefix, { major: 2, value: data.length }];
    const fixed = prefix.reduce((a, p) => a + p.fixed.length, 0);
    const widths = chooseWidths(this.#offset + fixed, heads, 8);
    let i = 0;
    for (const p of prefix) {
      this.#head(p.major, p.value, widths[i++]);
      this.#bytes(p.fixed);
    }
    this.#head(2, data.length, widths[i]);
    this.#bytes(data);
  }

  /**
   * Writes a typed array or tensor so that its element data starts at a message offset that is a
   * multiple of the element size, by choosing the widths of the heads in front of it.
   */
  #aligned(prefix: (Head & { fixed: Uint8Array })[], v: TypedArray | Tensor): void {
    const tensor = v instanceof Tensor ? v : undefined;
    const data = tensor ? tensor.data : v as TypedArray;
    const tag = typedArrayTag(data);
    if (tag === undefined) {
      return this.#fail("CBOR_TYPE_REJECTED", "tensor data must be a little-endian typed array");
    }
    const size = data.BYTES_PER_ELEMENT;
    const heads: Head[] = [];
    const fixedAfter: number[] = [];
    for (const p of prefix) {
      heads.push(p);
      fixedAfter.push(p.fixed.length);
    }
    let dimBytes = 0;
    if (tensor) {
      heads.push({ major: 6, value: 40 }, { major: 4, value: 2 }, {
        major: 4,
        value: tensor.shape.length,
      });
      fixedAfter.push(0, 0, 0);
      for (const d of tensor.shape) dimBytes += minWidth(d);
      fixedAfter[fixedAfter.length - 1] = dimBytes;
    }
    heads.push({ major: 6, value: tag }, { major: 2, value: data.byteLength });
    fixedAfter.push(0, 0);
    const widths = this.#canonical
      ? heads.map((h) => minWidth(h.value))
      : chooseWidths(this.#offset + fixedAfter.reduce((a, b) => a + b, 0), heads, size);
    let i = 0;
    for (const p of prefix) {
      this.#head(p.major, p.value, widths[i++]);
      this.#bytes(p.fixed);
    }
    if (tensor) {
      this.#head(6, 40, widths[i++]);
      this.#head(4, 2, widths[i++]);
      this.#head(4, tensor.shape.length, widths[i++]);
      for (const d of tensor.shape) this.#head(0, d);
    }
    this.#head(6, tag, widths[i++]);
    this.#head(2, data.byteLength, widths[i++]);
    this.#bytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
}

/**
 * Head widths, smallest total first, that put the byte after the last head at a multiple of
 * `align`; the minimum widths when no choice can (the decoder then copies once).
 */
export function chooseWidths(start: number, heads: Head[], align: number): number[] {
  const mins = heads.map((h) => minWidth(h.value));
  if (align === 1) return mins;
  let best: number[] | undefined;
  let bestTotal = Infinity;
  const cur: number[] = [];
  const walk = (i: number, total: number): void => {
    if (total >= bestTotal) return;
    if (i === heads.length) {
      if ((start + total) % align === 0) {
        best = [...cur];
        bestTotal = total;
      }
      return;
    }
    for (const w of WIDTHS) {
      if (w < mins[i]!) continue;
      cur.push(w);
      walk(i + 1, total + w);
      cur.pop();
    }
  };
  walk(0, 0);
  return best ?? mins;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return 0;
}
