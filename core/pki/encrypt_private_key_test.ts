import assert from "node:assert/strict";
import { decryptPrivateKey } from "./decrypt_private_key.ts";
import { encryptPrivateKey } from "./encrypt_private_key.ts";
import { generatePrivateKey } from "./generate_private_key.ts";
import { PrivateKey } from "./private_key.ts";

Deno.test("encryptPrivateKey() round-trips through decryptPrivateKey() and refuses a wrong passphrase", async () => {
  const key = await generatePrivateKey("ec-p256");
  const pem = await encryptPrivateKey(key, "correct horse", { N: 1024, r: 8, p: 1 });
  assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
  const back = await decryptPrivateKey(pem, "correct horse");
  assert.deepEqual(back.pkcs8, key.pkcs8);
  await assert.rejects(decryptPrivateKey(pem, "wrong"), TypeError);
  assert.throws(() => PrivateKey.fromPem(pem), TypeError);
});

Deno.test("PrivateKey.fromPem() refuses unsupported keys", () => {
  assert.throws(
    () => PrivateKey.fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
    TypeError,
  );
});
