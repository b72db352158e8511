import type { KeyType } from "./key_type.ts";
import { PrivateKey } from "./private_key.ts";

/** Generates a fresh key of `keyType` (P-256, or RSA-2048 with e = 65537). */
export async function generatePrivateKey(keyType: KeyType): Promise<PrivateKey> {
  const params = keyType === "rsa-2048"
    ? {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    }
    : { name: "ECDSA", namedCurve: "P-256" };
  const pair = await crypto.subtle.generateKey(params, true, ["sign", "verify"]) as CryptoKeyPair;
  return await PrivateKey.fromCryptoKey(pair.privateKey);
}
