import assert from "node:assert/strict";
import { writeJobFiles } from "./write_job_files.ts";
import { jobFiles } from "./_test_helpers.ts";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "stockade_jobs_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeJobFiles() refuses bad paths before writing anything", async () => {
  await withTemp(async (dir) => {
    await assert.rejects(
      () => writeJobFiles(`${dir}/job`, jobFiles({ "a": "1", "../escape": "2" })),
      { code: "JOB_PATH_INVALID" },
    );
    await assert.rejects(() => Deno.lstat(`${dir}/escape`), Deno.errors.NotFound);
    await assert.rejects(() => Deno.lstat(`${dir}/job/a`), Deno.errors.NotFound);
  });
});

Deno.test("writeJobFiles() never follows a symlink inside the target", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(`${dir}/job`);
    await Deno.mkdir(`${dir}/outside`);
    await Deno.symlink(`${dir}/outside`, `${dir}/job/app`);
    await Deno.symlink(`${dir}/outside/f`, `${dir}/job/meta.json`);
    await assert.rejects(
      () => writeJobFiles(`${dir}/job`, jobFiles({ "app/x": "1" })),
      { code: "JOB_PATH_INVALID", path: "app/x" },
    );
    await assert.rejects(
      () => writeJobFiles(`${dir}/job`, jobFiles({ "meta.json": "1" })),
      { code: "JOB_PATH_INVALID", path: "meta.json" },
    );
    assert.deepEqual(await Array.fromAsync(Deno.readDir(`${dir}/outside`)), []);
  });
});
