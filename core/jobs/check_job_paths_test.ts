import assert from "node:assert/strict";
import { checkJobPaths } from "./check_job_paths.ts";
import { JobValidationError } from "./job_validation_error.ts";
import { jobFiles } from "./_test_helpers.ts";

function rejects(paths: string[], bad: string): void {
  assert.throws(
    () => checkJobPaths(jobFiles(Object.fromEntries(paths.map((p) => [p, "x"])))),
    (err: unknown) => {
      assert.ok(err instanceof JobValidationError);
      assert.equal(err.code, "JOB_PATH_INVALID");
      assert.equal(err.path, bad);
      assert.ok(err.message.includes(`"${bad}"`), err.message);
      return true;
    },
  );
}

Deno.test("checkJobPaths() accepts relative POSIX paths", () => {
  checkJobPaths(jobFiles({ "meta.json": "{}", "app/config/a.json": "{}", "app/custom/x.ts": "" }));
  checkJobPaths(jobFiles({ [`${"a".repeat(255)}/b`]: "" }));
});

Deno.test("checkJobPaths() refuses absolute, empty and dot segments", () => {
  rejects(["/etc/passwd"], "/etc/passwd");
  rejects([""], "");
  rejects(["a//b"], "a//b");
  rejects(["a/"], "a/");
  rejects(["./a"], "./a");
  rejects(["a/../b"], "a/../b");
  rejects([".."], "..");
});

Deno.test("checkJobPaths() refuses backslash and NUL", () => {
  rejects(["a\\b"], "a\\b");
  rejects(["a\0b"], "a\0b");
});

Deno.test("checkJobPaths() limits segments to 255 bytes and paths to 4096 bytes", () => {
  rejects([`${"a".repeat(256)}`], "a".repeat(256));
  // 128 two-byte characters make 256 bytes.
  rejects([`${"é".repeat(128)}`], "é".repeat(128));
  const long = Array.from({ length: 17 }, () => "b".repeat(250)).join("/");
  rejects([long], long);
  const ok = Array.from({ length: 16 }, () => "b".repeat(255)).join("/");
  checkJobPaths(jobFiles({ [ok]: "" }));
});

Deno.test("checkJobPaths() refuses duplicates, also case-insensitively", () => {
  const files = [...jobFiles({ "a/b": "1" }), ...jobFiles({ "a/b": "2" })];
  assert.throws(() => checkJobPaths(files), { code: "JOB_PATH_INVALID" });
  rejects(["App/Meta.json", "app/meta.json"], "app/meta.json");
  rejects(["caf\u00e9", "cafe\u0301"], "cafe\u0301");
  rejects(["stra\u00dfe", "STRASSE"], "STRASSE");
});

Deno.test("checkJobPaths() refuses a path that is both a file and a folder", () => {
  rejects(["app", "app/x"], "app");
  rejects(["app/x", "APP"], "APP");
});

Deno.test("checkJobPaths() refuses modes beyond permission bits and non-byte data", () => {
  assert.throws(() => checkJobPaths([{ path: "a", mode: 0o120777, data: new Uint8Array() }]), {
    code: "JOB_PATH_INVALID",
  });
  assert.throws(
    () => checkJobPaths([{ path: "a", mode: 0o644, data: "x" as unknown as Uint8Array }]),
    { code: "JOB_PATH_INVALID" },
  );
});
