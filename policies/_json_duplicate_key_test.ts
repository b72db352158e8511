import assert from "node:assert/strict";
import { findDuplicateJsonKey } from "./_json_duplicate_key.ts";

Deno.test("findDuplicateJsonKey() finds repeated keys at any depth and only there", () => {
  const cases: [string, { path: string; key: string } | undefined][] = [
    [`{"a": 1, "b": 2}`, undefined],
    [`{"a": 1, "a": 2}`, { path: "the top level", key: "a" }],
    [`{"a": {"b": 1}, "c": {"b": 1}}`, undefined],
    [`{"a": {"b": 1, "b": 1}}`, { path: "a", key: "b" }],
    [`{"p": {"my role": {"x": [1, {"k": 1, "k": 2}]}}}`, { path: 'p["my role"].x[1]', key: "k" }],
    [`{"a": "}\\"{\\\\", "b": "a", "c": ["a", "a"]}`, undefined],
    [`{"a": "}\\"{\\\\", "a": 1}`, { path: "the top level", key: "a" }],
    [`{"\\u0061": 1, "a": 2}`, { path: "the top level", key: "a" }],
    [` [ {} , [], {"x": null, "y": true, "z": -1.5e3} ] `, undefined],
    [`"text"`, undefined],
    [`{"A": 1, "a": 2}`, undefined],
  ];
  for (const [text, expected] of cases) {
    JSON.parse(text); // the function's precondition
    assert.deepEqual(findDuplicateJsonKey(text), expected, text);
  }
  assert.throws(() => findDuplicateJsonKey("[".repeat(70) + "]".repeat(70)), RangeError);
});
