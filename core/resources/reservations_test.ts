import assert from "node:assert/strict";
import { GpuResourceManager } from "./gpu_resource_manager.ts";
import { ResourceError } from "./resource_error.ts";
import { Reservations } from "./reservations.ts";
import { SlotResourceManager } from "./slot_resource_manager.ts";

/** 4 GPUs × 16 GiB with a fake clock, as in the spec's table. */
function site(maxJobs = 8) {
  let now = 0;
  const gpus = new GpuResourceManager({
    num_of_gpus: 4,
    mem_per_gpu_in_GiB: 16,
    expiration_period: 30,
  });
  const r = new Reservations([gpus], { maxConcurrentJobs: maxJobs, now: () => now });
  return { gpus, r, advance: (ms: number) => now += ms };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ResourceError, String(e));
    return e.code;
  }
  return "none";
}

Deno.test("GpuResourceManager reserves the lowest-index GPUs with enough free memory", () => {
  const a = site();
  a.r.reserve("j", { num_of_gpus: 1, mem_per_gpu_in_GiB: 8 });
  assert.deepEqual(a.gpus.reserved, { 0: 8 });
  const b = site();
  b.r.reserve("j", { num_of_gpus: 2, mem_per_gpu_in_GiB: 8 });
  assert.deepEqual(b.gpus.reserved, { 0: 8, 1: 8 });
});

Deno.test("Reservations cancel, allocate and free as the spec's table says", () => {
  const s = site();
  s.r.cancel(s.r.reserve("j", { num_of_gpus: 1, mem_per_gpu_in_GiB: 8 }));
  assert.deepEqual(s.gpus.reserved, {});
  const t = s.r.reserve("j", { num_of_gpus: 1, mem_per_gpu_in_GiB: 8 });
  assert.deepEqual(s.r.allocate(t), [{ 0: 8 }]);
  s.r.free(t);
  assert.deepEqual(s.gpus.reserved, {});
});

Deno.test("Reservations refuse to allocate or cancel one job's token for another job", () => {
  const s = site();
  const t = s.r.reserve("job-1", { num_of_gpus: 1, mem_per_gpu_in_GiB: 8 });
  assert.equal(code(() => s.r.allocate(t, "job-2")), "RESERVATION_EXPIRED");
  s.r.cancel(t, "job-2");
  assert.deepEqual(s.gpus.reserved, { 0: 8 });
  assert.deepEqual(s.r.allocate(t, "job-1"), [{ 0: 8 }]);
});

Deno.test("Reservations share a GPU while memory lasts and move on when it does not", () => {
  const s = site();
  s.r.reserve("j1", { num_of_gpus: 1, mem_per_gpu_in_GiB: 8 });
  const second = s.r.reserve("j2", { num_of_gpus: 1, mem_per_gpu_in_GiB: 8 });
  s.r.reserve("j3", { num_of_gpus: 1, mem_per_gpu_in_GiB: 12 });
  s.r.reserve("j4", { num_of_gpus: 1, mem_per_gpu_in_GiB: 12 });
  assert.deepEqual(s.r.allocate(second), [{ 0: 8 }]);
  assert.deepEqual(s.gpus.reserved, { 0: 16, 1: 12, 2: 12 });
});

Deno.test("Reservations refuse impossible, malformed and unknown requests", () => {
  const s = site();
  assert.equal(
    code(() => s.r.reserve("j", { num_of_gpus: 5, mem_per_gpu_in_GiB: 1 })),
    "RESOURCES_NEVER",
  );
  assert.equal(code(() => s.r.reserve("j", { num_of_gpus: 1 })), "RESOURCE_SPEC_INVALID");
  assert.equal(code(() => s.r.reserve("j", { num_of_cpus: 1 })), "RESOURCE_KEY_UNKNOWN");
  s.r.reserve("j", {});
  assert.deepEqual(s.gpus.reserved, {}, "zero-GPU jobs are schedulable");
});

Deno.test("Reservations expire unallocated after expiration_period", () => {
  const s = site();
  const t = s.r.reserve("j", { num_of_gpus: 1, mem_per_gpu_in_GiB: 8 });
  s.advance(31_000);
  assert.equal(code(() => s.r.allocate(t)), "RESERVATION_EXPIRED");
  assert.deepEqual(s.gpus.reserved, {});
});

Deno.test("Reservations count jobs against max_concurrent_jobs and are all or nothing", () => {
  const s = site(2);
  s.r.reserve("j1", {});
  s.r.allocate(s.r.reserve("j2", {}));
  assert.equal(code(() => s.r.reserve("j3", {})), "RESOURCES_BUSY");
  // A second manager refusing releases what the first one held.
  const gpus = new GpuResourceManager({ num_of_gpus: 1, mem_per_gpu_in_GiB: 16 });
  const slots = new SlotResourceManager({ num_of_cpus: 2, mem_in_GiB: 4 });
  const r = new Reservations([gpus, slots], { maxConcurrentJobs: 4 });
  assert.equal(
    code(() => r.reserve("j", { num_of_gpus: 1, mem_per_gpu_in_GiB: 8, num_of_cpus: 3 })),
    "RESOURCES_NEVER",
  );
  assert.deepEqual(gpus.reserved, {});
  r.reserve("a", { num_of_cpus: 2, mem_in_GiB: 1 });
  assert.equal(code(() => r.reserve("b", { num_of_cpus: 1 })), "RESOURCES_BUSY");
  assert.deepEqual(slots.free, { cpus: 0, mem: 3 });
});
