// Test helper: writes jobs as fast as it can until killed (job_store_test.ts kills it with SIGKILL).
import { JobStore } from "./job_store.ts";

const root = Deno.args[0]!;
const store = await JobStore.open(root);
const data = new Uint8Array(64 * 1024).fill(1);
for (let i = 0; i < 10_000; i++) {
  const id = crypto.randomUUID();
  await store.create({
    job_id: id,
    name: `job${i}`,
    status: "SUBMITTED",
    submitter: { name: "lead@a.org", org: "org_a", role: "lead" },
    signer: "00",
    submit_time: Date.now(),
    byoc: {},
    meta: {},
  }, [
    { path: "meta.json", mode: 0o644, data: new TextEncoder().encode("{}") },
    { path: "app/big.bin", mode: 0o644, data },
  ]);
  await store.update(id, { status: "RUNNING" });
  if (i % 2 === 0) await store.update(id, { status: "FINISHED:COMPLETED" });
  console.log(`stored ${i}`);
}
