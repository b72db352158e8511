import assert from "node:assert/strict";
import { p1363ToDer } from "./_ecdsa_der.ts";
import { generatePrivateKey } from "./generate_private_key.ts";
import { issueCertificate } from "./issue_certificate.ts";
import { sign } from "./sign.ts";
import { verifySignature } from "./verify_signature.ts";
import { testRoot } from "./_test_ca.ts";

const data = new TextEncoder().encode("stockade signed bytes");

Deno.test("sign() gives DER ECDSA that verifySignature() accepts, and rejects P1363 and tampering", async () => {
  const root = await testRoot();
  const leaf = await issueCertificate({
    issuer: root,
    subject: { name: "site-a", org: "o" },
    usage: "clientAuth",
    subjectAltNames: [],
    keyType: "ec-p256",
    validDays: 1,
  });
  const sig = await sign(leaf.key, data);
  assert.equal(sig[0], 0x30);
  assert.equal(await verifySignature(leaf.certificate, data, sig), true);
  assert.equal(await verifySignature(leaf.key.publicKeySpki(), data, sig), true);
  // Raw r||s from WebCrypto is not DER and must be refused.
  const raw = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, await leaf.key.signingKey(), data),
  );
  assert.equal(await verifySignature(leaf.certificate, data, raw), false);
  assert.deepEqual(p1363ToDer(raw).length > 64, true);
  assert.equal(await verifySignature(leaf.certificate, data, p1363ToDer(raw)), true);
  // Trailing byte, non-minimal length, other data, other key.
  assert.equal(await verifySignature(leaf.certificate, data, new Uint8Array([...sig, 0])), false);
  assert.equal(await verifySignature(leaf.certificate, new Uint8Array([1]), sig), false);
  assert.equal(await verifySignature(root.certificate, data, sig), false);
});

Deno.test("sign() uses RSA-PSS with salt 222 and verifySignature() refuses other salt lengths", async () => {
  const key = await generatePrivateKey("rsa-2048");
  assert.equal(key.algorithm, "rsa");
  const sig = await sign(key, data);
  assert.equal(sig.length, 256);
  assert.equal(await verifySignature(key.publicKeySpki(), data, sig), true);
  const salt32 = new Uint8Array(
    await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, await key.signingKey(), data),
  );
  assert.equal(await verifySignature(key.publicKeySpki(), data, salt32), false);
  assert.equal(await verifySignature(key.publicKeySpki(), data, sig.subarray(1)), false);
});
