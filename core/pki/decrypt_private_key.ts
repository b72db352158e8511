import { createDecipheriv, createPrivateKey } from "node:crypto";
import {
  bytesEqual,
  derOid,
  readDerChildren,
  readDerExact,
  readSmallInteger,
  TAG,
} from "./_der.ts";
import { AES256_CBC_OID, PBES2_OID, SCRYPT_OID, scryptKey } from "./encrypt_private_key.ts";
import { decodePem } from "./pem.ts";
import { PrivateKey } from "./private_key.ts";

const oidBytes = (oid: string) => derOid(oid).subarray(2);

/** Highest scrypt N accepted from a file, so a hostile key cannot exhaust memory. */
const MAX_N = 1 << 20;

/**
 * Decrypts an `ENCRYPTED PRIVATE KEY` PEM: PBES2 with scrypt and AES-256-CBC (as written by
 * `encryptPrivateKey()`), or any scheme OpenSSL-compatible `node:crypto` reads. Throws `TypeError`
 * for a wrong passphrase or a damaged key.
 */
export async function decryptPrivateKey(pem: string, passphrase: string): Promise<PrivateKey> {
  let derBytes: Uint8Array;
  try {
    derBytes = decodePem(pem, "ENCRYPTED PRIVATE KEY");
  } catch (cause) {
    throw new TypeError("Cannot read encrypted private key: no ENCRYPTED PRIVATE KEY block", {
      cause,
    });
  }
  let parsed: {
    salt: Uint8Array;
    N: number;
    r: number;
    p: number;
    iv: Uint8Array;
    data: Uint8Array;
  } | undefined;
  try {
    const [alg, data] = readDerChildren(readDerExact(derBytes).content);
    const [algOid, pbes2] = readDerChildren(alg!.content);
    if (algOid?.tag === TAG.OID && bytesEqual(algOid.content, oidBytes(PBES2_OID))) {
      const [kdf, enc] = readDerChildren(pbes2!.content);
      const [kdfOid, kdfParams] = readDerChildren(kdf!.content);
      const [encOid, ivNode] = readDerChildren(enc!.content);
      if (
        bytesEqual(kdfOid!.content, oidBytes(SCRYPT_OID)) &&
        bytesEqual(encOid!.content, oidBytes(AES256_CBC_OID))
      ) {
        const [salt, n, r, p] = readDerChildren(kdfParams!.content);
        parsed = {
          salt: salt!.content,
          N: readSmallInteger(n!),
          r: readSmallInteger(r!),
          p: readSmallInteger(p!),
          iv: ivNode!.content,
          data: data!.content,
        };
      }
    }
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined) {
    try {
      const ko = createPrivateKey({ key: pem, format: "pem", passphrase });
      return PrivateKey.fromPkcs8(ko.export({ format: "der", type: "pkcs8" }));
    } catch (cause) {
      throw new TypeError("Cannot decrypt private key: wrong passphrase or unsupported format", {
        cause,
      });
    }
  }
  if (parsed.N > MAX_N || parsed.r > 32 || parsed.p > 16 || parsed.iv.length !== 16) {
    throw new TypeError("Cannot decrypt private key: scrypt parameters out of range");
  }
  const aesKey = await scryptKey(passphrase, parsed.salt, parsed);
  try {
    const decipher = createDecipheriv("aes-256-cbc", aesKey, parsed.iv);
    const plain = Buffer.concat([decipher.update(parsed.data), decipher.final()]);
    return PrivateKey.fromPkcs8(plain);
  } catch (cause) {
    throw new TypeError("Cannot decrypt private key: wrong passphrase or damaged key", { cause });
  }
}
