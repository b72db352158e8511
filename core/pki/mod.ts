/**
 * Public-key infrastructure shared by every role: keys, certificates (`provisioning.md` §3),
 * Stockade signatures (DER ECDSA-SHA256 / RSA-PSS SHA-256 salt max), chain checks to a given root,
 * fingerprints and identities.
 *
 * ```ts
 * import { checkCertificate, createRootCa, issueCertificate, sign, verifySignature } from "./mod.ts";
 * const root = await createRootCa({ name: "demo", keyType: "ec-p256", validDays: 3650 });
 * const site = await issueCertificate({
 *   issuer: root, subject: { name: "site-a", org: "hosp_a" }, usage: "clientAuth",
 *   subjectAltNames: [{ type: "dns", value: "site-a" }], keyType: "ec-p256", validDays: 360,
 * });
 * await checkCertificate(site.certificate, root.certificate, { usage: "clientAuth", name: "site-a" });
 * const sig = await sign(site.key, new TextEncoder().encode("hi"));
 * await verifySignature(site.certificate, new TextEncoder().encode("hi"), sig); // true
 * ```
 *
 * @module
 */
export type { CertificateAuthority } from "./certificate_authority.ts";
export { CertificateError, type CertificateErrorCode } from "./certificate_error.ts";
export { checkCertificate, type CheckCertificateOptions } from "./check_certificate.ts";
export { createRootCa, type CreateRootCaOptions } from "./create_root_ca.ts";
export { decryptPrivateKey } from "./decrypt_private_key.ts";
export { encryptPrivateKey, type ScryptCost, scryptKey } from "./encrypt_private_key.ts";
export { fingerprint } from "./fingerprint.ts";
export { generatePrivateKey } from "./generate_private_key.ts";
export { hasDigitalSignature } from "./has_key_usage.ts";
export { isCaCertificate } from "./is_ca_certificate.ts";
export {
  issueCertificate,
  type IssueCertificateOptions,
  type SubjectAltName,
} from "./issue_certificate.ts";
export { KEY_TYPES, type KeyType } from "./key_type.ts";
export { keyMatchesCertificate } from "./key_matches_certificate.ts";
export { type Certificate, parseCertificate } from "./parse_certificate.ts";
export { decodePem, encodePem } from "./pem.ts";
export { type KeyAlgorithm, PrivateKey } from "./private_key.ts";
export { type CertificateIdentity, readIdentity, UNSTRUCTURED_NAME_OID } from "./read_identity.ts";
export { sign } from "./sign.ts";
export { verifySignature } from "./verify_signature.ts";
