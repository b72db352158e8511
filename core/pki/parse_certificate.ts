import { x509 } from "./_x509.ts";
import { CertificateError } from "./certificate_error.ts";

/** An X.509 certificate as parsed by `@peculiar/x509`. */
export type Certificate = x509.X509Certificate;

/**
 * Parses a PEM (first certificate block) or DER certificate; throws `CertificateError`
 * `CERT_MALFORMED` otherwise.
 */
export function parseCertificate(input: string | Uint8Array): Certificate {
  try {
    if (typeof input === "string") {
      const m = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(input);
      if (!m) throw new SyntaxError("no CERTIFICATE block");
      return new x509.X509Certificate(m[0]);
    }
    return new x509.X509Certificate(input as Uint8Array<ArrayBuffer>);
  } catch (cause) {
    throw new CertificateError(
      "CERT_MALFORMED",
      "Cannot parse certificate: not a valid X.509 certificate",
      {
        cause,
      },
    );
  }
}
