import { ExcludeVars } from "./exclude_vars.ts";
import { FilterError } from "./filter_error.ts";
import type { Filter, FilterContext, FilterDirection, FilterOutcome } from "./filter.ts";
import { GaussianPrivacy } from "./gaussian_privacy.ts";
import { LocalGaussianDP } from "./local_gaussian_dp.ts";
import { PercentilePrivacy } from "./percentile_privacy.ts";
import { SVTPrivacy } from "./svt_privacy.ts";
import type { Args } from "./_args.ts";
import { toHex } from "../util/to_hex.ts";

/** A filter entry of `privacy.json` or of a job config: exactly one of `name` and `path`. */
export interface FilterEntry {
  name?: string;
  path?: string;
  args?: Record<string, unknown>;
  direction?: FilterDirection;
}

/** The logic of a filter, before it is bound to an entry's source, direction and args. */
export interface FilterLogic {
  readonly name: string;
  readonly warnings: readonly string[];
  process(payload: unknown, ctx: FilterContext): FilterOutcome | Promise<FilterOutcome>;
}

/**
 * Builds filter logic for a `path` that is neither a built-in nor an NVFlare alias (a site's
 * `local/custom/<module>.ts`, later sandboxed job code); undefined when it knows no such path.
 */
export type FilterResolver = (
  path: string,
  args: Args,
) => FilterLogic | undefined | Promise<FilterLogic | undefined>;

/** Options of {@linkcode createFilter}. */
export interface CreateFilterOptions {
  /** Where the entry comes from: `site` (privacy policy) or `job` (app config). */
  source: "site" | "job";
  /** The direction of a job config's chain entry, used when the filter entry itself has none. */
  direction?: FilterDirection;
  resolve?: FilterResolver;
}

/** The built-in filters by name (`privacy-and-filters.md` §6). */
export const BUILT_IN_FILTERS: Readonly<Record<string, (args: Args) => FilterLogic>> = Object
  .freeze({
    ExcludeVars: (a) => new ExcludeVars(a),
    PercentilePrivacy: (a) => new PercentilePrivacy(a),
    SVTPrivacy: (a) => new SVTPrivacy(a),
    GaussianPrivacy: (a) => new GaussianPrivacy(a),
    LocalGaussianDP: (a) => new LocalGaussianDP(a),
  });

/** NVFlare paths of the same filters (§9). */
export const NVFLARE_FILTER_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  "nvflare.app_common.filters.exclude_vars.ExcludeVars": "ExcludeVars",
  "nvflare.app_common.filters.percentile_privacy.PercentilePrivacy": "PercentilePrivacy",
  "nvflare.app_common.filters.svt_privacy.SVTPrivacy": "SVTPrivacy",
  "nvflare_gradinv.filters.gaussian_privacy.GaussianPrivacy": "GaussianPrivacy",
});

// NVFlare filters Stockade does not offer (§9), matched by their class name.
const UNSUPPORTED_NVFLARE = [
  "DXOBlocker",
  "ConvertWeights",
  "StatisticsPrivacyFilter",
  "AddNoiseToMinMax",
  "ExcludeFeatures",
  "HistogramBinsCleanser",
  "MinCountCleanser",
  "HEModelEncryptor",
  "HEModelDecryptor",
  "BadModelDetector",
];

const DIRECTIONS = ["in", "out", "inout"];

function fail(message: string, cause?: unknown): FilterError {
  return new FilterError("PRIVACY_FILTER", message, cause === undefined ? {} : { cause });
}

/** Canonical JSON: object keys sorted at every level, so equal args hash equally. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return toHex(new Uint8Array(digest));
}

function builtInFor(path: string): string | undefined {
  const alias = NVFLARE_FILTER_ALIASES[path];
  if (alias !== undefined) return alias;
  const m = /^stockade\.filters\.([A-Za-z]+)$/.exec(path);
  if (m && Object.hasOwn(BUILT_IN_FILTERS, m[1]!)) return m[1];
  if (path.startsWith("nvflare.") || path.startsWith("nvflare_")) {
    const cls = path.slice(path.lastIndexOf(".") + 1);
    throw fail(
      UNSUPPORTED_NVFLARE.includes(cls)
        ? `Filter path "${path}": NVFlare filter "${cls}" is not supported`
        : `Filter path "${path}" is not a supported NVFlare filter`,
    );
  }
  return undefined;
}

/**
 * Constructs a filter from a config entry at load time, so unknown names and bad arguments fail
 * then with `PRIVACY_FILTER` (`privacy-and-filters.md` §1, §9).
 */
export async function createFilter(entry: unknown, options: CreateFilterOptions): Promise<Filter> {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
    throw fail(`Filter entry ${JSON.stringify(entry)} is not an object`);
  }
  const e = entry as Record<string, unknown>;
  for (const k of Object.keys(e)) {
    if (!["name", "path", "args", "direction"].includes(k)) {
      throw fail(`Filter entry has unknown key "${k}"`);
    }
  }
  const hasName = e.name !== undefined;
  const hasPath = e.path !== undefined;
  if (hasName === hasPath) throw fail('Filter entry needs exactly one of "name" and "path"');
  const id = (hasName ? e.name : e.path) as unknown;
  if (typeof id !== "string" || id === "") {
    throw fail(`Filter ${hasName ? "name" : "path"} "${String(id)}" is not a non-empty string`);
  }
  const args = e.args ?? {};
  if (args === null || typeof args !== "object" || Array.isArray(args)) {
    throw fail(`Filter "${id}" has args ${JSON.stringify(args)} that are not an object`);
  }
  const direction = e.direction ?? options.direction;
  if (direction !== undefined && !DIRECTIONS.includes(direction as string)) {
    throw fail(`Filter "${id}" has direction "${String(direction)}", expected in, out or inout`);
  }

  let logic: FilterLogic | undefined;
  const builtIn = hasName ? id : builtInFor(id);
  if (builtIn !== undefined) {
    const make = Object.hasOwn(BUILT_IN_FILTERS, builtIn) ? BUILT_IN_FILTERS[builtIn] : undefined;
    if (make === undefined) throw fail(`Filter name "${builtIn}" is not a built-in filter`);
    logic = make(args as Args);
  } else {
    try {
      logic = await options.resolve?.(id, args as Args);
    } catch (err) {
      if (err instanceof FilterError) throw err;
      throw fail(`Filter path "${id}" cannot be constructed: ${(err as Error).message}`, err);
    }
    if (logic === undefined) throw fail(`Filter path "${id}" is not a known filter`);
  }

  const bound = logic;
  return Object.freeze({
    name: bound.name,
    source: options.source,
    direction: direction as FilterDirection | undefined,
    argsSha256: await sha256Hex(canonicalJson(args)),
    warnings: Object.freeze([...bound.warnings]),
    process: (payload: unknown, ctx: FilterContext) => bound.process(payload, ctx),
  });
}
