import assert from "node:assert/strict";
import { checkComponents } from "./check_components.ts";
import { parseClassAllowList } from "./class_allow_list.ts";
import { loadJobFolder } from "./load_job_folder.ts";
import type { AppConfig } from "./validate_app_config.ts";

const policy = (list: unknown[], mode?: string) =>
  parseClassAllowList({
    class_allow_list: list,
    ...(mode ? { class_list_enforcement_mode: mode } : {}),
  });
const config = (component: Record<string, unknown>) => ({
  format_version: 2,
  components: [component],
});
const allowed = (list: unknown[], component: Record<string, unknown>) =>
  checkComponents(config(component), policy(list), { byoc: false }).allowed;

Deno.test("checkComponents() follows every row of the jobs.md §7.3 table", () => {
  assert.equal(allowed(["stockade."], { path: "stockadeevil.x.C" }), false);
  assert.equal(allowed(["stockade.filters"], { path: "stockade.filtersx.C" }), false);
  assert.equal(
    allowed(["stockade.filters.ExcludeVars"], { path: "stockade.filters.ExcludeVars2" }),
    false,
  );
  assert.equal(
    allowed(["stockade.filters"], { path: "stockade.filters.exclude.ExcludeVars" }),
    true,
  );
  assert.equal(allowed(["acme.models.Net"], { path: "acme.models.Net" }), true);
  assert.equal(allowed(["acme.models.Net"], { class_path: "acme.models.Net" }), true);
  assert.equal(allowed(["stockade."], { path: "stockade.x.C", class_path: "evil.Mod" }), true);
  assert.equal(allowed(["*"], { name: "ExcludeVars" }), false);
  assert.equal(allowed(["stockade."], { name: "ExcludeVars", path: "stockade.x.C" }), false);
  const none = checkComponents(config({ path: "stockade.x.C" }), policy([]), { byoc: false });
  assert.equal(none.allowed, false);
});

Deno.test("checkComponents() refuses missing, empty, non-string and undotted paths", () => {
  for (
    const c of [{}, { path: "" }, { path: 3 }, { class_path: null }, { path: "Single" }, {
      path: "a.b-c.D",
    }, { path: "a..B" }]
  ) {
    assert.equal(allowed(["*"], c as Record<string, unknown>), false, JSON.stringify(c));
  }
});

Deno.test("checkComponents() reports the reason and node path", () => {
  const nested = {
    executors: [{
      tasks: ["train"],
      executor: { path: "stockade.x.E", args: { model: { path: "evil.Mod" } } },
    }],
  };
  const r = checkComponents(nested, policy(["stockade."]), { byoc: false });
  assert.equal(r.allowed, false);
  if (r.allowed) return;
  assert.equal(r.code, "COMPONENT_REJECTED");
  assert.equal(r.nodePath, "executors[0].executor.args.model");
  assert.equal(
    r.message,
    'component not authorized: "evil.Mod" is not in class_allow_list (at executors[0].executor.args.model)',
  );
});

Deno.test("checkComponents() in warn mode allows unlisted paths with one warning each", () => {
  const cfg = {
    format_version: 2,
    components: [{ path: "evil.Mod" }, { path: "evil.Mod" }, { path: "stockade.ok.C" }],
  };
  const r = checkComponents(cfg, policy(["stockade."], "warn"), { byoc: false });
  assert.equal(r.allowed, true);
  assert.deepEqual(r.warnings, [
    'component "evil.Mod" is not in class_allow_list (at components[0])',
  ]);
  const bad = checkComponents({ components: [{ name: "X" }] }, policy(["stockade."], "warn"), {
    byoc: false,
  });
  assert.equal(bad.allowed, false);
});

Deno.test('checkComponents() with "*" allows everything with a warning', () => {
  const r = checkComponents({ components: [{ path: "evil.Mod" }] }, policy(["*"]), { byoc: false });
  assert.equal(r.allowed, true);
  assert.equal(r.warnings.length, 1);
});

Deno.test("checkComponents() skips the allow-list for BYOC apps", () => {
  const cfg = { components: [{ path: "trainer.Net" }] };
  assert.equal(checkComponents(cfg, policy(["stockade."]), { byoc: true }).allowed, true);
  assert.equal(checkComponents(cfg, policy(["stockade."]), { byoc: false }).allowed, false);
});

Deno.test("checkComponents() checks filters and the default list", () => {
  const cfg = {
    task_result_filters: [{
      tasks: ["t"],
      filters: [{ path: "stockade.filters.ExcludeVars" }, {
        path: "nvflare.app_common.filters.exclude_vars.ExcludeVars",
      }],
    }],
  };
  const r = checkComponents(cfg, parseClassAllowList({}), { byoc: false });
  assert.equal(r.allowed, false);
  if (!r.allowed) assert.equal(r.nodePath, "task_result_filters[0].filters[1]");
});

Deno.test("checkComponents() passes the example jobs under the default list", async () => {
  for (const name of ["hello-sag", "fedavg-logreg"]) {
    const job = await loadJobFolder(
      new URL(`../../examples/jobs/${name}`, import.meta.url).pathname,
    );
    const app = job.apps.get("app");
    for (const config of [app?.serverConfig, app?.clientConfig]) {
      assert.ok(config, name);
      const r = checkComponents(
        config as AppConfig,
        parseClassAllowList({}),
        { byoc: false },
      );
      assert.deepEqual(r, { allowed: true, warnings: [] }, name);
    }
  }
});
