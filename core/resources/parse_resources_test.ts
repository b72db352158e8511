import assert from "node:assert/strict";
import { GpuResourceManager } from "./gpu_resource_manager.ts";
import { jobSandbox } from "./job_sandbox.ts";
import { parseResources } from "./parse_resources.ts";
import { ResourceError } from "./resource_error.ts";
import { SlotResourceManager } from "./slot_resource_manager.ts";

const client = (v: unknown, isSiteCheck?: (p: string) => boolean) =>
  parseResources(v, {
    file: "local/resources.json",
    role: "client",
    ...(isSiteCheck ? { isSiteCheck } : {}),
  });

async function code(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof ResourceError, String(e));
    return e.code;
  }
  return "none";
}

Deno.test("parseResources() reads the spec's client example and the shipped default", async () => {
  const r = client({
    format_version: 2,
    client: { retry_timeout: 30 },
    max_concurrent_jobs: 2,
    sandbox: {
      heap_mb: 2048,
      max_heap_mb: 8192,
      task_wall_time_s: 3600,
      max_task_wall_time_s: 86400,
      read_path_properties: ["train_dataset", "val_dataset"],
    },
    class_allow_list: ["stockade."],
    class_list_enforcement_mode: "enforce",
    components: [
      {
        id: "resource_manager",
        path: "stockade.resources.SlotResourceManager",
        args: { num_of_cpus: 8, mem_in_GiB: 32, expiration_period: 30 },
      },
      {
        id: "gpu_resource_manager",
        path: "stockade.resources.GPUResourceManager",
        args: { num_of_gpus: 2, mem_per_gpu_in_GiB: 16 },
      },
    ],
  });
  assert.equal(r.maxConcurrentJobs, 2);
  assert.deepEqual(r.sandbox.readPathProperties, ["train_dataset", "val_dataset"]);
  assert.ok(r.managers[0] instanceof SlotResourceManager);
  assert.ok(r.managers[1] instanceof GpuResourceManager);
  assert.deepEqual(r.classAllowList, ["stockade."]);
  const shipped = JSON.parse(
    await Deno.readTextFile(
      new URL("../../policies/defaults/resources.json.default", import.meta.url),
    ),
  );
  assert.equal(client(shipped).sandbox.heapMb, 2048);
});

Deno.test("parseResources() maps NVFlare names and ignores NVFlare-only settings with warnings", () => {
  const r = client({
    format_version: 2,
    download_job_url: "http://x",
    client: { retry_timeout: 10, compression: "gzip" },
    components: [
      {
        id: "resource_manager",
        path: "nvflare.app_common.resource_managers.gpu_resource_manager.GPUResourceManager",
        args: { num_of_gpus: 1, mem_per_gpu_in_GiB: 8 },
      },
      {
        id: "resource_consumer",
        path: "nvflare.app_common.resource_consumers.gpu_resource_consumer.GPUResourceConsumer",
      },
    ],
  });
  assert.ok(r.managers[0] instanceof GpuResourceManager);
  assert.equal(r.warnings.length, 3);
  const s = parseResources({
    format_version: 2,
    servers: [{ max_num_clients: 10, token_ttl_s: 600 }],
    components: [{
      id: "job_scheduler",
      path: "nvflare.app_common.job_schedulers.job_scheduler.DefaultJobScheduler",
      args: { max_jobs: 3 },
    }],
  }, { file: "local/resources.json", role: "server" });
  assert.deepEqual(s.server, {
    maxNumClients: 10,
    heartBeatTimeoutS: 600,
    tokenTtlS: 600,
    adminIdleTimeoutS: 1800,
    maxJobBytes: 536_870_912,
    maxJobs: 3,
  });
});

