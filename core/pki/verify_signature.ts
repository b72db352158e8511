import { createPublicKey } from "node:crypto";
import { derToP1363 } from "./_ecdsa_der.ts";
import type { x509 } from "./_x509.ts";

/**
 * Verifies a Stockade signature (`provisioning.md` §3) with a certificate's public key or a DER
 * SubjectPublicKeyInfo. EC: only DER-encoded ECDSA-SHA256 on P-256 (P1363 and BER are rejected).
 * RSA: only RSA-PSS SHA-256 with salt = key bytes − 34. Returns `false` for every mismatch,
 * including keys of another kind; never throws for bad signatures.
 */
export async function verifySignature(
  signer: x509.X509Certificate | Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const spki = signer instanceof Uint8Array ? signer : new Uint8Array(signer.publicKey.rawData);
  let type: string | undefined;
  let details: { namedCurve?: string; modulusLength?: number };
  try {
    const ko = createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
    type = ko.asymmetricKeyType;
    details = ko.asymmetricKeyDetails ?? {};
  } catch {
    return false;
  }
  const spkiBuf = spki as Uint8Array<ArrayBuffer>;
  const bytes = data as Uint8Array<ArrayBuffer>;
  try {
    if (type === "ec" && details.namedCurve === "prime256v1") {
      let raw: Uint8Array<ArrayBuffer>;
      try {
        raw = derToP1363(signature, 32) as Uint8Array<ArrayBuffer>;
      } catch {
        return false;
      }
      const key = await crypto.subtle.importKey(
        "spki",
        spkiBuf,
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["verify"],
      );
      return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, raw, bytes);
    }
    if (type === "rsa" && (details.modulusLength ?? 0) >= 2048) {
      const keyBytes = Math.ceil((details.modulusLength ?? 0) / 8);
      if (signature.length !== keyBytes) return false;
      const key = await crypto.subtle.importKey(
        "spki",
        spkiBuf,
        { name: "RSA-PSS", hash: "SHA-256" },
        false,
        ["verify"],
      );
      return await crypto.subtle.verify(
        { name: "RSA-PSS", saltLength: keyBytes - 34 },
        key,
        signature as Uint8Array<ArrayBuffer>,
        bytes,
      );
    }
  } catch {
    return false;
  }
  return false;
}
