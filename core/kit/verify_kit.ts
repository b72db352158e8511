import {
  type Certificate,
  checkCertificate,
  isCaCertificate,
  keyMatchesCertificate,
  parseCertificate,
  PrivateKey,
  verifySignature,
} from "../pki/mod.ts";
import { type KitIdentityConfig, readIdentityConfig } from "./_kit_config.ts";
import type { KitProblem, KitReport } from "./kit_report.ts";
import { CONFIG_FILES, type KitRole } from "./kit_role.ts";

/** Options of `verifyKit()`. */
export interface VerifyKitOptions {
  /** Role the caller runs as; its connection file must be present. Detected when omitted. */
  role?: KitRole;
  /** Time for certificate validity (default now). */
  now?: Date;
}

const SIGNATURE_FILE = "signature.json";
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const USAGE = { server: "serverAuth", client: "clientAuth", admin: "clientAuth" } as const;

function b64decode(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The start-time integrity check of `provisioning.md` §5: every regular file of `startup/` is
 * listed in `signature.json` and verifies against `startup/rootCA.pem`; nothing unlisted or
 * irregular is present; the participant's certificate chains to that root, is valid now, has the
 * role's EKU and the configured CN; the private key matches it. Never throws for kit content;
 * returns every problem found. Requires `--allow-read` of the kit.
 */
export async function verifyKit(
  kitDir: string,
  options: VerifyKitOptions = {},
): Promise<KitReport> {
  const problems: KitProblem[] = [];
  const add = (status: KitProblem["status"], name: string, detail?: string) =>
    problems.push(
      detail === undefined ? { status, file: `startup/${name}` } : {
        status,
        file: `startup/${name}`,
        detail,
      },
    );
  const startup = `${kitDir}/startup`;

  // Every entry of startup/, regular files read into memory once.
  const files = new Map<string, Uint8Array>();
  const irregular = new Set<string>();
  try {
    const names: string[] = [];
    for await (const entry of Deno.readDir(startup)) names.push(entry.name);
    names.sort();
    for (const name of names) {
      const info = await Deno.lstat(`${startup}/${name}`);
      if (!info.isFile) {
        irregular.add(name);
        add("NOT_REGULAR_FILE", name);
      } else {
        files.set(name, await Deno.readFile(`${startup}/${name}`));
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    add("NO_SIGNATURE_FILE", SIGNATURE_FILE, "startup/ does not exist");
    return { ok: false, kitDir, problems };
  }

  // Root CA.
  let root: Certificate | undefined;
  const rootBytes = files.get("rootCA.pem");
  if (rootBytes === undefined) {
    add("NO_ROOT_CA", "rootCA.pem", irregular.has("rootCA.pem") ? "not a regular file" : "missing");
  } else {
    try {
      root = parseCertificate(new TextDecoder().decode(rootBytes));
      if (!isCaCertificate(root)) {
        add("NO_ROOT_CA", "rootCA.pem", "not a CA certificate");
        root = undefined;
      }
    } catch {
      add("NO_ROOT_CA", "rootCA.pem", "not a certificate");
    }
  }

  // signature.json.
  let signatures: Map<string, string> | undefined;
  const sigBytes = files.get(SIGNATURE_FILE);
  if (sigBytes === undefined) {
    if (!irregular.has(SIGNATURE_FILE)) add("NO_SIGNATURE_FILE", SIGNATURE_FILE);
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(sigBytes));
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      add("BAD_SIGNATURE_FILE", SIGNATURE_FILE, "not a JSON object");
    } else {
      const entries = Object.entries(parsed);
      const bad = entries.find(([k, v]) =>
        typeof v !== "string" || v.length === 0 || !BASE64.test(v) || k.includes("/") ||
        k === SIGNATURE_FILE || k === "" || k === "." || k === ".."
      );
      if (bad) {
        add("BAD_SIGNATURE_FILE", SIGNATURE_FILE, `bad entry "${bad[0]}"`);
      } else {
        signatures = new Map(entries as [string, string][]);
      }
    }
  }

  if (signatures !== undefined) {
    for (const [name, sigB64] of [...signatures].sort(([a], [b]) => a < b ? -1 : 1)) {
      const bytes = files.get(name);
      if (bytes === undefined || bytes.length === 0) {
        if (!irregular.has(name)) add("MISSING", name);
        continue;
      }
      if (root === undefined) continue;
      if (!await verifySignature(root, bytes, b64decode(sigB64))) add("INVALID_SIGNATURE", name);
    }
    for (const name of files.keys()) {
      if (name !== SIGNATURE_FILE && !signatures.has(name)) add("NOT_SIGNED", name);
    }
  }

  // Role, identity, certificate and key.
  const report: KitReport = { ok: false, kitDir, problems };
  const roles = (Object.keys(CONFIG_FILES) as KitRole[]).filter((r) => files.has(CONFIG_FILES[r]));
  const role = options.role ?? (roles.length === 1 ? roles[0] : undefined);
  if (role === undefined) {
    add(
      "MISSING",
      "fed_*.json",
      roles.length === 0
        ? "no connection file"
        : `more than one connection file: ${roles.join(", ")}`,
    );
  } else {
    report.role = role;
    const configName = CONFIG_FILES[role];
    const configBytes = files.get(configName);
    let config: KitIdentityConfig | undefined;
    if (configBytes === undefined) {
      if (!problems.some((p) => p.file === `startup/${configName}`)) add("MISSING", configName);
    } else {
      try {
        config = readIdentityConfig(role, JSON.parse(new TextDecoder().decode(configBytes)));
        report.participant = config.name;
      } catch (err) {
        add("CERT_INVALID", configName, err instanceof TypeError ? err.message : "not valid JSON");
      }
    }
    if (config !== undefined && root !== undefined) {
      await checkIdentity(config, files, root, options.now, add);
    }
  }
  report.ok = problems.length === 0;
  return report;
}

async function checkIdentity(
  config: KitIdentityConfig,
  files: Map<string, Uint8Array>,
  root: Certificate,
  now: Date | undefined,
  add: (status: KitProblem["status"], name: string, detail?: string) => void,
): Promise<void> {
  const certBytes = files.get(config.certFile);
  if (certBytes === undefined) {
    add("CERT_INVALID", config.certFile, "missing");
    return;
  }
  let cert: Certificate;
  try {
    cert = parseCertificate(new TextDecoder().decode(certBytes));
    await checkCertificate(cert, root, {
      usage: USAGE[config.role],
      name: config.name,
      ...(now ? { at: now } : {}),
    });
  } catch (err) {
    add("CERT_INVALID", config.certFile, err instanceof Error ? err.message : String(err));
    return;
  }
  const keyBytes = files.get(config.keyFile);
  if (keyBytes === undefined) {
    add("KEY_MISMATCH", config.keyFile, "missing");
    return;
  }
  try {
    const key = PrivateKey.fromPem(new TextDecoder().decode(keyBytes));
    if (!keyMatchesCertificate(key, cert)) {
      add("KEY_MISMATCH", config.keyFile, `does not match "${config.certFile}"`);
    }
  } catch (err) {
    add("KEY_MISMATCH", config.keyFile, err instanceof Error ? err.message : String(err));
  }
}
