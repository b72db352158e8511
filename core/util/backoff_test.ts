import assert from "node:assert/strict";
import { Backoff } from "./backoff.ts";

Deno.test("Backoff.next() doubles its ceiling up to the cap, with jitter in the upper half", () => {
  const b = new Backoff({ initialMs: 500, maxMs: 30_000 });
  const ceilings = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000];
  for (const ceiling of ceilings) {
    const wait = b.next();
    assert.ok(
      wait >= ceiling / 2 && wait <= ceiling,
      `${wait} not in [${ceiling / 2}, ${ceiling}]`,
    );
  }
  assert.equal(b.failures, 8);
  b.reset();
  assert.ok(b.next() <= 500);
});
