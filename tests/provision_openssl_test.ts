// Interop with a tool nobody here wrote: OpenSSL checks every leaf certificate against the root,
// reads the certificate fields, verifies signature.json entries (ECDSA and RSA-PSS) and opens the
// scrypt-encrypted root key.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { provisionProject } from "../provision/mod.ts";
import { PrivateKey, verifySignature } from "../core/pki/mod.ts";

const example = (rel: string) =>
  fileURLToPath(new URL(`../examples/projects/${rel}`, import.meta.url));

async function openssl(args: string[], stdin?: Uint8Array) {
  const cmd = new Deno.Command("openssl", {
    args,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function withWorkspace(fn: (ws: string) => Promise<void>) {
  const ws = await Deno.makeTempDir({ prefix: "stockade_openssl_" });
  try {
    await fn(ws);
  } finally {
    await Deno.remove(ws, { recursive: true });
  }
}

const b64decode = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

Deno.test("openssl verifies every leaf of the mixed example and reads its fields", async () => {
  await withWorkspace(async (ws) => {
    const r = await provisionProject({
      projectFile: example("mixed/project.yml"),
      workspace: ws,
      rootPassphrase: "correct horse battery",
    });
    const root = `${ws}/tumour_seg/state/rootCA.pem`;
    const rootText = await openssl(["x509", "-in", root, "-noout", "-text"]);
    assert.match(rootText.stdout, /Subject: CN\s?=\s?tumour_seg\n/);
    assert.match(rootText.stdout, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    assert.match(
      rootText.stdout,
      /Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/,
    );
    assert.match(rootText.stdout, /ecdsa-with-SHA256/);
    for (const kit of r.kits) {
      const leaf = `${kit.dir}/startup/${kit.type === "server" ? "server" : "client"}.crt`;
      const v = await openssl(["verify", "-CAfile", `${kit.dir}/startup/rootCA.pem`, leaf]);
      assert.equal(v.code, 0, v.stderr);
      assert.equal(v.stdout.trim(), `${leaf}: OK`);
      const text = (await openssl(["x509", "-in", leaf, "-noout", "-text"])).stdout;
      assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
      assert.match(text, /Key Usage: critical\s+Digital Signature\n/);
      assert.match(text, /Authority Key Identifier/);
      assert.match(text, /Subject Key Identifier/);
      if (kit.type === "server") {
        assert.match(text, /Subject: CN\s?=\s?fl.hosp-a.example, O\s?=\s?hosp_a\n/);
        assert.match(text, /Extended Key Usage:\s+TLS Web Server Authentication\n/);
        assert.match(
          text,
          /Subject Alternative Name:\s+DNS:fl.hosp-a.example, IP Address:10.0.4.7, DNS:fl-internal.hosp-a.example\n/,
        );
      } else if (kit.type === "client") {
        assert.match(text, new RegExp(`Subject: CN\\s?=\\s?${kit.name}, O\\s?=\\s?${kit.org}\\n`));
        assert.match(text, /Extended Key Usage:\s+TLS Web Client Authentication\n/);
        assert.match(text, new RegExp(`Subject Alternative Name:\\s+DNS:${kit.name}\\n`));
      } else {
        assert.match(
          text,
          new RegExp(
            `Subject: CN\\s?=\\s?${kit.name}, O\\s?=\\s?${kit.org}, unstructuredName\\s?=\\s?${kit.role}\\n`,
          ),
        );
        assert.match(text, /Extended Key Usage:\s+TLS Web Client Authentication\n/);
        assert.match(text, new RegExp(`Subject Alternative Name:\\s+email:${kit.name}\\n`));
      }
      // Keys are PKCS#8 that openssl reads.
      const key = await openssl(["pkey", "-in", leaf.replace(/\.crt$/, ".key"), "-noout"]);
      assert.equal(key.code, 0, key.stderr);
    }
    // A certificate from another CA does not verify against this root.
    const other = await openssl(["verify", "-CAfile", root, example("mixed/proxy_ca.pem")]);
    assert.notEqual(other.code, 0);

    // The passphrase-encrypted root key (PBES2 + scrypt) opens with openssl.
    const pass = `${ws}/pass.txt`;
    await Deno.writeTextFile(pass, "correct horse battery");
    const opened = await openssl([
      "pkey",
      "-in",
      `${ws}/tumour_seg/state/rootCA.key`,
      "-passin",
      `file:${pass}`,
      "-noout",
    ]);
    assert.equal(opened.code, 0, opened.stderr);
    await Deno.writeTextFile(pass, "wrong");
    const refused = await openssl([
      "pkey",
      "-in",
      `${ws}/tumour_seg/state/rootCA.key`,
      "-passin",
      `file:${pass}`,
      "-noout",
    ]);
    assert.notEqual(refused.code, 0);
  });
});

Deno.test("openssl dgst verifies signature.json entries: ECDSA DER and RSA-PSS salt 222", async () => {
  await withWorkspace(async (ws) => {
    const rsaProject = `${ws}/rsa.yml`;
    await Deno.writeTextFile(
      rsaProject,
      `api_version: 3
name: rsa_interop
participants:
  - {name: fl.example, type: server, org: o}
  - {name: site-1, type: client, org: o}
builders:
  - {path: stockade.certs, args: {key_type: rsa-2048}}
`,
    );
    const ec = await provisionProject({
      projectFile: example("minimal/project.yml"),
      workspace: ws,
    });
    const rsa = await provisionProject({ projectFile: rsaProject, workspace: ws });
    const pss = [
      "-sigopt",
      "rsa_padding_mode:pss",
      "-sigopt",
      "rsa_pss_saltlen:222",
      "-sigopt",
      "rsa_mgf1_md:sha256",
    ];
    for (const [r, extra] of [[ec, []], [rsa, pss]] as const) {
      const kit = r.kits[1]!.dir;
      const pub = `${ws}/root.pub`;
      const pk = await openssl(["x509", "-in", `${kit}/startup/rootCA.pem`, "-pubkey", "-noout"]);
      await Deno.writeTextFile(pub, pk.stdout);
      const sigs = JSON.parse(await Deno.readTextFile(`${kit}/startup/signature.json`)) as Record<
        string,
        string
      >;
      for (const name of ["fed_client.json", "client.crt"]) {
        const sig = `${ws}/sig.bin`;
        await Deno.writeFile(sig, b64decode(sigs[name]!));
        const ok = await openssl([
          "dgst",
          "-sha256",
          "-verify",
          pub,
          ...extra,
          "-signature",
          sig,
          `${kit}/startup/${name}`,
        ]);
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(ok.stdout.trim(), "Verified OK");
      }
      // The same signature over other bytes fails.
      await Deno.writeFile(`${ws}/sig.bin`, b64decode(sigs["fed_client.json"]!));
      const bad = await openssl([
        "dgst",
        "-sha256",
        "-verify",
        pub,
        ...extra,
        "-signature",
        `${ws}/sig.bin`,
        `${kit}/startup/client.crt`,
      ]);
      assert.notEqual(bad.code, 0);
      await Deno.remove(pub);
    }

    // And the other way: openssl signatures made with a kit key verify here; PSS salt 32 does not.
    const data = new TextEncoder().encode("made by openssl");
    await Deno.writeFile(`${ws}/data.bin`, data);
    for (const [r, extra] of [[ec, []], [rsa, pss]] as const) {
      const kit = r.kits[1]!.dir;
      const keyFile = `${kit}/startup/client.key`;
      const signed = await openssl([
        "dgst",
        "-sha256",
        "-sign",
        keyFile,
        ...extra,
        "-out",
        `${ws}/os.sig`,
        `${ws}/data.bin`,
      ]);
      assert.equal(signed.code, 0, signed.stderr);
      const spki = PrivateKey.fromPem(await Deno.readTextFile(keyFile)).publicKeySpki();
      assert.equal(await verifySignature(spki, data, await Deno.readFile(`${ws}/os.sig`)), true);
    }
    const rsaKey = `${rsa.kits[1]!.dir}/startup/client.key`;
    await openssl([
      "dgst",
      "-sha256",
      "-sign",
      rsaKey,
      "-sigopt",
      "rsa_padding_mode:pss",
      "-sigopt",
      "rsa_pss_saltlen:32",
      "-out",
      `${ws}/os32.sig`,
      `${ws}/data.bin`,
    ]);
    const spki = PrivateKey.fromPem(await Deno.readTextFile(rsaKey)).publicKeySpki();
    assert.equal(await verifySignature(spki, data, await Deno.readFile(`${ws}/os32.sig`)), false);

    // Readers accept PKCS#1 RSA keys too (provisioning.md §3).
    const pkcs1 = await openssl(["pkey", "-in", rsaKey, "-traditional"]);
    assert.match(pkcs1.stdout, /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.deepEqual(PrivateKey.fromPem(pkcs1.stdout).publicKeySpki(), spki);
  });
});
