// Builds a minimal signed client kit by hand for core/kit tests (provision/ is not importable here).
import { createRootCa, issueCertificate, sign } from "../pki/mod.ts";

const enc = new TextEncoder();

/** Writes a signed kit for client "site-a" into a fresh temp folder and returns its path. */
export async function makeTestKit(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "stockade_kit_" });
  const root = await createRootCa({ name: "kit-test", keyType: "ec-p256", validDays: 30 });
  const leaf = await issueCertificate({
    issuer: root,
    subject: { name: "site-a", org: "o" },
    usage: "clientAuth",
    subjectAltNames: [{ type: "dns", value: "site-a" }],
    keyType: "ec-p256",
    validDays: 10,
  });
  const files: Record<string, string> = {
    "rootCA.pem": root.certificate.toString("pem"),
    "client.crt": leaf.certificate.toString("pem"),
    "client.key": leaf.key.toPem(),
    "fed_client.json": JSON.stringify({
      format_version: 2,
      servers: [{
        name: "kit-test",
        identity: "server.example",
        service: { target: "server.example:8002", scheme: "https" },
      }],
      client: {
        fqsn: "site-a",
        ssl_cert: "client.crt",
        ssl_private_key: "client.key",
        ssl_root_cert: "rootCA.pem",
        connection_security: "mtls",
      },
    }),
  };
  await Deno.mkdir(`${dir}/startup`, { mode: 0o700 });
  await Deno.mkdir(`${dir}/local`);
  const sigs: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/startup/${name}`, text);
    sigs[name] = btoa(String.fromCharCode(...await sign(root.key, enc.encode(text))));
  }
  await Deno.writeTextFile(`${dir}/startup/signature.json`, JSON.stringify(sigs));
  return dir;
}
