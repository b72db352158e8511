import { x509 } from "./_x509.ts";
import { certificateSignatureAlgorithm, randomSerial } from "./_serial.ts";
import type { CertificateAuthority } from "./certificate_authority.ts";
import { generatePrivateKey } from "./generate_private_key.ts";
import type { KeyType } from "./key_type.ts";
import type { Certificate } from "./parse_certificate.ts";
import type { PrivateKey } from "./private_key.ts";
import { UNSTRUCTURED_NAME_OID } from "./read_identity.ts";

/** One SubjectAltName entry. */
export interface SubjectAltName {
  type: "dns" | "ip" | "email";
  value: string;
}

/** Options of `issueCertificate()`. */
export interface IssueCertificateOptions {
  /** The signing root. */
  issuer: CertificateAuthority;
  /** Subject: CN = name, O = org, unstructuredName = role (admins). */
  subject: { name: string; org: string; role?: string };
  /** Extended key usage. */
  usage: "serverAuth" | "clientAuth";
  subjectAltNames: SubjectAltName[];
  keyType: KeyType;
  /** Certify this existing key instead of generating one of `keyType`. */
  key?: PrivateKey;
  /** Lifetime in days, clamped to the issuer's notAfter. */
  validDays: number;
  /** Issuance time (default now); notBefore is 300 s earlier. */
  now?: Date;
}

const DAY_MS = 86_400_000;

/**
 * Generates a key (or takes `key`) and issues a leaf certificate for it (`provisioning.md` §3): CA:FALSE and
 * KeyUsage digitalSignature (both critical), the EKU asked for, SAN, SKI and AKI, a 16-byte random
 * serial.
 */
export async function issueCertificate(
  options: IssueCertificateOptions,
): Promise<{ certificate: Certificate; key: PrivateKey }> {
  const now = options.now ?? new Date();
  const key = options.key ?? await generatePrivateKey(options.keyType);
  const spki = key.publicKeySpki();
  const issuerCert = options.issuer.certificate;
  const notAfter = Math.min(
    now.getTime() + options.validDays * DAY_MS,
    issuerCert.notAfter.getTime(),
  );
  const subject: x509.JsonNameParams = [
    { CN: [{ utf8String: options.subject.name }] },
    { O: [{ utf8String: options.subject.org }] },
  ];
  if (options.subject.role !== undefined) {
    subject.push({ [UNSTRUCTURED_NAME_OID]: [{ utf8String: options.subject.role }] });
  }
  const issuerSpki = new Uint8Array(issuerCert.publicKey.rawData);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([
      options.usage === "serverAuth"
        ? x509.ExtendedKeyUsage.serverAuth
        : x509.ExtendedKeyUsage.clientAuth,
    ]),
    await x509.SubjectKeyIdentifierExtension.create(spki),
    await x509.AuthorityKeyIdentifierExtension.create(issuerSpki),
  ];
  if (options.subjectAltNames.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(options.subjectAltNames));
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: new x509.Name(subject),
    issuer: issuerCert.subjectName,
    notBefore: new Date(now.getTime() - 300_000),
    notAfter: new Date(notAfter),
    publicKey: spki,
    signingKey: await options.issuer.key.certifyingKey(),
    signingAlgorithm: certificateSignatureAlgorithm(options.issuer.key),
    extensions,
  });
  return { certificate, key };
}
