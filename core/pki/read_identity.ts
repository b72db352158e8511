import type { Certificate } from "./parse_certificate.ts";

/** OID of PKCS#9 unstructuredName, where admin certificates carry the role. */
export const UNSTRUCTURED_NAME_OID = "1.2.840.113549.1.9.2";

/** Identity carried in a certificate subject. */
export interface CertificateIdentity {
  /** Subject CN: participant name or admin email. */
  name: string;
  /** Subject O, when present. */
  org?: string;
  /** Subject unstructuredName (admin role), when present. */
  role?: string;
}

/**
 * Reads name (CN), org (O) and role (unstructuredName, UTF8String, PrintableString or IA5String)
 * from a certificate subject. Throws `TypeError` if the subject has no single CN.
 */
export function readIdentity(cert: Certificate): CertificateIdentity {
  const subject = cert.subjectName;
  const cn = subject.getField("CN");
  if (cn.length !== 1 || !cn[0]) {
    throw new TypeError(`Certificate subject "${cert.subject}" must have exactly one CN`);
  }
  const out: CertificateIdentity = { name: cn[0] };
  const org = subject.getField("O")[0];
  if (org !== undefined) out.org = org;
  const role = subject.getField(UNSTRUCTURED_NAME_OID)[0];
  if (role !== undefined) out.role = role;
  return out;
}
