import { type Dxo, type DxoValue, isDxo } from "./dxo.ts";
import type { FilterContext, FilterOutcome } from "./filter.ts";
import { ArgReader, type Args } from "./_args.ts";

/**
 * ExcludeVars (`privacy-and-filters.md` §6): removes the keys of `data` that `exclude_vars` names,
 * whatever their values, in the DXO and its nested DXOs. A list names exact keys; a string is an
 * ECMAScript RegExp searched in each key; `null` or `""` makes the filter a no-op (with a warning).
 */
export class ExcludeVars {
  readonly name = "ExcludeVars";
  readonly warnings: string[] = [];
  readonly #match: ((key: string) => boolean) | undefined;
  readonly #isRegExp: boolean;

  constructor(args: Args = {}) {
    const a = new ArgReader(this.name, args, ["exclude_vars"]);
    const v = a.raw("exclude_vars");
    this.#isRegExp = typeof v === "string";
    if (v === null || v === undefined || v === "") {
      this.warnings.push(`Filter "ExcludeVars" has no exclude_vars: it removes nothing`);
    } else if (Array.isArray(v)) {
      if (!v.every((k) => typeof k === "string")) a.fail("exclude_vars", "not a list of names");
      const names = new Set<string>(v);
      this.#match = (key) => names.has(key);
    } else if (typeof v === "string") {
      let re: RegExp;
      try {
        re = new RegExp(v);
      } catch (err) {
        a.fail("exclude_vars", `not a valid regular expression (${(err as Error).message})`);
      }
      this.#match = (key) => re.test(key);
    } else {
      a.fail("exclude_vars", "not a list of names, a regular expression or null");
    }
  }

  process(payload: unknown, ctx: FilterContext): FilterOutcome {
    if (ctx.replyCode !== "OK") {
      return { applied: false, reason: `reply code is "${ctx.replyCode}"` };
    }
    if (!isDxo(payload)) return { applied: false, reason: "payload is not a DXO" };
    const match = this.#match;
    const removed: string[] = [];
    const strip = (d: Dxo, prefix: string): Dxo => {
      const data: Record<string, DxoValue> = {};
      for (const key of Object.keys(d.data).sort()) {
        const v = d.data[key]!;
        if (match?.(key)) removed.push(prefix + key);
        else data[key] = isDxo(v) ? strip(v, `${prefix}${key}.`) : v;
      }
      return { kind: d.kind, data, meta: { ...d.meta } };
    };
    const out = strip(payload, "");
    const notes = removed.length > 0
      ? [`removed ${removed.join(", ")}`]
      : match !== undefined && this.#isRegExp
      ? ["warning: exclude_vars matched no key"]
      : [];
    return { applied: true, payload: out, notes };
  }
}
