import assert from "node:assert/strict";
import { checkSandboxRequest } from "./check_sandbox_request.ts";

const limits = {
  scopeProperties: { train_dataset: "/data/train", secret: "/data/secret" },
  siteReadPathProperties: ["train_dataset", "val_dataset"],
  maxHeapMb: 8192,
  maxTaskWallTimeS: 86400,
};

function rejected(request: unknown, reason: string, nodePath: string): void {
  const r = checkSandboxRequest(request, limits);
  assert.equal(r.allowed, false, JSON.stringify(request));
  if (r.allowed) return;
  assert.equal(r.code, "COMPONENT_REJECTED");
  assert.equal(r.reason, reason);
  assert.equal(r.nodePath, nodePath);
  assert.equal(r.message, `component not authorized: ${reason} (at ${nodePath})`);
}

Deno.test("checkSandboxRequest() grants what the site allows", () => {
  assert.deepEqual(checkSandboxRequest(undefined, limits), {
    allowed: true,
    grant: { readProperties: [] },
  });
  assert.deepEqual(
    checkSandboxRequest(
      { read_properties: ["train_dataset"], heap_mb: 8192, task_wall_time_s: 60 },
      limits,
    ),
    {
      allowed: true,
      grant: { readProperties: ["train_dataset"], heapMb: 8192, taskWallTimeS: 60 },
    },
  );
});

Deno.test("checkSandboxRequest() refuses other permissions by name", () => {
  for (const k of ["net", "env", "run", "ffi", "sys", "write", "read"]) {
    rejected({ [k]: true }, `sandbox permission "${k}" cannot be granted`, `meta.sandbox.${k}`);
  }
  rejected([], "sandbox request is not an object", "meta.sandbox");
});

Deno.test("checkSandboxRequest() refuses properties outside the scope or the site's list", () => {
  rejected(
    { read_properties: ["val_dataset"] },
    `read property "val_dataset" is not defined in the job's scope`,
    "meta.sandbox.read_properties",
  );
  rejected(
    { read_properties: ["secret"] },
    `read property "secret" is not in the site's read_path_properties`,
    "meta.sandbox.read_properties",
  );
  rejected(
    { read_properties: ["toString"] },
    `read property "toString" is not defined in the job's scope`,
    "meta.sandbox.read_properties",
  );
  rejected(
    { read_properties: "train_dataset" },
    "read_properties is not a list",
    "meta.sandbox.read_properties",
  );
});

Deno.test("checkSandboxRequest() refuses limits above the site's maxima", () => {
  rejected(
    { heap_mb: 8193 },
    "heap_mb 8193 is above the site's maximum 8192",
    "meta.sandbox.heap_mb",
  );
  rejected(
    { task_wall_time_s: 86401 },
    "task_wall_time_s 86401 is above the site's maximum 86400",
    "meta.sandbox.task_wall_time_s",
  );
  rejected({ heap_mb: 0 }, "heap_mb 0 is not a positive integer", "meta.sandbox.heap_mb");
  rejected({ heap_mb: "1" }, 'heap_mb "1" is not a positive integer', "meta.sandbox.heap_mb");
  const defaults = checkSandboxRequest({ heap_mb: 9000 }, {
    scopeProperties: {},
    siteReadPathProperties: [],
  });
  assert.equal(defaults.allowed, false);
});
