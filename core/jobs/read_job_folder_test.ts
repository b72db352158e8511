import assert from "node:assert/strict";
import { readJobFolder } from "./read_job_folder.ts";
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

Deno.test("readJobFolder() and writeJobFiles() round-trip a job", async () => {
  await withTemp(async (dir) => {
    const files = jobFiles({ "meta.json": "{}", "app/config/c.json": "{}", "app/custom/x.ts": "" });
    files[2] = { ...files[2]!, mode: 0o600 };
    await writeJobFiles(`${dir}/job`, files);
    const back = await readJobFolder(`${dir}/job`);
    assert.deepEqual(back.map((f) => f.path), [
      "app/config/c.json",
      "app/custom/x.ts",
      "meta.json",
    ]);
    assert.equal(back.find((f) => f.path === "app/custom/x.ts")?.mode, 0o600);
    assert.deepEqual(
      back.find((f) => f.path === "meta.json")?.data,
      new TextEncoder().encode("{}"),
    );
  });
});

Deno.test("readJobFolder() refuses symlinks", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(`${dir}/job/app`, { recursive: true });
    await Deno.writeTextFile(`${dir}/job/meta.json`, "{}");
    await Deno.symlink("/etc/hostname", `${dir}/job/app/link`);
    await assert.rejects(() => readJobFolder(`${dir}/job`), {
      code: "JOB_PATH_INVALID",
      path: "app/link",
    });
  });
});

Deno.test("readJobFolder() stops past the file and byte limits", async () => {
  await withTemp(async (dir) => {
    for (let i = 0; i < 3; i++) await Deno.writeTextFile(`${dir}/f${i}`, "abcd");
    await assert.rejects(() => readJobFolder(dir, { maxFiles: 2 }), { code: "JOB_TOO_LARGE" });
    await assert.rejects(() => readJobFolder(dir, { maxBytes: 11 }), { code: "JOB_TOO_LARGE" });
    assert.equal((await readJobFolder(dir, { maxFiles: 3, maxBytes: 12 })).length, 3);
  });
});
