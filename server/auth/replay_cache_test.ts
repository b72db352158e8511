import assert from "node:assert/strict";
import { ReplayCache } from "./replay_cache.ts";

Deno.test("ReplayCache.check() refuses a nonce seen within the window", () => {
  const cache = new ReplayCache({ windowMs: 240_000 });
  assert.equal(cache.check("s1", "n1", 0), "ok");
  assert.equal(cache.check("s1", "n1", 239_999), "replay");
  assert.equal(cache.check("s2", "n1", 1), "ok", "nonces are per session");
  assert.equal(
    cache.check("s1", "n1", 240_000),
    "ok",
    "after the window the timestamp check decides",
  );
});

Deno.test("ReplayCache.check() answers full beyond the live-nonce limit, and recovers", () => {
  const cache = new ReplayCache({ windowMs: 1000, maxPerSession: 3 });
  for (const n of ["a", "b", "c"]) assert.equal(cache.check("s", n, 0), "ok");
  assert.equal(cache.check("s", "d", 10), "full");
  assert.equal(cache.check("s", "d", 1001), "ok", "expired nonces are dropped first");
  cache.drop("s");
  assert.equal(cache.check("s", "a", 1002), "ok");
});
