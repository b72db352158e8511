import assert from "node:assert/strict";
import { ClassAllowListError, parseClassAllowList } from "./class_allow_list.ts";

Deno.test("parseClassAllowList() applies the default list and mode", () => {
  assert.deepEqual(parseClassAllowList({}), {
    entries: ["stockade."],
    mode: "enforce",
    isDefault: true,
    allowsAll: false,
  });
  const p = parseClassAllowList({
    class_allow_list: ["stockade.filters", "acme.X", "*"],
    class_list_enforcement_mode: "warn",
  });
  assert.equal(p.mode, "warn");
  assert.equal(p.allowsAll, true);
  assert.equal(p.isDefault, false);
  assert.deepEqual(parseClassAllowList({ class_allow_list: [] }).entries, []);
});

Deno.test("parseClassAllowList() refuses every invalid entry of the jobs.md §7.3 table", () => {
  for (const bad of ["", 1, "stockade", " stockade.", "stockade. ", ".", "stockade..x.", "a..b"]) {
    assert.throws(() => parseClassAllowList({ class_allow_list: [bad] }), (err: unknown) => {
      assert.ok(err instanceof ClassAllowListError);
      assert.equal(err.code, "CLASS_ALLOW_LIST_INVALID");
      return true;
    }, JSON.stringify(bad));
  }
  assert.throws(() => parseClassAllowList({ class_allow_list: "stockade." }), {
    code: "CLASS_ALLOW_LIST_INVALID",
  });
});

Deno.test("parseClassAllowList() refuses every invalid mode of the jobs.md §7.3 table", () => {
  for (const mode of ["WARN", "", true]) {
    assert.throws(
      () => parseClassAllowList({ class_list_enforcement_mode: mode }),
      { name: "ClassAllowListError", code: "CLASS_LIST_MODE_INVALID" },
    );
  }
});
