import assert from "node:assert/strict";
import { decode } from "./decode.ts";
import { encode } from "./encode.ts";
import { KindRegistry } from "./kind_registry.ts";
import * as s from "./schema.ts";
import { Tensor } from "./tensor.ts";
import { assertWireError } from "./_test_util.ts";

function registry() {
  const kinds = new KindRegistry();
  const challenge = kinds.define("reg.challenge", {
    client_name: s.text({ minBytes: 1, maxBytes: 63, pattern: /^[A-Za-z0-9_-]+$/ }),
    project: s.text({ maxBytes: 63 }),
    nonce_c: s.bytes({ length: 32 }),
  }, { route: "/v1/register/challenge" });
  const result = kinds.define("task.result", {
    task_id: s.text(),
    round: s.int({ min: 0 }),
    weights: s.record(s.tensor(), { maxKeys: 4 }),
    metrics: s.optional(s.record(s.number())),
    note: s.nullable(s.text({ maxBytes: 8 })),
    tags: s.array(s.literal("a", "b"), { max: 2 }),
    site_info: s.optional(s.object({ gpus: s.array(s.object({ mem_gib: s.int() })) })),
  }, { route: "/v1/task/result" });
  const ack = kinds.define("ack", {});
  return { kinds, challenge, result, ack };
}

const goodResult = () => ({
  kind: "task.result",
  v: 1,
  task_id: "t1",
  round: 2,
  weights: { w: new Tensor([2], new Float32Array([1, 2])) },
  note: null,
  tags: ["a"],
});

Deno.test("KindRegistry.parse() accepts a body that matches its kind and route", () => {
  const { kinds, challenge } = registry();
  const msg = challenge.make({
    client_name: "site-a",
    project: "p",
    nonce_c: new Uint8Array(32),
  });
  const back = kinds.decodeMessage(encode(msg), { route: "/v1/register/challenge" });
  assert.equal(back.kind, "reg.challenge");
  assert.equal(back.client_name, "site-a");
  const r = kinds.parse(decode(encode(goodResult())), { route: "/v1/task/result" });
  assert.equal(r.round, 2);
  assert.deepEqual(kinds.kinds, ["reg.challenge", "task.result", "ack"]);
  assert.equal(kinds.kindForRoute("/v1/task/result"), "task.result");
});

Deno.test("KindRegistry.parse() rejects an unknown kind with UNKNOWN_KIND", () => {
  const { kinds } = registry();
  assertWireError(() => kinds.parse({ kind: "task.steal", v: 1 }), "UNKNOWN_KIND", {
    path: "$.kind",
  });
});

Deno.test("KindRegistry.parse() rejects a kind posted to another route with KIND_ROUTE_MISMATCH", () => {
  const { kinds } = registry();
  assertWireError(
    () => kinds.parse(goodResult(), { route: "/v1/register/challenge" }),
    "KIND_ROUTE_MISMATCH",
  );
  // A reply kind is never accepted as a request.
  assertWireError(
    () => kinds.parse({ kind: "ack", v: 1 }, { route: "/v1/task/result" }),
    "KIND_ROUTE_MISMATCH",
  );
});

Deno.test("KindRegistry.parse() rejects schema violations naming the field path", () => {
  const { kinds } = registry();
  const cases: [Record<string, unknown>, string][] = [
    [{ ...goodResult(), v: 2 }, "$.v"],
    [{ ...goodResult(), extra: 1 }, "$.extra"],
    [{ ...goodResult(), round: -1 }, "$.round"],
    [{ ...goodResult(), round: 1.5 }, "$.round"],
    [{ ...goodResult(), task_id: 5 }, "$.task_id"],
    [{ ...goodResult(), weights: { w: new Float32Array(2) } }, "$.weights.w"],
    [{ ...goodResult(), weights: { a: 1, b: 2, c: 3, d: 4, e: 5 } }, "$.weights"],
    [{ ...goodResult(), metrics: { "loss-x": "high" } }, '$.metrics["loss-x"]'],
    [{ ...goodResult(), note: "too long text" }, "$.note"],
    [{ ...goodResult(), tags: ["c"] }, "$.tags[0]"],
    [{ ...goodResult(), tags: ["a", "b", "a"] }, "$.tags"],
    [{ ...goodResult(), site_info: { gpus: [{ mem_gib: "x" }] } }, "$.site_info.gpus[0].mem_gib"],
    [{ ...goodResult(), site_info: { gpus: [{}] } }, "$.site_info.gpus[0].mem_gib"],
    [{ kind: "task.result", v: 1 }, "$.task_id"],
    [{ kind: 7, v: 1 }, "$.kind"],
  ];
  for (const [body, path] of cases) {
    const e = assertWireError(() => kinds.parse(decode(encode(body))), "SCHEMA_VIOLATION", {
      path,
    });
    assert.ok(e.message.includes(path), e.message);
  }
  assertWireError(() => kinds.parse([1]), "SCHEMA_VIOLATION", { path: "$" });
  assertWireError(() => kinds.parse(null), "SCHEMA_VIOLATION", { path: "$" });
});

Deno.test("KindRegistry.parse() enforces text byte bounds and patterns", () => {
  const { kinds } = registry();
  const base = { kind: "reg.challenge", v: 1, project: "p", nonce_c: new Uint8Array(32) };
  assertWireError(() => kinds.parse({ ...base, client_name: "" }), "SCHEMA_VIOLATION");
  assertWireError(() => kinds.parse({ ...base, client_name: "a".repeat(64) }), "SCHEMA_VIOLATION");
  assertWireError(() => kinds.parse({ ...base, client_name: "site a" }), "SCHEMA_VIOLATION");
  assertWireError(() => kinds.parse({ ...base, client_name: "é".repeat(32) }), "SCHEMA_VIOLATION");
  assertWireError(
    () => kinds.parse({ ...base, client_name: "a", nonce_c: new Uint8Array(31) }),
    "SCHEMA_VIOLATION",
    { path: "$.nonce_c" },
  );
});

Deno.test("KindDef.make() validates before anything is sent", () => {
  const { challenge } = registry();
  assertWireError(
    () => challenge.make({ client_name: "x", project: "p", nonce_c: new Uint8Array(1) }),
    "SCHEMA_VIOLATION",
  );
});

Deno.test("KindRegistry.define() refuses duplicate kinds and reserved fields", () => {
  const { kinds } = registry();
  assert.throws(() => kinds.define("ack", {}), TypeError);
  assert.throws(() => kinds.define("x", { v: s.int() }), TypeError);
});

Deno.test("KindRegistry.decodeMessage() applies decoder limits and the route", () => {
  const { kinds } = registry();
  const bytes = encode(goodResult());
  assertWireError(
    () => kinds.decodeMessage(bytes, { route: "/v1/task/result", limits: { maxDepth: 1 } }),
    "CBOR_LIMIT",
  );
  assert.equal(kinds.decodeMessage(bytes, { route: "/v1/task/result" }).kind, "task.result");
  assert.ok(kinds.encodeMessage(goodResult()).length > 0);
  assertWireError(() => kinds.encodeMessage({ kind: "nope", v: 1 }), "UNKNOWN_KIND");
});
