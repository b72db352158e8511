/** Machine-readable reasons a certificate is refused. */
export type CertificateErrorCode =
  | "CERT_MALFORMED"
  | "CERT_ROOT_INVALID"
  | "CERT_UNTRUSTED"
  | "CERT_EXPIRED"
  | "CERT_NOT_YET_VALID"
  | "CERT_IS_CA"
  | "CERT_WRONG_USAGE"
  | "CERT_NAME_MISMATCH";

/** A certificate failed parsing or a check of `checkCertificate()`. */
export class CertificateError extends Error {
  override name = "CertificateError";
  /** Why the certificate was refused. */
  readonly code: CertificateErrorCode;

  constructor(code: CertificateErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
