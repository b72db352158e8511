import assert from "node:assert/strict";
import { createFilter, NVFLARE_FILTER_ALIASES } from "./create_filter.ts";
import { FilterError } from "./filter_error.ts";

const site = { source: "site" } as const;

function isPrivacyFilter(e: unknown): boolean {
  return e instanceof FilterError && e.code === "PRIVACY_FILTER";
}

Deno.test("createFilter() maps NVFlare aliases and stockade.filters paths to the built-ins", async () => {
  for (const [path, name] of Object.entries(NVFLARE_FILTER_ALIASES)) {
    assert.equal((await createFilter({ path }, site)).name, name);
  }
  assert.equal(
    (await createFilter({
      path: "stockade.filters.LocalGaussianDP",
      args: {
        clipping_norm: 1,
        sensitivity: 1,
        epsilon: 1,
        delta: 0.1,
      },
    }, site)).name,
    "LocalGaussianDP",
  );
});

Deno.test("createFilter() rejects unsupported NVFlare filters, unknown names and bad entries", async () => {
  const bad: unknown[] = [
    { path: "nvflare.app_common.filters.dxo_blocker.DXOBlocker" },
    { path: "nvflare.app_common.filters.convert_weights.ConvertWeights" },
    { path: "nvflare.app_opt.he.model_encryptor.HEModelEncryptor" },
    { path: "nvflare.app_common.filters.statistics_privacy_filter.StatisticsPrivacyFilter" },
    { path: "nvflare.app_common.widgets.BadModelDetector" },
    { path: "stockade.filters.Nope" },
    { path: "custom_mod.Filter" },
    { name: "Nope" },
    { name: "toString" },
    { name: "ExcludeVars", path: "stockade.filters.ExcludeVars" },
    {},
    { name: "" },
    { name: "ExcludeVars", direction: "both" },
    { name: "ExcludeVars", args: [] },
    { name: "ExcludeVars", extra: 1 },
    { name: "ExcludeVars", args: { exclude_vars: "(" } },
    { name: "PercentilePrivacy", args: { percentil: 10 } },
    "ExcludeVars",
  ];
  for (const entry of bad) {
    await assert.rejects(createFilter(entry, site), isPrivacyFilter, JSON.stringify(entry));
  }
});

Deno.test("createFilter() asks the resolver for other paths and hashes args canonically", async () => {
  const seen: string[] = [];
  const f = await createFilter(
    { path: "my_filters.Clip", args: { b: 1, a: [2, { d: 3, c: 4 }] } },
    {
      source: "job",
      resolve: (path) => {
        seen.push(path);
        return {
          name: "Clip",
          warnings: [],
          process: (p) => ({ applied: true, payload: p, notes: [] }),
        };
      },
    },
  );
  assert.deepEqual(seen, ["my_filters.Clip"]);
  assert.equal(f.source, "job");
  const g = await createFilter(
    { path: "my_filters.Clip", args: { a: [2, { c: 4, d: 3 }], b: 1 } },
    {
      source: "job",
      resolve: () => ({
        name: "Clip",
        warnings: [],
        process: () => ({ applied: false, reason: "x" }),
      }),
    },
  );
  assert.equal(f.argsSha256, g.argsSha256);
  const h = await createFilter({ name: "ExcludeVars" }, site);
  // SHA-256 of "{}".
  assert.equal(h.argsSha256, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  assert.equal(h.warnings.length, 1);
});

Deno.test("createFilter() turns a resolver failure into PRIVACY_FILTER", async () => {
  await assert.rejects(
    createFilter({ path: "my_filters.Clip" }, {
      source: "site",
      resolve: () => {
        throw new Error("no such module");
      },
    }),
    (e: unknown) => isPrivacyFilter(e) && /no such module/.test((e as Error).message),
  );
});

Deno.test("createFilter() takes a chain entry's direction when the filter entry has none", async () => {
  const a = await createFilter({ name: "ExcludeVars" }, { source: "job", direction: "inout" });
  const b = await createFilter({ name: "ExcludeVars", direction: "in" }, {
    source: "job",
    direction: "out",
  });
  const c = await createFilter({ name: "ExcludeVars" }, { source: "job" });
  assert.deepEqual([a.direction, b.direction, c.direction], ["inout", "in", undefined]);
});
