import type { Certificate } from "./parse_certificate.ts";
import type { PrivateKey } from "./private_key.ts";

/** A CA certificate with its private key. */
export interface CertificateAuthority {
  certificate: Certificate;
  key: PrivateKey;
}
