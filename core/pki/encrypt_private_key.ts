import { createCipheriv, scrypt } from "node:crypto";
import { der, derOid, derSmallInteger, TAG } from "./_der.ts";
import { encodePem } from "./pem.ts";
import type { PrivateKey } from "./private_key.ts";

/** OIDs of PKCS#5 PBES2 with scrypt (RFC 7914) and AES-256-CBC. */
export const PBES2_OID = "1.2.840.113549.1.5.13";
/** RFC 7914 id-scrypt. */
export const SCRYPT_OID = "1.3.6.1.4.1.11591.4.11";
/** NIST aes256-CBC-PAD. */
export const AES256_CBC_OID = "2.16.840.1.101.3.4.1.42";

/** scrypt cost of `encryptPrivateKey()`; N = 2^14 is the most OpenSSL reads with its default memory cap. */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

const DEFAULT_COST: ScryptCost = { N: 16384, r: 8, p: 1 };

/** scrypt as a promise, with maxmem raised to what N and r need. */
export function scryptKey(
  password: string | Uint8Array,
  salt: Uint8Array,
  cost: ScryptCost,
  length = 32,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scrypt(
      typeof password === "string" ? password : Buffer.from(password),
      Buffer.from(salt),
      length,
      { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 },
      (err, key) => err ? reject(err) : resolve(new Uint8Array(key)),
    );
  });
}

/**
 * Encrypts a key as PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2: scrypt key derivation, AES-256-CBC),
 * readable by `openssl pkey -passin`.
 */
export async function encryptPrivateKey(
  key: PrivateKey,
  passphrase: string,
  cost: ScryptCost = DEFAULT_COST,
): Promise<string> {
  if (passphrase.length === 0) throw new TypeError("Passphrase is empty");
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const aesKey = await scryptKey(passphrase, salt, cost);
  const cipher = createCipheriv("aes-256-cbc", aesKey, iv);
  const encrypted = new Uint8Array(Buffer.concat([cipher.update(key.pkcs8), cipher.final()]));
  const scryptParams = der(
    TAG.SEQUENCE,
    der(TAG.OCTET_STRING, salt),
    derSmallInteger(cost.N),
    derSmallInteger(cost.r),
    derSmallInteger(cost.p),
    derSmallInteger(32),
  );
  const algorithm = der(
    TAG.SEQUENCE,
    derOid(PBES2_OID),
    der(
      TAG.SEQUENCE,
      der(TAG.SEQUENCE, derOid(SCRYPT_OID), scryptParams),
      der(TAG.SEQUENCE, derOid(AES256_CBC_OID), der(TAG.OCTET_STRING, iv)),
    ),
  );
  return encodePem(
    "ENCRYPTED PRIVATE KEY",
    der(TAG.SEQUENCE, algorithm, der(TAG.OCTET_STRING, encrypted)),
  );
}
