import assert from "node:assert/strict";
import { checkCertificate } from "./check_certificate.ts";
import { createRootCa } from "./create_root_ca.ts";
import { issueCertificate } from "./issue_certificate.ts";
import { testRoot } from "./_test_ca.ts";

async function leaf(usage: "serverAuth" | "clientAuth", name = "site-a") {
  return await issueCertificate({
    issuer: await testRoot(),
    subject: { name, org: "o" },
    usage,
    subjectAltNames: [{ type: "dns", value: name }],
    keyType: "ec-p256",
    validDays: 5,
  });
}

Deno.test("checkCertificate() accepts a leaf of the root with the right usage and name", async () => {
  const root = await testRoot();
  const { certificate } = await leaf("clientAuth");
  await checkCertificate(certificate, root.certificate, { usage: "clientAuth", name: "site-a" });
});

Deno.test("checkCertificate() refuses another root, wrong usage, wrong name, expiry, CA leaves", async () => {
  const root = await testRoot();
  const other = await createRootCa({ name: "test-root", keyType: "ec-p256", validDays: 30 });
  const { certificate } = await leaf("serverAuth");
  await assert.rejects(checkCertificate(certificate, other.certificate), {
    code: "CERT_UNTRUSTED",
  });
  await assert.rejects(
    checkCertificate(certificate, root.certificate, { usage: "clientAuth" }),
    { code: "CERT_WRONG_USAGE" },
  );
  await assert.rejects(
    checkCertificate(certificate, root.certificate, { name: "site-b" }),
    { code: "CERT_NAME_MISMATCH" },
  );
  await assert.rejects(
    checkCertificate(certificate, root.certificate, { at: new Date(Date.now() + 6 * 86_400_000) }),
    { code: "CERT_EXPIRED" },
  );
  await assert.rejects(
    checkCertificate(certificate, root.certificate, { at: new Date(Date.now() - 3_600_000) }),
    { code: "CERT_NOT_YET_VALID" },
  );
  await assert.rejects(checkCertificate(certificate, certificate), { code: "CERT_ROOT_INVALID" });
  await assert.rejects(checkCertificate(other.certificate, root.certificate), {
    code: "CERT_UNTRUSTED",
  });
});
