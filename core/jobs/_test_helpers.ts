// Shared fixtures for core/jobs tests: in-memory jobs and lazily created certificates.
import {
  type CertificateAuthority,
  createRootCa,
  generatePrivateKey,
  issueCertificate,
  type PrivateKey,
  UNSTRUCTURED_NAME_OID,
} from "../pki/mod.ts";
import { x509 } from "../pki/_x509.ts";
import type { Certificate } from "../pki/mod.ts";
import type { JobFile } from "./job_file.ts";

const utf8 = new TextEncoder();

/** A file list from `{path: text | object}` (objects become JSON). */
export function jobFiles(spec: Record<string, string | object>): JobFile[] {
  return Object.entries(spec).map(([path, v]) => ({
    path,
    mode: 0o644,
    data: utf8.encode(typeof v === "string" ? v : JSON.stringify(v)),
  }));
}

/** A minimal valid server config. */
export const SERVER_CONFIG = {
  format_version: 2,
  workflows: [{ id: "sag", path: "stockade.app_common.workflows.ScatterAndGather", args: {} }],
};

/** A minimal valid client config. */
export const CLIENT_CONFIG = {
  format_version: 2,
  executors: [{
    tasks: ["train"],
    executor: { path: "stockade.app_common.executors.AddOneTrainer" },
  }],
};

/** A job with `meta` and one app folder per name, each with both configs. */
export function simpleJob(meta: object, apps: string[] = ["app1"]): JobFile[] {
  const spec: Record<string, string | object> = { "meta.json": meta };
  for (const app of apps) {
    spec[`${app}/config/config_fed_server.json`] = SERVER_CONFIG;
    spec[`${app}/config/config_fed_client.json`] = CLIENT_CONFIG;
  }
  return jobFiles(spec);
}

/** An issued certificate with its key and PEM. */
export interface Issued {
  certificate: Certificate;
  key: PrivateKey;
  certificatePem: string;
}

async function issue(
  issuer: CertificateAuthority,
  subject: { name: string; org: string; role?: string },
  options: { now?: Date; validDays?: number; usage?: "clientAuth" | "serverAuth" } = {},
): Promise<Issued> {
  const { certificate, key } = await issueCertificate({
    issuer,
    subject,
    usage: options.usage ?? "clientAuth",
    subjectAltNames: [],
    keyType: "ec-p256",
    validDays: options.validDays ?? 30,
    ...(options.now ? { now: options.now } : {}),
  });
  return { certificate, key, certificatePem: certificate.toString("pem") };
}

interface Pki {
  root: CertificateAuthority;
  otherRoot: CertificateAuthority;
  admin: Issued;
  admin2: Issued;
  foreignAdmin: Issued;
  expiredAdmin: Issued;
  site: Issued;
  serverAuthAdmin: Issued;
  noKeyUsageAdmin: Issued;
  noOrgAdmin: Issued;
}

// A leaf like issueCertificate() makes, minus KeyUsage or O, to prove those checks.
async function issueRaw(
  issuer: CertificateAuthority,
  subject: { name: string; org?: string; role: string },
  keyUsage: boolean,
): Promise<Issued> {
  const key = await generatePrivateKey("ec-p256");
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: "01",
    subject: new x509.Name([
      { CN: [{ utf8String: subject.name }] },
      ...(subject.org ? [{ O: [{ utf8String: subject.org }] }] : []),
      { [UNSTRUCTURED_NAME_OID]: [{ utf8String: subject.role }] },
    ]),
    issuer: issuer.certificate.subjectName,
    notBefore: new Date(now - 300_000),
    notAfter: new Date(now + 86_400_000),
    publicKey: key.publicKeySpki(),
    signingKey: await issuer.key.certifyingKey(),
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...(keyUsage ? [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)] : []),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  return { certificate, key, certificatePem: certificate.toString("pem") };
}

let pki: Promise<Pki> | undefined;

/** Two roots and the certificates the signing tests need, created once per test module. */
export function testPki(): Promise<Pki> {
  pki ??= (async () => {
    const now = new Date();
    const root = await createRootCa({
      name: "jobs-root",
      keyType: "ec-p256",
      validDays: 30,
      now: new Date(now.getTime() - 20 * 86_400_000),
    });
    const otherRoot = await createRootCa({ name: "other-root", keyType: "ec-p256", validDays: 30 });
    const lead = { name: "lead@hosp-a.example", org: "hosp_a", role: "lead" };
    return {
      root,
      otherRoot,
      admin: await issue(root, lead),
      admin2: await issue(root, { name: "ana@hosp-b.example", org: "hosp_b", role: "lead" }),
      foreignAdmin: await issue(otherRoot, lead),
      expiredAdmin: await issue(root, lead, {
        now: new Date(now.getTime() - 10 * 86_400_000),
        validDays: 2,
      }),
      site: await issue(root, { name: "site-1", org: "hosp_a" }),
      serverAuthAdmin: await issue(root, lead, { usage: "serverAuth" }),
      noKeyUsageAdmin: await issueRaw(root, lead, false),
      noOrgAdmin: await issueRaw(root, { name: lead.name, role: "lead" }, true),
    };
  })();
  return pki;
}
