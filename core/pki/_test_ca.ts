// Shared fixtures for core/pki tests: one EC root per test module, created lazily.
import { createRootCa } from "./create_root_ca.ts";
import type { CertificateAuthority } from "./certificate_authority.ts";

let ec: Promise<CertificateAuthority> | undefined;

/** An EC root CA named "test-root". */
export function testRoot(): Promise<CertificateAuthority> {
  ec ??= createRootCa({ name: "test-root", keyType: "ec-p256", validDays: 30 });
  return ec;
}
