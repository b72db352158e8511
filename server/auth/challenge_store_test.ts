import assert from "node:assert/strict";
import { AuthenticationError } from "../../core/protocol/authentication_error.ts";
import { ChallengeStore } from "./challenge_store.ts";

const c = (name: string) => ({
  kind: "site" as const,
  name,
  project: "p",
  nonceC: new Uint8Array(32),
  nonceS: new Uint8Array(32),
});

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AuthenticationError);
    return e.reason;
  }
  return "none";
}

Deno.test("ChallengeStore.take() gives each challenge once, then refuses it", () => {
  const store = new ChallengeStore();
  const id = store.open(c("site_a"), 0);
  assert.equal(store.take(id, "site", 1).name, "site_a");
  assert.equal(reason(() => store.take(id, "site", 2)), "no_registration_session");
  assert.equal(reason(() => store.take(new Uint8Array(16), "site", 2)), "no_registration_session");
});

Deno.test("ChallengeStore.take() refuses an expired challenge and one of the other kind", () => {
  const store = new ChallengeStore({ ttlMs: 60_000 });
  const id = store.open(c("site_a"), 0);
  assert.equal(reason(() => store.take(id, "admin", 1)), "no_registration_session");
  const id2 = store.open(c("site_a"), 0);
  assert.equal(reason(() => store.take(id2, "site", 60_000)), "registration_expired");
});

Deno.test("ChallengeStore.open() limits open challenges per name and in total", () => {
  const store = new ChallengeStore({ perName: 10, total: 1000 });
  for (let i = 0; i < 10; i++) store.open(c("site_a"), 0);
  assert.equal(reason(() => store.open(c("site_a"), 0)), "rate_limited");
  for (let i = 0; i < 990; i++) store.open(c(`s${i % 99}`), 0);
  assert.equal(reason(() => store.open(c("fresh"), 0)), "rate_limited");
  // Expired challenges free their places.
  assert.ok(store.open(c("fresh"), 60_001) instanceof Uint8Array);
});
