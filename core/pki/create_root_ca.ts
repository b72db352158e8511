import { x509 } from "./_x509.ts";
import { certificateSignatureAlgorithm, randomSerial } from "./_serial.ts";
import type { CertificateAuthority } from "./certificate_authority.ts";
import { generatePrivateKey } from "./generate_private_key.ts";
import type { KeyType } from "./key_type.ts";

/** Options of `createRootCa()`. */
export interface CreateRootCaOptions {
  /** Subject CN (the project name, at most 63 characters). */
  name: string;
  keyType: KeyType;
  /** Lifetime in days from issuance. */
  validDays: number;
  /** Issuance time (default now); notBefore is 300 s earlier. */
  now?: Date;
}

const DAY_MS = 86_400_000;

/**
 * Creates a self-signed root CA (`provisioning.md` §3): CN only, CA:TRUE pathLen 0 (critical),
 * KeyUsage keyCertSign, cRLSign, digitalSignature (critical), SubjectKeyIdentifier.
 */
export async function createRootCa(options: CreateRootCaOptions): Promise<CertificateAuthority> {
  const now = options.now ?? new Date();
  const key = await generatePrivateKey(options.keyType);
  const spki = key.publicKeySpki();
  const name = new x509.Name([{ CN: [{ utf8String: options.name }] }]);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name,
    issuer: name,
    notBefore: new Date(now.getTime() - 300_000),
    notAfter: new Date(now.getTime() + options.validDays * DAY_MS),
    publicKey: spki,
    signingKey: await key.certifyingKey(),
    signingAlgorithm: certificateSignatureAlgorithm(key),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(spki),
    ],
  });
  return { certificate, key };
}
