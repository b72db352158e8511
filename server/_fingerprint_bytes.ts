import { createHash } from "node:crypto";

/** SHA-256 of a DER certificate as bytes (tokens carry it raw; `fingerprint()` gives hex). */
export function fingerprintBytes(der: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(der).digest());
}
