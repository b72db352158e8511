import { x509 } from "./_x509.ts";
import { CertificateError } from "./certificate_error.ts";
import { isCaCertificate } from "./is_ca_certificate.ts";
import type { Certificate } from "./parse_certificate.ts";
import { readIdentity } from "./read_identity.ts";

/** What `checkCertificate()` requires besides the chain. */
export interface CheckCertificateOptions {
  /** Extended key usage the certificate must list. */
  usage?: "serverAuth" | "clientAuth";
  /** Required subject CN. */
  name?: string;
  /** Time of the check (default now). */
  at?: Date;
}

const EKU_OIDS = {
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
} as const;

/**
 * Checks that `cert` is a leaf issued directly by `root` (a CA certificate): issuer name and
 * signature, validity of both at `at`, not a CA itself, the EKU and CN asked for. Throws
 * `CertificateError` with the first failing reason. (A chain builder alone is not enough: it does
 * not fail for an untrusted chain, so the issuer is checked against `root` here.)
 */
export async function checkCertificate(
  cert: Certificate,
  root: Certificate,
  options: CheckCertificateOptions = {},
): Promise<void> {
  const at = options.at ?? new Date();
  if (!isCaCertificate(root)) {
    throw new CertificateError(
      "CERT_ROOT_INVALID",
      `Root "${root.subject}" is not a CA certificate`,
    );
  }
  const sameIssuer = cert.issuerName.toString() === root.subjectName.toString();
  let signed = false;
  if (sameIssuer) {
    try {
      signed = await cert.verify({ publicKey: root.publicKey, signatureOnly: true });
    } catch {
      signed = false;
    }
  }
  if (!signed) {
    throw new CertificateError(
      "CERT_UNTRUSTED",
      `Certificate "${cert.subject}" was not issued by root "${root.subject}"`,
    );
  }
  for (const [c, what] of [[root, "root"], [cert, "certificate"]] as const) {
    if (at < c.notBefore) {
      throw new CertificateError(
        "CERT_NOT_YET_VALID",
        `The ${what} "${c.subject}" is not valid before ${c.notBefore.toISOString()}`,
      );
    }
    if (at > c.notAfter) {
      throw new CertificateError(
        "CERT_EXPIRED",
        `The ${what} "${c.subject}" expired at ${c.notAfter.toISOString()}`,
      );
    }
  }
  if (cert.getExtension(x509.BasicConstraintsExtension)?.ca) {
    throw new CertificateError("CERT_IS_CA", `Certificate "${cert.subject}" is a CA certificate`);
  }
  if (options.usage !== undefined) {
    const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
    const want = EKU_OIDS[options.usage];
    if (!eku || !eku.usages.some((u) => u === want)) {
      throw new CertificateError(
        "CERT_WRONG_USAGE",
        `Certificate "${cert.subject}" lacks extended key usage "${options.usage}"`,
      );
    }
  }
  if (options.name !== undefined) {
    let cn: string | undefined;
    try {
      cn = readIdentity(cert).name;
    } catch {
      cn = undefined;
    }
    if (cn !== options.name) {
      throw new CertificateError(
        "CERT_NAME_MISMATCH",
        `Certificate CN "${cn ?? ""}" is not the expected name "${options.name}"`,
      );
    }
  }
}
