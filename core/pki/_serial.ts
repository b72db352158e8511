import type { PrivateKey } from "./private_key.ts";
import { toHex } from "../util/to_hex.ts";

/** 16 random bytes as hex, top bit cleared (positive) and first byte non-zero (full length). */
export function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return toHex(bytes);
}

/** X.509 signature algorithm of an issuer key: ecdsa-with-SHA256 or sha256WithRSAEncryption. */
export function certificateSignatureAlgorithm(key: PrivateKey): Algorithm | EcdsaParams {
  return key.algorithm === "rsa"
    ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as Algorithm
    : { name: "ECDSA", hash: "SHA-256" };
}
