import { p1363ToDer } from "./_ecdsa_der.ts";
import type { PrivateKey } from "./private_key.ts";

/**
 * Signs `data` the Stockade way (`provisioning.md` §3): EC keys give DER-encoded ECDSA-SHA256,
 * RSA keys RSA-PSS with SHA-256, MGF1-SHA-256 and the maximum salt (key bytes − 34).
 */
export async function sign(key: PrivateKey, data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const cryptoKey = await key.signingKey();
  const bytes = data as Uint8Array<ArrayBuffer>;
  if (key.algorithm === "rsa") {
    const saltLength = key.bits / 8 - 34;
    return new Uint8Array(
      await crypto.subtle.sign({ name: "RSA-PSS", saltLength }, cryptoKey, bytes),
    );
  }
  const raw = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, cryptoKey, bytes);
  return p1363ToDer(new Uint8Array(raw));
}
