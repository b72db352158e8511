// Gathers the numeric elements of a DXO into one float64 vector (keys in ascending JS string
// order, nested DXOs depth first) and writes a processed vector back with each value's own form.
import { Tensor } from "../wire/mod.ts";
import { type Dxo, type DxoValue, isDxo } from "./dxo.ts";
import { FilterError } from "./filter_error.ts";

export type NonFloat = "refuse" | "process";

interface Slot {
  /** Path of keys from the top-level data, e.g. ["model", "fc1"]. */
  path: string[];
  offset: number;
  length: number;
  make: (values: Float64Array) => DxoValue;
}

/** The processed elements of a DXO and how to rebuild it. */
export interface Gathered {
  x: Float64Array;
  notes: string[];
  /** A new DXO with every processed value replaced by its slice of `y`; `data` keys sorted. */
  rebuild(y: Float64Array): Dxo;
}

export interface GatherOptions {
  filter: string;
  nonFloat: NonFloat;
  dataKinds: readonly string[];
  /** Nested DXOs of another kind: refused (`kind`) rather than left untouched. */
  refuseOtherKinds: boolean;
}

function refuse(o: GatherOptions, key: string, what: string, reason: "non_float" | "kind") {
  return new FilterError(
    "PRIVACY_REFUSED",
    `Filter "${o.filter}" refused key "${key}": ${what}`,
    { reason, filter: o.filter, key },
  );
}

export function gather(dxo: Dxo, o: GatherOptions): Gathered {
  const slots: Slot[] = [];
  const parts: ArrayLike<number>[] = [];
  const notes: string[] = [];
  let total = 0;

  const add = (path: string[], values: ArrayLike<number>, make: Slot["make"]) => {
    slots.push({ path, offset: total, length: values.length, make });
    parts.push(values);
    total += values.length;
  };

  const walk = (d: Dxo, prefix: string[]) => {
    for (const key of Object.keys(d.data).sort()) {
      const v = d.data[key];
      const path = [...prefix, key];
      const name = path.join(".");
      if (isDxo(v)) {
        if (v.kind === "COLLECTION" || o.dataKinds.includes(v.kind)) walk(v, path);
        else if (o.refuseOtherKinds) throw refuse(o, name, `DXO kind "${v.kind}"`, "kind");
        else notes.push(`left ${name}: DXO kind ${v.kind}`);
        continue;
      }
      const isTensor = v instanceof Tensor;
      const arr = isTensor ? v.data : v;
      if (arr instanceof Float32Array || arr instanceof Float64Array) {
        const f32 = arr instanceof Float32Array;
        add(path, arr, (y) => {
          const out = f32 ? new Float32Array(y) : y.slice();
          return isTensor ? new Tensor(v.shape, out) : out;
        });
      } else if (arr instanceof BigInt64Array || arr instanceof BigUint64Array) {
        throw refuse(o, name, "64-bit integer array", "non_float");
      } else if (ArrayBuffer.isView(arr) && !(arr instanceof DataView)) {
        if (o.nonFloat === "refuse") {
          throw refuse(o, name, `${arr.constructor.name} is not a float array`, "non_float");
        }
        notes.push(`converted ${name} from ${arr.constructor.name} to Float64Array`);
        add(path, arr, (y) => isTensor ? new Tensor(v.shape, y.slice()) : y.slice());
      } else if (typeof arr === "number") {
        if (o.nonFloat === "refuse") {
          throw refuse(o, name, `scalar "${arr}" is not a float array`, "non_float");
        }
        add(path, [arr], (y) => y[0]!);
      } else {
        throw refuse(o, name, `value of type ${describe(arr)} cannot be processed`, "non_float");
      }
    }
  };
  walk(dxo, []);

  const x = new Float64Array(total);
  let at = 0;
  for (const p of parts) {
    if (p instanceof Float32Array || p instanceof Float64Array) x.set(p, at);
    else for (let i = 0; i < p.length; i++) x[at + i] = p[i]!;
    at += p.length;
  }
  for (let s = 0; s < slots.length; s++) {
    const slot = slots[s]!;
    for (let i = slot.offset; i < slot.offset + slot.length; i++) {
      if (!Number.isFinite(x[i]!)) {
        const key = slot.path.join(".");
        throw new FilterError(
          "PRIVACY_REFUSED",
          `Filter "${o.filter}" refused key "${key}": element ${i - slot.offset} is "${x[i]}"`,
          { reason: "non_finite", filter: o.filter, key },
        );
      }
    }
  }

  const rebuild = (y: Float64Array): Dxo => {
    const byPath = new Map<string, DxoValue>();
    for (const s of slots) {
      byPath.set(JSON.stringify(s.path), s.make(y.subarray(s.offset, s.offset + s.length)));
    }
    const copy = (d: Dxo, prefix: string[]): Dxo => {
      const data: Record<string, DxoValue> = {};
      for (const key of Object.keys(d.data).sort()) {
        const path = [...prefix, key];
        const v = d.data[key]!;
        const done = byPath.get(JSON.stringify(path));
        data[key] = done !== undefined ? done : isDxo(v) ? copy(v, path) : v;
      }
      return { kind: d.kind, data, meta: { ...d.meta } };
    };
    return copy(dxo, []);
  };
  return { x, notes, rebuild };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}
