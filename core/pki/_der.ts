/** Minimal strict DER reader and writer for the few structures core/pki builds by hand. */

/** One decoded TLV. `content` is a view into the input. */
export interface DerNode {
  tag: number;
  content: Uint8Array;
  /** Offset just past this node in the input. */
  end: number;
}

/** Reads one TLV at `offset`, rejecting non-minimal or indefinite lengths. */
export function readDer(bytes: Uint8Array, offset = 0): DerNode {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined) throw new SyntaxError("DER value is truncated");
  if ((tag & 0x1f) === 0x1f) throw new SyntaxError("DER high tag numbers are not supported");
  let pos = offset + 2;
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new SyntaxError("DER length is indefinite or too long");
    length = 0;
    for (let i = 0; i < n; i++) {
      const b = bytes[pos++];
      if (b === undefined) throw new SyntaxError("DER length is truncated");
      if (i === 0 && b === 0) throw new SyntaxError("DER length is not minimal");
      length = length * 256 + b;
    }
    if (length < 0x80) throw new SyntaxError("DER length is not minimal");
  }
  if (pos + length > bytes.length) throw new SyntaxError("DER value is truncated");
  return { tag, content: bytes.subarray(pos, pos + length), end: pos + length };
}

/** Reads the children of a constructed node's content, requiring them to fill it exactly. */
export function readDerChildren(content: Uint8Array): DerNode[] {
  const out: DerNode[] = [];
  let offset = 0;
  while (offset < content.length) {
    const node = readDer(content, offset);
    out.push(node);
    offset = node.end;
  }
  return out;
}

/** Reads exactly one TLV that must span the whole input. */
export function readDerExact(bytes: Uint8Array): DerNode {
  const node = readDer(bytes, 0);
  if (node.end !== bytes.length) throw new SyntaxError("DER value has trailing bytes");
  return node;
}

/** Encodes one TLV. */
export function der(tag: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const length = parts.reduce((n, p) => n + p.length, 0);
  let head: number[];
  if (length < 0x80) head = [tag, length];
  else {
    const lb: number[] = [];
    for (let v = length; v > 0; v = Math.floor(v / 256)) lb.unshift(v & 0xff);
    head = [tag, 0x80 | lb.length, ...lb];
  }
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  let pos = head.length;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** DER tags used here. */
export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

/** Minimal two's-complement encoding of a non-negative integer given as big-endian bytes. */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array<ArrayBuffer> {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const pad = (trimmed[0] ?? 0) & 0x80 ? new Uint8Array([0]) : new Uint8Array(0);
  return der(TAG.INTEGER, pad, trimmed.length ? trimmed : new Uint8Array([0]));
}

/** DER INTEGER of a small non-negative number. */
export function derSmallInteger(value: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return derUnsignedInteger(new Uint8Array(bytes.length ? bytes : [0]));
}

/** Reads a non-negative minimal INTEGER's magnitude (without the sign pad). */
export function readUnsignedInteger(node: DerNode): Uint8Array {
  if (node.tag !== TAG.INTEGER) throw new SyntaxError("DER value is not an INTEGER");
  const c = node.content;
  if (c.length === 0) throw new SyntaxError("DER INTEGER is empty");
  if ((c[0]! & 0x80) !== 0) throw new SyntaxError("DER INTEGER is negative");
  if (c.length > 1 && c[0] === 0 && (c[1]! & 0x80) === 0) {
    throw new SyntaxError("DER INTEGER is not minimal");
  }
  return c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
}

/** Reads a small non-negative INTEGER as a number. */
export function readSmallInteger(node: DerNode): number {
  const mag = readUnsignedInteger(node);
  if (mag.length > 6) throw new RangeError("DER INTEGER is too large");
  return mag.reduce((n, b) => n * 256 + b, 0);
}

/** Encodes a dotted OID. */
export function derOid(dotted: string): Uint8Array {
  const parts = dotted.split(".").map(Number);
  const body: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) {
      chunk.unshift(0x80 | (v & 0x7f));
    }
    body.push(...chunk);
  }
  return der(TAG.OID, new Uint8Array(body));
}

/** Compares byte arrays. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
