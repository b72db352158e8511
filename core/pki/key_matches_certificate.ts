import { bytesEqual } from "./_der.ts";
import type { Certificate } from "./parse_certificate.ts";
import type { PrivateKey } from "./private_key.ts";

/** True when `key` is the private half of the certificate's public key. */
export function keyMatchesCertificate(key: PrivateKey, cert: Certificate): boolean {
  return bytesEqual(key.publicKeySpki(), new Uint8Array(cert.publicKey.rawData));
}
