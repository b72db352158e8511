import assert from "node:assert/strict";
import {
  loadPrivacyPolicy,
  parsePrivacyPolicy,
  PrivacyPolicyError,
  scopeForJob,
} from "./privacy_policy.ts";

// privacy-and-filters.md §1.
const EXAMPLE = {
  scopes: [
    {
      name: "public",
      properties: { train_dataset: "/data/pub/train" },
      task_result_filters: [{ name: "PercentilePrivacy", args: { percentile: 10, gamma: 0.01 } }],
    },
    {
      name: "private",
      properties: { train_dataset: "/data/priv/train" },
      privacy_budget: {
        max_epsilon_per_job: 8,
        max_epsilon_per_scope: 40,
        max_delta_per_job: 1e-5,
      },
      task_result_filters: [
        { name: "ExcludeVars", args: { exclude_vars: "^bn\\." } },
        {
          name: "LocalGaussianDP",
          args: { clipping_norm: 1.0, sensitivity: 2.0, epsilon: 1.0, delta: 1e-5 },
        },
      ],
    },
  ],
  default_scope: "public",
};

const parse = (v: unknown) => parsePrivacyPolicy(v, { file: "local/privacy.json" });

async function code(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof PrivacyPolicyError, String(e));
    return e.code;
  }
  return "none";
}

Deno.test("parsePrivacyPolicy() reads the spec's example and builds its filters", async () => {
  const p = await parse(EXAMPLE);
  assert.equal(p.defaultScope, "public");
  const priv = p.scopes.get("private")!;
  assert.deepEqual(priv.properties, { train_dataset: "/data/priv/train" });
  assert.equal(priv.taskResultFilters.length, 2);
  assert.equal(priv.taskDataFilters.length, 0);
  assert.ok(priv.budget);
});

Deno.test("parsePrivacyPolicy() refuses bad policies with each code", async () => {
  const scope = (extra: object) => ({ scopes: [{ name: "s", ...extra }] });
  const cases: [unknown, string][] = [
    [[], "PRIVACY_SCOPES"],
    [{ scopes: [] }, "PRIVACY_SCOPES"],
    [{ scopes: "x" }, "PRIVACY_SCOPES"],
    [{ scopes: [{ name: "" }] }, "PRIVACY_SCOPE_NAME"],
    [{ scopes: [{ name: "a" }, { name: "a" }] }, "PRIVACY_SCOPE_DUPLICATE"],
    [scope({ properties: { a: 1 } }), "PRIVACY_PROPERTIES"],
    [scope({ task_result_filters: [{ name: "Nope" }] }), "PRIVACY_FILTER"],
    [
      scope({
        task_result_filters: [{ name: "PercentilePrivacy", args: { percentile: 150, gamma: 1 } }],
      }),
      "PRIVACY_FILTER",
    ],
    [
      scope({ task_data_filters: [{ path: "nvflare.app_common.filters.dxo_blocker.DXOBlocker" }] }),
      "PRIVACY_FILTER",
    ],
    [scope({ privacy_budget: { max_epsilon_per_job: -1 } }), "PRIVACY_BUDGET"],
    [{ ...scope({}), default_scope: "other" }, "PRIVACY_DEFAULT_SCOPE"],
    [{ ...scope({}), components: [] }, "PRIVACY_UNKNOWN_KEY"],
    [scope({ filters: [] }), "PRIVACY_UNKNOWN_KEY"],
  ];
  for (const [value, expected] of cases) {
    assert.equal(await code(() => parse(value)), expected, JSON.stringify(value));
  }
});

Deno.test("scopeForJob() picks the job's scope or the default, and refuses the rest", async () => {
  const p = await parse(EXAMPLE);
  assert.equal(scopeForJob(p, "private", "site-1")?.name, "private");
  assert.equal(scopeForJob(p, undefined, "site-1")?.name, "public");
  assert.equal(scopeForJob(p, "", "site-1")?.name, "public");
  assert.equal(scopeForJob(undefined, "anything", "site-1"), undefined, "no policy: no filters");
  const err = await code(() => scopeForJob(p, "secret", "site-1"));
  assert.equal(err, "PRIVACY_SCOPE_REJECTED");
  assert.throws(
    () => scopeForJob(p, "secret", "site-1"),
    /site site-1 defines no privacy scope "secret"/,
  );
  const noDefault = await parse({ scopes: [{ name: "only" }] });
  assert.equal(
    await code(() => scopeForJob(noDefault, undefined, "site-1")),
    "PRIVACY_SCOPE_MISSING",
  );
});

Deno.test("loadPrivacyPolicy() reads local/privacy.* and never the sample", async () => {
  const kit = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${kit}/local`);
    await Deno.writeTextFile(`${kit}/local/privacy.json.sample`, JSON.stringify(EXAMPLE));
    assert.equal(await loadPrivacyPolicy(kit), undefined);
    await Deno.writeTextFile(
      `${kit}/local/privacy.yml`,
      "scopes:\n  - name: public\ndefault_scope: public\n",
    );
    const loaded = await loadPrivacyPolicy(kit);
    assert.equal(loaded?.file, "local/privacy.yml");
    assert.match(loaded!.sha256, /^[0-9a-f]{64}$/);
    assert.equal(loaded!.policy.defaultScope, "public");
  } finally {
    await Deno.remove(kit, { recursive: true });
  }
});
