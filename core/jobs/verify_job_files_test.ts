import assert from "node:assert/strict";
import { JobValidationError } from "./job_validation_error.ts";
import { signJobFiles } from "./sign_job_files.ts";
import { stripSignatures } from "./strip_signatures.ts";
import { verifyJobFiles } from "./verify_job_files.ts";
import { readJobFolder } from "./read_job_folder.ts";
import { validateJob } from "./validate_job.ts";
import { writeJobFiles } from "./write_job_files.ts";
import type { JobFile } from "./job_file.ts";
import { type Issued, simpleJob, testPki } from "./_test_helpers.ts";

const job = () =>
  simpleJob({ deploy_map: { app1: ["server"], app2: ["site-1"] } }, ["app1", "app2"]);
const sigOf = (a: Issued) => ({ certificatePem: a.certificatePem, key: a.key });

async function rejects(
  files: JobFile[],
  code: string,
  options: { partial?: boolean } = {},
  path?: string,
): Promise<void> {
  const { root } = await testPki();
  await assert.rejects(() => verifyJobFiles(files, root.certificate, options), (err: unknown) => {
    assert.ok(err instanceof JobValidationError, String(err));
    assert.equal(err.code, code, err.message);
    if (path !== undefined) assert.equal(err.path, path);
    return true;
  });
}

const replace = (files: JobFile[], path: string, data: Uint8Array): JobFile[] =>
  files.map((f) => f.path === path ? { ...f, data } : f);

Deno.test("signJobFiles() signs every folder and verifyJobFiles() returns the submitter", async () => {
  const { root, admin } = await testPki();
  const signed = await signJobFiles(job(), sigOf(admin));
  for (const folder of ["", "app1/", "app1/config/", "app2/", "app2/config/"]) {
    assert.ok(signed.some((f) => f.path === `${folder}.__nvfl_sig.json`), folder);
    assert.ok(signed.some((f) => f.path === `${folder}.__nvfl_submitter.crt`), folder);
  }
  const rootSigs = JSON.parse(
    new TextDecoder().decode(signed.find((f) => f.path === ".__nvfl_sig.json")?.data),
  );
  assert.deepEqual(Object.keys(rootSigs).sort(), ["app1", "app2", "meta.json"]);
  const who = await verifyJobFiles(signed, root.certificate);
  assert.equal(who.name, "lead@hosp-a.example");
  assert.equal(who.org, "hosp_a");
  assert.equal(who.role, "lead");
  assert.deepEqual(who.omitted, []);
  assert.deepEqual(stripSignatures(signed), job().sort((a, b) => a.path < b.path ? -1 : 1));
});

Deno.test("signJobFiles() refuses reserved names", async () => {
  const { admin } = await testPki();
  for (const path of [".__nvfl_sig.json", "app1/.__nvfl_x", ".__nvfl_dir/a"]) {
    const files = [...job(), { path, mode: 0o644, data: new Uint8Array() }];
    await assert.rejects(() => signJobFiles(files, sigOf(admin)), { code: "JOB_PATH_INVALID" });
  }
});

Deno.test("verifyJobFiles() refuses an unsigned job and a folder without signature files", async () => {
  const { admin } = await testPki();
  await rejects(job(), "JOB_SIG_MISSING");
  const signed = await signJobFiles(job(), sigOf(admin));
  await rejects(signed.filter((f) => f.path !== "app2/config/.__nvfl_sig.json"), "JOB_SIG_MISSING");
  await rejects(signed.filter((f) => f.path !== "app1/.__nvfl_submitter.crt"), "JOB_SIG_MISSING");
});

Deno.test("verifyJobFiles() refuses an edited file", async () => {
  const { admin } = await testPki();
  const signed = await signJobFiles(job(), sigOf(admin));
  await rejects(
    replace(signed, "app1/config/config_fed_server.json", new TextEncoder().encode("{}")),
    "JOB_SIG_INVALID",
  );
});

Deno.test("verifyJobFiles() refuses an added file", async () => {
  const { admin } = await testPki();
  const signed = await signJobFiles(job(), sigOf(admin));
  const extra = { path: "app1/custom/evil.ts", mode: 0o644, data: new Uint8Array([1]) };
  // A new folder lacks signature files; a new file in a signed folder is unlisted.
  await rejects([...signed, extra], "JOB_SIG_MISSING");
  await rejects([...signed, { ...extra, path: "app1/config/evil.json" }], "JOB_SIG_UNLISTED");
});

Deno.test("verifyJobFiles() refuses a removed listed file, except absent apps in partial mode", async () => {
  const { root, admin } = await testPki();
  const signed = await signJobFiles(job(), sigOf(admin));
  await rejects(
    signed.filter((f) => f.path !== "app2/config/config_fed_client.json"),
    "JOB_SIG_ENTRY_MISSING",
  );
  const client = signed.filter((f) => !f.path.startsWith("app1/"));
  await rejects(client, "JOB_SIG_ENTRY_MISSING");
  const who = await verifyJobFiles(client, root.certificate, { partial: true });
  assert.deepEqual(who.omitted, ["app1"]);
  // Partial mode does not excuse a missing meta file or a gap inside a present folder.
  await rejects(client.filter((f) => f.path !== "meta.json"), "JOB_SIG_ENTRY_MISSING", {
    partial: true,
  });
  await rejects(
    client.filter((f) => f.path !== "app2/config/config_fed_client.json"),
    "JOB_SIG_ENTRY_MISSING",
    { partial: true },
  );
});

