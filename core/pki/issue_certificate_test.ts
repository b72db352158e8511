import assert from "node:assert/strict";
import { x509 } from "./_x509.ts";
import { createRootCa } from "./create_root_ca.ts";
import { issueCertificate } from "./issue_certificate.ts";
import { isCaCertificate } from "./is_ca_certificate.ts";
import { keyMatchesCertificate } from "./key_matches_certificate.ts";
import { readIdentity, UNSTRUCTURED_NAME_OID } from "./read_identity.ts";
import { generatePrivateKey } from "./generate_private_key.ts";
import { fingerprint } from "./fingerprint.ts";
import { parseCertificate } from "./parse_certificate.ts";
import { testRoot } from "./_test_ca.ts";

Deno.test("issueCertificate() writes subject, role, usages, IP SANs and clamps validity to the root", async () => {
  const now = new Date("2030-01-01T00:00:00Z");
  const root = await createRootCa({ name: "p", keyType: "ec-p256", validDays: 10, now });
  assert.equal(isCaCertificate(root.certificate), true);
  const leaf = await issueCertificate({
    issuer: root,
    subject: { name: "ana@h.example", org: "hosp_a", role: "lead" },
    usage: "serverAuth",
    subjectAltNames: [{ type: "ip", value: "10.0.4.7" }, { type: "dns", value: "fl.example" }],
    keyType: "ec-p256",
    validDays: 360,
    now,
  });
  const cert = leaf.certificate;
  assert.deepEqual(readIdentity(cert), { name: "ana@h.example", org: "hosp_a", role: "lead" });
  assert.equal(cert.notAfter.getTime(), root.certificate.notAfter.getTime());
  assert.equal(cert.notBefore.getTime(), now.getTime() - 300_000);
  assert.equal(isCaCertificate(cert), false);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  assert.deepEqual(san?.names.toJSON(), [
    { type: "ip", value: "10.0.4.7" },
    { type: "dns", value: "fl.example" },
  ]);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  assert.deepEqual([...eku?.usages ?? []], [x509.ExtendedKeyUsage.serverAuth]);
  assert.equal(cert.getExtension(x509.KeyUsagesExtension)?.critical, true);
  assert.equal(cert.serialNumber.length, 32);
  assert.ok(Number.parseInt(cert.serialNumber.slice(0, 2), 16) < 0x80);
  assert.equal(keyMatchesCertificate(leaf.key, cert), true);
  assert.equal(keyMatchesCertificate(root.key, cert), false);
  assert.match(fingerprint(cert), /^[0-9a-f]{64}$/);
  assert.equal(fingerprint(parseCertificate(cert.toString("pem"))), fingerprint(cert));
});

Deno.test("parseCertificate() refuses garbage with CERT_MALFORMED", async () => {
  await testRoot();
  assert.throws(() => parseCertificate("not a cert"), { code: "CERT_MALFORMED" });
  assert.throws(() => parseCertificate(new Uint8Array([0x30, 0x00])), { code: "CERT_MALFORMED" });
});

Deno.test("readIdentity() reads a role written as PrintableString or IA5String", async () => {
  const root = await testRoot();
  for (const kind of ["printableString", "ia5String"] as const) {
    const key = await generatePrivateKey("ec-p256");
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: "01",
      subject: new x509.Name([
        { CN: [{ [kind]: "ana@h.example" }] },
        { [UNSTRUCTURED_NAME_OID]: [{ [kind]: "lead" }] },
      ]),
      issuer: root.certificate.subjectName,
      publicKey: key.publicKeySpki(),
      signingKey: await root.key.certifyingKey(),
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
    });
    assert.deepEqual(readIdentity(cert), { name: "ana@h.example", role: "lead" });
  }
});
