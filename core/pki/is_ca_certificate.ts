import { x509 } from "./_x509.ts";
import type { Certificate } from "./parse_certificate.ts";

/** True when the certificate says CA:TRUE and, if it has KeyUsage, allows keyCertSign. */
export function isCaCertificate(cert: Certificate): boolean {
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) return false;
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  return ku === null || (ku.usages & x509.KeyUsageFlags.keyCertSign) !== 0;
}
