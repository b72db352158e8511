import { x509 } from "./_x509.ts";
import type { Certificate } from "./parse_certificate.ts";

/**
 * True when the certificate has a KeyUsage extension that allows digitalSignature. A certificate
 * without KeyUsage gives `false`: signers must say so explicitly.
 */
export function hasDigitalSignature(cert: Certificate): boolean {
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  return ku !== null && (ku.usages & x509.KeyUsageFlags.digitalSignature) !== 0;
}
