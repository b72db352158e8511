import assert from "node:assert/strict";
import { fromBase64Url, toBase64, toBase64Url } from "./base64.ts";

Deno.test("fromBase64Url() round-trips and refuses non-canonical or foreign alphabets", () => {
  for (const n of [0, 1, 2, 3, 16, 32, 33]) {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    assert.deepEqual(fromBase64Url(toBase64Url(bytes)), bytes);
  }
  assert.equal(fromBase64Url("ab+c"), undefined);
  assert.equal(fromBase64Url("abc="), undefined);
  assert.equal(fromBase64Url("a"), undefined);
  assert.equal(fromBase64Url("AB"), undefined, "stray low bits make a second spelling");
  assert.deepEqual(fromBase64Url("AA"), new Uint8Array([0]));
  assert.equal(toBase64(new Uint8Array([251, 255])), "+/8=");
});
