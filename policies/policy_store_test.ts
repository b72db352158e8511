import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { KitError } from "../core/kit/mod.ts";
import { PolicyError } from "./policy_error.ts";
import { PolicyStore } from "./policy_store.ts";

type Event = { user: string; action: string; ref?: string; msg?: string };

/** Records audit events; `until()` waits for a matching one (and fails after 10 s). */
class FakeAudit {
  events: Event[] = [];
  #waiters: { match: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  addEvent(e: Event): Promise<string> {
    this.events.push(e);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(e)) return true;
      w.resolve(e);
      return false;
    });
    return Promise.resolve(`event-${this.events.length}`);
  }
  async until(match: (e: Event) => boolean): Promise<Event> {
    const seen = this.events.find(match);
    if (seen) return seen;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        new Promise<Event>((resolve) => this.#waiters.push({ match, resolve })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("no such audit event within 10 s")), 10_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

const policyText = (leadView: string) =>
  JSON.stringify({ format_version: "1.0", permissions: { lead: { view: leadView } } });
const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const lead = { name: "ann", org: "org-a", role: "lead" };
const canView = (store: PolicyStore) =>
  store.authorize({ right: "list_jobs", user: lead, siteOrg: "org-a" }).allowed;

async function withKit(fn: (kit: string) => Promise<void>) {
  const kit = await Deno.makeTempDir({ prefix: "stockade_policy_store_" });
  try {
    await Deno.mkdir(`${kit}/local`);
    await fn(kit);
  } finally {
    await Deno.remove(kit, { recursive: true });
  }
}

Deno.test("PolicyStore.open() loads the policy, audits _policy_load and logs warnings", async () => {
  await withKit(async (kit) => {
    const text = JSON.stringify({
      format_version: "1.0",
      permissions: { lead: { view: "any", veiw: "any" } },
    });
    await Deno.writeTextFile(`${kit}/local/authorization.json.default`, text);
    const audit = new FakeAudit();
    const logs: string[] = [];
    const store = await PolicyStore.open(kit, {
      audit,
      watch: false,
      log: (level, m) => logs.push(`${level} ${m}`),
    });
    try {
      assert.deepEqual(audit.events, [{
        user: "system",
        action: "_policy_load",
        msg: `file=local/authorization.json.default sha256=${sha(text)}`,
      }]);
      assert.equal(store.file, "local/authorization.json.default");
      assert.equal(store.sha256, sha(text));
      assert.equal(canView(store), true);
      assert.equal(logs.length, 1);
      assert.match(logs[0]!, /^warn local\/authorization\.json\.default: "veiw"/);
    } finally {
      await store.close();
    }
  });
});

Deno.test("PolicyStore.open() audits a failed load and throws", async () => {
  await withKit(async (kit) => {
    await Deno.writeTextFile(`${kit}/local/authorization.json`, `{"format_version": "1.0"}`);
    const audit = new FakeAudit();
    await assert.rejects(
      PolicyStore.open(kit, { audit }),
      (e: unknown) => e instanceof PolicyError && e.code === "AUTHZ_NO_PERMISSIONS",
    );
    assert.equal(audit.events.length, 1);
    assert.equal(audit.events[0]!.action, "_policy_load");
    assert.match(
      audit.events[0]!.msg!,
      /^failed: Cannot load policy "local\/authorization\.json": /,
    );
    // No file at all: still no allow-all mode.
    await Deno.remove(`${kit}/local/authorization.json`);
    await assert.rejects(
      PolicyStore.open(kit, { audit }),
      (e: unknown) => e instanceof PolicyError && e.code === "AUTHZ_FILE",
    );
  });
});

Deno.test("PolicyStore.reload() swaps in a good policy and keeps the old one on failure", async () => {
  await withKit(async (kit) => {
    const path = `${kit}/local/authorization.json`;
    await Deno.writeTextFile(path, policyText("any"));
    const audit = new FakeAudit();
    const logs: string[] = [];
    const store = await PolicyStore.open(kit, {
      audit,
      watch: false,
      log: (level, m) => logs.push(`${level} ${m}`),
    });
    try {
      await Deno.writeTextFile(path, policyText("none"));
      const ok = await store.reload();
      assert.deepEqual(ok, {
        ok: true,
        changed: true,
        file: "local/authorization.json",
        sha256: sha(policyText("none")),
      });
      assert.equal(canView(store), false);
      assert.deepEqual(audit.events[1], {
        user: "system",
        action: "_policy_reload",
        msg: `file=local/authorization.json sha256=${sha(policyText("none"))}`,
      });

      await Deno.writeTextFile(path, policyText("x:abc"));
      const bad = await store.reload();
      assert.equal(bad.ok, false);
      assert.ok(
        !bad.ok && bad.error instanceof PolicyError && bad.error.code === "AUTHZ_CONDITION_TYPE",
      );
      assert.equal(canView(store), false, "the previous policy stays");
      assert.equal(store.sha256, sha(policyText("none")));
      assert.match(
        audit.events[2]!.msg!,
        /^failed: Cannot load policy "local\/authorization\.json": bad condition "x:abc"/,
      );
      assert.equal(audit.events[2]!.action, "_policy_reload");
      assert.match(
        logs.at(-1)!,
        /^error Policy reload failed, keeping "local\/authorization\.json"/,
      );

      await Deno.writeTextFile(`${kit}/local/authorization.yml`, "format_version: '1.0'");
      const ambiguous = await store.reload();
      assert.ok(!ambiguous.ok && ambiguous.error instanceof KitError);
      assert.equal(ambiguous.error.code, "POLICY_AMBIGUOUS");
      assert.equal(canView(store), false);

      await Deno.remove(path);
      await Deno.writeTextFile(`${kit}/local/authorization.yml`, policyText("any"));
      const yml = await store.reload();
      assert.ok(yml.ok && yml.file === "local/authorization.yml");
      assert.equal(canView(store), true);
      assert.equal(audit.events.length, 5);
    } finally {
      await store.close();
    }
  });
});

Deno.test("PolicyStore.reload() runs concurrent reloads one at a time, in order", async () => {
  await withKit(async (kit) => {
    const path = `${kit}/local/authorization.json`;
    await Deno.writeTextFile(path, policyText("any"));
    const audit = new FakeAudit();
    const store = await PolicyStore.open(kit, { audit, watch: false });
    try {
      const results = await Promise.all([store.reload(), store.reload(), store.reload()]);
      assert.deepEqual(results.map((r) => r.ok && r.changed), [false, false, false]);
      assert.equal(audit.events.length, 4, "an explicit reload is audited even when unchanged");
    } finally {
      await store.close();
    }
  });
});

Deno.test("PolicyStore reloads after the file changes, debounced", async () => {
  await withKit(async (kit) => {
    const path = `${kit}/local/authorization.json`;
    await Deno.writeTextFile(path, policyText("any"));
    const audit = new FakeAudit();
    const store = await PolicyStore.open(kit, { audit, debounceMs: 100 });
    try {
      await Deno.writeTextFile(path, policyText("o:org-b"));
      await Deno.writeTextFile(path, policyText("none"));
      const msg = `file=local/authorization.json sha256=${sha(policyText("none"))}`;
      const e = await audit.until((e) => e.msg === msg);
      assert.equal(e.action, "_policy_reload");
      assert.equal(canView(store), false);
      // A broken edit is refused and audited; the policy stays.
      await Deno.writeTextFile(path, "{");
      const failed = await audit.until((e) => e.msg?.startsWith("failed: ") ?? false);
      assert.match(
        failed.msg!,
        /^failed: Cannot load policy "local\/authorization\.json": bad JSON/,
      );
      assert.equal(canView(store), false);
    } finally {
      await store.close();
    }
  });
});

Deno.test("PolicyStore.listenForHangup() reloads on SIGHUP until closed", async () => {
  await withKit(async (kit) => {
    const path = `${kit}/local/authorization.json`;
    await Deno.writeTextFile(path, policyText("any"));
    const audit = new FakeAudit();
    const store = await PolicyStore.open(kit, { audit, watch: false });
    try {
      store.listenForHangup();
      await Deno.writeTextFile(path, policyText("none"));
      Deno.kill(Deno.pid, "SIGHUP");
      await audit.until((e) => e.action === "_policy_reload");
      assert.equal(canView(store), false);
    } finally {
      await store.close();
    }
  });
});