Deno.test("parseResources() refuses bad files with the spec's codes and the JSON path", async () => {
  const cases: [unknown, string, RegExp?][] = [
    [[], "RESOURCES_INVALID"],
    [{ format_version: 1 }, "RESOURCES_INVALID", /format_version/],
    [{ format_version: 2, mystery: 1 }, "RESOURCES_UNKNOWN_KEY", /mystery/],
    [{ format_version: 2, sandbox: { net: true } }, "RESOURCES_UNKNOWN_KEY", /sandbox\.net/],
    [{ format_version: 2, sandbox: { heap_mb: 9000 } }, "RESOURCES_INVALID", /max_heap_mb/],
    [{ format_version: 2, max_concurrent_jobs: 0 }, "RESOURCES_INVALID", /max_concurrent_jobs/],
    [{ format_version: 2, wire: { max_depth: "deep" } }, "RESOURCES_INVALID", /wire\.max_depth/],
    [
      {
        format_version: 2,
        components: [{
          id: "r",
          path: "nvflare.app_common.resource_managers.list_resource_manager.ListResourceManager",
        }],
      },
      "RESOURCES_COMPONENT",
      /components\[0\]\.path/,
    ],
    [
      {
        format_version: 2,
        components: [{
          id: "r",
          path: "stockade.resources.GPUResourceManager",
          args: { num_of_gpus: -1 },
        }],
      },
      "RESOURCES_INVALID",
      /num_of_gpus/,
    ],
    [{ format_version: 2, servers: [{}] }, "RESOURCES_UNKNOWN_KEY", /servers/],
  ];
  for (const [value, expected, message] of cases) {
    let err: unknown;
    try {
      client(value);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ResourceError, `${JSON.stringify(value)}: ${err}`);
    assert.equal(err.code, expected, err.message);
    assert.match(err.message, /^Cannot load resources "local\/resources.json"/);
    if (message) assert.match(err.message, message);
  }
  // A site check is a component whose code the site keeps in local/custom/.
  const r = client(
    { format_version: 2, components: [{ id: "c", path: "my_checks.NoGpuJobs", args: {} }] },
    (p) => p === "my_checks.NoGpuJobs",
  );
  assert.deepEqual(r.checks.map((c) => c.path), ["my_checks.NoGpuJobs"]);
  assert.equal(
    await code(() =>
      client({ format_version: 2, components: [{ id: "c", path: "my_checks.NoGpuJobs" }] })
    ),
    "RESOURCES_COMPONENT",
  );
});

Deno.test("jobSandbox() grants defaults, honours requests within limits, and resolves read paths", async () => {
  const limits =
    client({ format_version: 2, sandbox: { read_path_properties: ["train_dataset"] } }).sandbox;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/data`);
    await Deno.symlink(`${dir}/data`, `${dir}/link`);
    assert.deepEqual(await jobSandbox(undefined, limits, {}), {
      heapMb: 2048,
      taskWallTimeS: 3600,
      readPaths: {},
    });
    const s = await jobSandbox(
      { heap_mb: 512, task_wall_time_s: 60, read_properties: ["train_dataset"] },
      limits,
      { train_dataset: `${dir}/link` },
      { reservedMemGiB: 1 },
    );
    assert.deepEqual(s, {
      heapMb: 512,
      taskWallTimeS: 60,
      readPaths: { train_dataset: await Deno.realPath(`${dir}/data`) },
    });
    const props = { train_dataset: `${dir}/data`, secrets: "/etc" };
    assert.equal(
      await code(() => jobSandbox({ heap_mb: 9000 }, limits, {})),
      "RESOURCES_INCONSISTENT",
    );
    assert.equal(
      await code(() => jobSandbox({ heap_mb: 2048 }, limits, {}, { reservedMemGiB: 1 })),
      "RESOURCES_INCONSISTENT",
    );
    assert.equal(
      await code(() => jobSandbox({ task_wall_time_s: 90_000 }, limits, {})),
      "RESOURCES_INCONSISTENT",
    );
    assert.equal(
      await code(() => jobSandbox({ read_properties: ["secrets"] }, limits, props)),
      "SANDBOX_PATH_INVALID",
    );
    assert.equal(
      await code(() => jobSandbox({ read_properties: ["train_dataset"] }, limits, {})),
      "SANDBOX_PATH_INVALID",
    );
    assert.equal(
      await code(() =>
        jobSandbox({ read_properties: ["train_dataset"] }, limits, { train_dataset: "data" })
      ),
      "SANDBOX_PATH_INVALID",
    );
    assert.equal(
      await code(() =>
        jobSandbox({ read_properties: ["train_dataset"] }, limits, { train_dataset: `${dir}/nope` })
      ),
      "SANDBOX_PATH_INVALID",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