Deno.test("verifyJobFiles() refuses a subfolder swapped in from another signed job", async () => {
  const { admin } = await testPki();
  const a = await signJobFiles(job(), sigOf(admin));
  const otherJob = replace(
    job(),
    "app2/config/config_fed_client.json",
    new TextEncoder().encode('{"format_version":2}'),
  );
  const b = await signJobFiles(otherJob, sigOf(admin));
  // Every file of b's app2 is validly signed by the same admin, but a's root binds a's app2.
  const swapped = [
    ...a.filter((f) => !f.path.startsWith("app2/")),
    ...b.filter((f) => f.path.startsWith("app2/")),
  ];
  await rejects(swapped, "JOB_SIG_INVALID", {}, "app2");
});

Deno.test("verifyJobFiles() refuses a listing signature that is not base64 or not JSON", async () => {
  const { admin } = await testPki();
  const signed = await signJobFiles(job(), sigOf(admin));
  const listing = JSON.parse(
    new TextDecoder().decode(signed.find((f) => f.path === "app1/.__nvfl_sig.json")?.data),
  );
  listing.config = "!!!";
  await rejects(
    replace(signed, "app1/.__nvfl_sig.json", new TextEncoder().encode(JSON.stringify(listing))),
    "JOB_SIG_INVALID",
  );
  await rejects(
    replace(signed, "app1/.__nvfl_sig.json", new TextEncoder().encode("[]")),
    "JOB_SIG_INVALID",
  );
});

Deno.test("verifyJobFiles() refuses mixed signers", async () => {
  const { admin, admin2 } = await testPki();
  const a = await signJobFiles(job(), sigOf(admin));
  const b = await signJobFiles(job(), sigOf(admin2));
  const mixed = [
    ...a.filter((f) => !f.path.startsWith("app2/")),
    ...b.filter((f) => f.path.startsWith("app2/")),
  ];
  await rejects(mixed, "JOB_SIG_SIGNERS");
});

Deno.test("verifyJobFiles() refuses a certificate from another root", async () => {
  const { foreignAdmin } = await testPki();
  await rejects(await signJobFiles(job(), sigOf(foreignAdmin)), "JOB_SIG_CERT");
});

Deno.test("verifyJobFiles() refuses an expired certificate", async () => {
  const { root, expiredAdmin } = await testPki();
  const signed = await signJobFiles(job(), sigOf(expiredAdmin));
  await rejects(signed, "JOB_SIG_CERT");
  // The same job verifies at a time inside the certificate's validity.
  const who = await verifyJobFiles(signed, root.certificate, {
    at: new Date(expiredAdmin.certificate.notBefore.getTime() + 3_600_000),
  });
  assert.equal(who.role, "lead");
});

Deno.test("verifyJobFiles() refuses a site certificate without role", async () => {
  const { site } = await testPki();
  await assert.rejects(
    async () => {
      const { root } = await testPki();
      await verifyJobFiles(await signJobFiles(job(), sigOf(site)), root.certificate);
    },
    (err: unknown) => {
      assert.ok(err instanceof JobValidationError);
      assert.equal(err.code, "JOB_SIG_CERT");
      assert.match(err.message, /has no role/);
      return true;
    },
  );
});

Deno.test("verifyJobFiles() refuses a certificate without O", async () => {
  const { root, noOrgAdmin } = await testPki();
  const signed = await signJobFiles(job(), sigOf(noOrgAdmin));
  await assert.rejects(() => verifyJobFiles(signed, root.certificate), (err: unknown) => {
    assert.ok(err instanceof JobValidationError);
    assert.equal(err.code, "JOB_SIG_CERT");
    assert.match(err.message, /has no O$/);
    return true;
  });
});

Deno.test("verifyJobFiles() refuses the root CA itself as signer", async () => {
  const { root } = await testPki();
  const pem = root.certificate.toString("pem");
  await rejects(await signJobFiles(job(), { certificatePem: pem, key: root.key }), "JOB_SIG_CERT");
});

Deno.test("verifyJobFiles() refuses a signer without EKU clientAuth or KeyUsage digitalSignature", async () => {
  const { root, serverAuthAdmin, noKeyUsageAdmin, admin } = await testPki();
  await rejects(await signJobFiles(job(), sigOf(serverAuthAdmin)), "JOB_SIG_CERT");
  await assert.rejects(
    async () => verifyJobFiles(await signJobFiles(job(), sigOf(noKeyUsageAdmin)), root.certificate),
    /KeyUsage digitalSignature/,
  );
  // The same PEM with another key is a signature failure, not a certificate one.
  await rejects(
    await signJobFiles(job(), { certificatePem: admin.certificatePem, key: noKeyUsageAdmin.key }),
    "JOB_SIG_INVALID",
  );
});

Deno.test("verifyJobFiles() accepts an example job signed, written and read back", async () => {
  const { root, admin } = await testPki();
  const src = new URL("../../examples/jobs/hello-sag", import.meta.url).pathname;
  const signed = await signJobFiles(await readJobFolder(src), sigOf(admin));
  const dir = await Deno.makeTempDir({ prefix: "stockade_signed_" });
  try {
    await writeJobFiles(`${dir}/hello-sag`, signed);
    const back = await readJobFolder(`${dir}/hello-sag`);
    assert.equal(back.length, signed.length);
    const who = await verifyJobFiles(back, root.certificate);
    assert.equal(who.name, "lead@hosp-a.example");
    const job = validateJob(back, { folderName: "hello-sag" });
    assert.equal(job.appFor("server"), "app");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verifyJobFiles() refuses a stray reserved file as unlisted", async () => {
  const { admin } = await testPki();
  const signed = await signJobFiles(job(), sigOf(admin));
  const stray = { path: "app1/.__nvfl_extra", mode: 0o644, data: new Uint8Array() };
  await rejects([...signed, stray], "JOB_SIG_UNLISTED", {}, "app1/.__nvfl_extra");
});
