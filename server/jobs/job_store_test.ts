import assert from "node:assert/strict";
import type { JobRecord } from "./job_record.ts";
import { JobStore } from "./job_store.ts";

function record(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    job_id: crypto.randomUUID(),
    name: "hello",
    status: "SUBMITTED",
    submitter: { name: "lead@a.org", org: "org_a", role: "lead" },
    signer: "ab".repeat(32),
    submit_time: Date.now(),
    byoc: { app: false },
    meta: { deploy_map: { app: ["@ALL"] } },
    ...overrides,
  };
}
const files = [
  { path: "meta.json", mode: 0o644, data: new TextEncoder().encode("{}") },
  { path: "app/config/config_fed_client.json", mode: 0o644, data: new Uint8Array([1, 2]) },
];

Deno.test("JobStore keeps jobs, their files and status changes across reopening", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = await JobStore.open(root);
    const r = record();
    await store.create(r, files);
    await store.update(r.job_id, { status: "RUNNING", start_time: 5 });
    const again = await JobStore.open(root);
    // A RUNNING job found at start is failed: its controller died with the old process.
    const got = again.get(r.job_id)!;
    assert.equal(got.status, "FINISHED:EXECUTION_EXCEPTION");
    assert.match(got.failure!, /server stopped/);
    const back = await again.files(r.job_id);
    assert.deepEqual(back.map((f) => f.path), ["app/config/config_fed_client.json", "meta.json"]);
    assert.deepEqual([...back[0]!.data], [1, 2]);
    assert.deepEqual(again.list().map((j) => j.job_id), [r.job_id]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("JobStore refuses what would corrupt it, and writes nothing then", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = await JobStore.open(root);
    await assert.rejects(
      () => store.create(record(), [{ path: "../escape", mode: 0o644, data: new Uint8Array() }]),
      TypeError,
    );
    await assert.rejects(() => store.create(record({ job_id: "not-a-uuid" }), files), TypeError);
    assert.deepEqual([...Deno.readDirSync(root)], []);
    const r = record();
    await store.create(r, files);
    await assert.rejects(() => store.create(r, files), /already exists/);
    await store.update(r.job_id, { status: "FINISHED:COMPLETED" });
    await assert.rejects(() => store.update(r.job_id, { status: "RUNNING" }), /cannot become/);
    await assert.rejects(() => store.update(crypto.randomUUID(), { status: "RUNNING" }), /No job/);
    assert.equal(store.withStatus("FINISHED:COMPLETED").length, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("JobStore is intact after its process is killed with SIGKILL mid-write", async () => {
  const root = await Deno.makeTempDir();
  const script = new URL("./_job_store_writer.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", `--allow-read=${root}`, `--allow-write=${root}`, script, root],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    // Kill once the writer has stored a few jobs and is busy writing more.
    while ((seen.match(/stored/g) ?? []).length < 20) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    child.kill("SIGKILL");
    await reader.cancel();
    await child.status;
    const store = await JobStore.open(root);
    const jobs = store.list();
    assert.ok(jobs.length >= 20, `only ${jobs.length} jobs survived`);
    for (const j of jobs) {
      assert.ok(
        ["SUBMITTED", "FINISHED:EXECUTION_EXCEPTION", "FINISHED:COMPLETED"].includes(j.status),
      );
      assert.equal((await store.files(j.job_id)).length, 2);
    }
    for (const e of Deno.readDirSync(root)) assert.ok(!e.name.startsWith(".staging-"), e.name);
    const fresh = record();
    await store.create(fresh, files);
    assert.equal(store.get(fresh.job_id)?.status, "SUBMITTED");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    await Deno.remove(root, { recursive: true });
  }
});
