import { type TypedArray, typedArrayTag } from "./_typed_arrays.ts";
import { Tensor } from "./tensor.ts";
import { WireError } from "./wire_error.ts";

/** A validator for one decoded value; `path` names the value in errors (`$.site_info.gpus[0]`). */
export interface Schema<T> {
  /** Returns the value (typed) or throws `SCHEMA_VIOLATION` naming `path`. */
  validate(value: unknown, path: string): T;
  /** Human description used in error messages, e.g. "a text string of at most 64 bytes". */
  readonly describe: string;
  readonly optional?: boolean;
}

/** The TypeScript type a schema accepts. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

type Fields = Record<string, Schema<unknown>>;
type Optional<F extends Fields> = {
  [K in keyof F]: F[K] extends { optional: true } ? K : never;
}[keyof F];
/** The object type described by a field map; optional fields may be absent. */
export type ObjectOf<F extends Fields> =
  & { -readonly [K in Exclude<keyof F, Optional<F>>]: Infer<F[K]> }
  & { -readonly [K in Optional<F>]?: Infer<F[K]> };

function violation(path: string, describe: string, value: unknown): never {
  throw new WireError("SCHEMA_VIOLATION", `Field ${path} must be ${describe}, got ${show(value)}`, {
    path,
  });
}

function show(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return v.length > 40 ? `text of ${v.length} characters` : `"${v}"`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Tensor) return "a tensor";
  if (typedArrayTag(v) !== undefined) return "a typed array";
  return typeof v === "object" ? "a map" : typeof v;
}

function make<T>(describe: string, check: (v: unknown, path: string) => boolean): Schema<T> {
  return {
    describe,
    validate(v, path) {
      if (!check(v, path)) violation(path, describe, v);
      return v as T;
    },
  };
}

const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** Text string, with optional byte bounds and a whole-string pattern. */
export function text(
  opts: { minBytes?: number; maxBytes?: number; pattern?: RegExp } = {},
): Schema<string> {
  const { minBytes = 0, maxBytes = Infinity, pattern } = opts;
  const parts = ["a text string"];
  if (maxBytes !== Infinity) parts.push(`of at most ${maxBytes} bytes`);
  if (minBytes > 0) parts.push(`of at least ${minBytes} bytes`);
  if (pattern) parts.push(`matching ${pattern}`);
  return make(parts.join(" "), (v) => {
    if (typeof v !== "string") return false;
    const n = v.length * 3 <= maxBytes && v.length >= minBytes ? v.length : utf8Length(v);
    return n >= minBytes && n <= maxBytes && (!pattern || pattern.test(v));
  });
}

/** Integer within [min, max]. */
export function int(opts: { min?: number; max?: number } = {}): Schema<number> {
  const { min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
  return make(
    `an integer from ${min} to ${max}`,
    (v) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max,
  );
}

/** Any finite number (integer or float). */
export function number(): Schema<number> {
  return make("a finite number", (v) => typeof v === "number" && Number.isFinite(v));
}

export function bool(): Schema<boolean> {
  return make("a boolean", (v) => typeof v === "boolean");
}

/** Byte string, of an exact length or bounded. */
export function bytes(opts: { length?: number; maxBytes?: number } = {}): Schema<Uint8Array> {
  const { length, maxBytes = Infinity } = opts;
  const describe = length !== undefined
    ? `a byte string of ${length} bytes`
    : maxBytes === Infinity
    ? "a byte string"
    : `a byte string of at most ${maxBytes} bytes`;
  return make(
    describe,
    (v) =>
      v instanceof Uint8Array &&
      (length === undefined ? v.length <= maxBytes : v.length === length),
  );
}

/** One of the listed constants. */
export function literal<const T extends string | number | boolean>(...values: T[]): Schema<T> {
  const set = new Set<unknown>(values);
  return make(
    values.length === 1
      ? JSON.stringify(values[0])
      : `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
    (v) => set.has(v),
  );
}

export function tensor(): Schema<Tensor> {
  return make("a tensor", (v) => v instanceof Tensor);
}

export function typedArray(): Schema<TypedArray> {
  return make("a typed array", (v) => v instanceof Uint8Array || typedArrayTag(v) !== undefined);
}

/** Anything the codec decodes; use sparingly (payloads whose shape the job defines). */
export function any(): Schema<unknown> {
  return { describe: "any value", validate: (v) => v };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    describe: `${inner.describe} or null`,
    validate: (v, path) => v === null ? null : inner.validate(v, path),
  };
}

/** A field that may be absent (never present with the value undefined: the codec has none). */
export function optional<T>(inner: Schema<T>): Schema<T> & { optional: true } {
  return { describe: inner.describe, validate: inner.validate, optional: true };
}

export function array<T>(item: Schema<T>, opts: { min?: number; max?: number } = {}): Schema<T[]> {
  const { min = 0, max = Infinity } = opts;
  const describe = `an array of ${min}${max === Infinity ? " or more" : ` to ${max}`} items`;
  return {
    describe,
    validate(v, path) {
      if (!Array.isArray(v) || v.length < min || v.length > max) violation(path, describe, v);
      for (let i = 0; i < v.length; i++) item.validate(v[i], `${path}[${i}]`);
      return v as T[];
    },
  };
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) &&
  !(v instanceof Tensor) && typedArrayTag(v) === undefined;

const child = (path: string, key: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/** A map with exactly these fields (optional ones may be absent); unknown fields are rejected. */
export function object<F extends Fields>(fields: F): Schema<ObjectOf<F>> {
  const names = Object.keys(fields);
  return {
    describe: "a map",
    validate(v, path) {
      if (!isMap(v)) violation(path, "a map", v);
      for (const key of Object.keys(v)) {
        if (!Object.hasOwn(fields, key)) {
          throw new WireError("SCHEMA_VIOLATION", `Unknown field ${child(path, key)}`, {
            path: child(path, key),
          });
        }
      }
      for (const name of names) {
        const schema = fields[name]!;
        const p = child(path, name);
        if (!Object.hasOwn(v, name)) {
          if (schema.optional) continue;
          throw new WireError("SCHEMA_VIOLATION", `Missing field ${p}`, { path: p });
        }
        schema.validate(v[name], p);
      }
      return v as ObjectOf<F>;
    },
  };
}

/** A map with any text keys whose values all match `value`. */
export function record<T>(
  value: Schema<T>,
  opts: { maxKeys?: number } = {},
): Schema<Record<string, T>> {
  const { maxKeys = Infinity } = opts;
  const describe = maxKeys === Infinity ? "a map" : `a map of at most ${maxKeys} entries`;
  return {
    describe,
    validate(v, path) {
      if (!isMap(v)) violation(path, describe, v);
      const keys = Object.keys(v);
      if (keys.length > maxKeys) violation(path, describe, v);
      for (const k of keys) value.validate(v[k], child(path, k));
      return v as Record<string, T>;
    },
  };
}
