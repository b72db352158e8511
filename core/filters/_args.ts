// Load-time argument checks shared by the built-in filters: every failure is PRIVACY_FILTER and
// names the filter, the argument and its value.
import { FilterError } from "./filter_error.ts";
import type { NonFloat } from "./_payload.ts";

export type Args = Readonly<Record<string, unknown>>;

export class ArgReader {
  readonly #filter: string;
  readonly #args: Args;

  constructor(filter: string, args: Args, known: readonly string[]) {
    this.#filter = filter;
    this.#args = args;
    for (const k of Object.keys(args)) {
      if (!known.includes(k)) this.fail(k, `unknown argument, expected one of ${known.join(", ")}`);
    }
  }

  fail(key: string, why: string): never {
    const shown = JSON.stringify(this.#args[key]) ?? String(this.#args[key]);
    throw new FilterError(
      "PRIVACY_FILTER",
      `Filter "${this.#filter}" has invalid argument "${key}" = ${shown}: ${why}`,
      { filter: this.#filter, key },
    );
  }

  has(key: string): boolean {
    return this.#args[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.#args[key];
  }

  /** A finite number within the bounds; `required` when there is no default. */
  number(
    key: string,
    dflt: number | undefined,
    check: (v: number) => boolean,
    rule: string,
  ): number {
    const v = this.#args[key] ?? dflt;
    if (v === undefined) this.fail(key, `required, ${rule}`);
    if (typeof v !== "number" || !Number.isFinite(v) || !check(v)) this.fail(key, rule);
    return v;
  }

  optionalNumber(key: string, check: (v: number) => boolean, rule: string): number | undefined {
    return this.has(key) ? this.number(key, undefined, check, rule) : undefined;
  }

  boolean(key: string, dflt: boolean): boolean {
    const v = this.#args[key] ?? dflt;
    if (typeof v !== "boolean") this.fail(key, "not a boolean");
    return v;
  }

  nonFloat(): NonFloat {
    const v = this.#args.non_float ?? "refuse";
    if (v !== "refuse" && v !== "process") this.fail("non_float", `not "refuse" or "process"`);
    return v;
  }

  dataKinds(dflt: readonly string[]): readonly string[] {
    const v = this.#args.data_kinds ?? dflt;
    if (!Array.isArray(v) || v.length === 0 || !v.every((k) => typeof k === "string" && k)) {
      this.fail("data_kinds", "not a non-empty list of kind names");
    }
    return Object.freeze([...v as string[]]);
  }
}
