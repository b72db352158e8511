import assert from "node:assert/strict";
import type { Dxo } from "./dxo.ts";
import { ExcludeVars } from "./exclude_vars.ts";
import { constNoise, testContext } from "./_test_util.ts";

const ctx = testContext(constNoise());

Deno.test("ExcludeVars() searches the RegExp anywhere in the key and recurses into nested DXOs", () => {
  const out = new ExcludeVars({ exclude_vars: "bn" }).process({
    kind: "COLLECTION",
    data: {
      conv_bn: 1,
      keep: 2,
      inner: { kind: "WEIGHTS", data: { "x.bn.y": 3, z: 4 }, meta: {} },
    },
    meta: { a: 1 },
  }, ctx);
  assert.ok(out.applied);
  const d = out.payload as Dxo;
  assert.deepEqual(Object.keys(d.data), ["inner", "keep"]);
  assert.deepEqual((d.data.inner as Dxo).data, { z: 4 });
  assert.deepEqual(out.notes, ["removed conv_bn, inner.x.bn.y"]);
  assert.deepEqual(d.meta, { a: 1 });
});

Deno.test("ExcludeVars() warns about a regex that matches nothing and about null or empty", () => {
  const none = new ExcludeVars({ exclude_vars: "^zzz" }).process(
    { kind: "WEIGHTS", data: { a: 1 }, meta: {} },
    ctx,
  );
  assert.ok(none.applied && none.notes.some((n) => n.startsWith("warning")));
  for (const v of [null, ""]) {
    const f = new ExcludeVars({ exclude_vars: v });
    assert.equal(f.warnings.length, 1);
    const out = f.process({ kind: "WEIGHTS", data: { a: 1 }, meta: {} }, ctx);
    assert.ok(out.applied);
    assert.deepEqual((out.payload as Dxo).data, { a: 1 });
  }
});

Deno.test("ExcludeVars() skips non-DXO payloads and bad reply codes", () => {
  const f = new ExcludeVars({ exclude_vars: ["a"] });
  assert.ok(!f.process([1, 2], ctx).applied);
  assert.ok(
    !f.process(
      { kind: "WEIGHTS", data: { a: 1 }, meta: {} },
      testContext(constNoise(), [], "ERROR"),
    ).applied,
  );
});
