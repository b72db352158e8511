import { createHash } from "node:crypto";
import type { Certificate } from "./parse_certificate.ts";

/** Lowercase hex SHA-256 of the DER certificate (`provisioning.md` §3). */
export function fingerprint(cert: Certificate | Uint8Array): string {
  const der = cert instanceof Uint8Array ? cert : new Uint8Array(cert.rawData);
  return createHash("sha256").update(der).digest("hex");
}
