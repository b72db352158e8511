// Writes one participant's kit and signs its startup/ folder.
import {
  type Certificate,
  type CertificateAuthority,
  issueCertificate,
  type PrivateKey,
  sign,
  type SubjectAltName,
} from "../core/pki/mod.ts";
import {
  clientResources,
  fedAdminJson,
  fedClientJson,
  fedServerJson,
  readme,
  serverHost,
  startScript,
  stopScript,
} from "./_kit_files.ts";
import type { Templates } from "./_templates.ts";
import { IPV4_RE } from "./_validate.ts";
import type { Participant, Project } from "./project.ts";

/** What a run shares across kits. */
export interface KitContext {
  project: Project;
  root: CertificateAuthority;
  rootPem: string;
  customCaPem?: string;
  templates: Templates;
  now: Date;
}

/** A written kit. */
export interface WrittenKit {
  participant: Participant;
  dir: string;
  certificate: Certificate;
}

const enc = new TextEncoder();

async function put(path: string, data: Uint8Array | string, mode: number): Promise<void> {
  const bytes = typeof data === "string" ? enc.encode(data) : data;
  await Deno.writeFile(path, bytes, { mode, createNew: true });
  await Deno.chmod(path, mode);
}

const hostSan = (host: string): SubjectAltName => ({
  type: IPV4_RE.test(host) ? "ip" : "dns",
  value: host,
});

/** SANs of a participant's certificate (`provisioning.md` §3). */
function subjectAltNames(p: Participant): SubjectAltName[] {
  if (p.type === "admin") return [{ type: "email", value: p.name }];
  if (p.type === "client") return [{ type: "dns", value: p.name }];
  const hosts = [...new Set([serverHost(p), ...p.hostNames])];
  return hosts.map(hostSan);
}

/** Issues the participant's certificate and writes its kit into `dir` (which must not exist). */
export async function writeKit(
  ctx: KitContext,
  p: Participant,
  dir: string,
  key?: PrivateKey,
): Promise<WrittenKit> {
  const { project, templates } = ctx;
  const issued = await issueCertificate({
    issuer: ctx.root,
    subject: p.type === "admin"
      ? { name: p.name, org: p.org, role: p.role }
      : { name: p.type === "server" ? p.identity : p.name, org: p.org },
    usage: p.type === "server" ? "serverAuth" : "clientAuth",
    subjectAltNames: subjectAltNames(p),
    keyType: project.certs.keyType,
    ...(key ? { key } : {}),
    validDays: project.certs.validDays,
    now: ctx.now,
  });
  const startup = `${dir}/startup`;
  await Deno.mkdir(dir, { mode: 0o755 });
  await Deno.mkdir(startup, { mode: 0o700 });
  await Deno.chmod(startup, 0o700);
  const files: [string, string | Uint8Array, number][] = [["rootCA.pem", ctx.rootPem, 0o644]];
  const certName = p.type === "server" ? "server" : "client";
  files.push([`${certName}.crt`, issued.certificate.toString("pem") + "\n", 0o644]);
  files.push([`${certName}.key`, issued.key.toPem(), 0o600]);
  if (p.type === "server") {
    files.push(["fed_server.json", fedServerJson(project), 0o644]);
    files.push(["start.sh", startScript("server", p.name), 0o755]);
    files.push(["stop_fl.sh", stopScript(p.name), 0o755]);
  } else if (p.type === "client") {
    files.push(["fed_client.json", fedClientJson(project, p), 0o644]);
    files.push(["start.sh", startScript("client", p.name), 0o755]);
    files.push(["stop_fl.sh", stopScript(p.name), 0o755]);
  } else {
    files.push(["fed_admin.json", fedAdminJson(project, p), 0o644]);
    files.push(["fl_admin.sh", startScript("console", p.name), 0o755]);
  }
  if (p.type !== "server" && ctx.customCaPem !== undefined) {
    files.push(["customRootCA.pem", ctx.customCaPem, 0o644]);
  }
  const signatures: Record<string, string> = {};
  for (const [name, data, mode] of files) {
    const bytes = typeof data === "string" ? enc.encode(data) : data;
    await put(`${startup}/${name}`, bytes, mode);
    signatures[name] = btoa(String.fromCharCode(...await sign(ctx.root.key, bytes)));
  }
  const sorted = Object.fromEntries(Object.entries(signatures).sort(([a], [b]) => a < b ? -1 : 1));
  await put(`${startup}/signature.json`, JSON.stringify(sorted, null, 2) + "\n", 0o644);

  await Deno.mkdir(`${dir}/local`, { mode: 0o755 });
  if (p.type === "admin") {
    await put(`${dir}/local/resources.json.default`, templates.adminResources, 0o644);
  } else {
    await put(`${dir}/local/authorization.json.default`, templates.authorization, 0o644);
    await put(`${dir}/local/privacy.json.sample`, templates.privacy, 0o644);
    await put(
      `${dir}/local/resources.json.default`,
      p.type === "client" ? clientResources(templates, p) : templates.serverResources,
      0o644,
    );
    await put(`${dir}/local/log_config.json.default`, templates.logConfig, 0o644);
  }
  await Deno.mkdir(`${dir}/transfer`, { mode: 0o755 });
  await put(`${dir}/readme.txt`, readme(project, p.type, p.name), 0o644);
  return { participant: p, dir, certificate: issued.certificate };
}
