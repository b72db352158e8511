import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { verifyKit } from "../core/kit/mod.ts";
import { x509 } from "../core/pki/_x509.ts";
import { fingerprint, isCaCertificate, parseCertificate, readIdentity } from "../core/pki/mod.ts";
import { provisionProject } from "./provision_project.ts";
import { example, readJson, withTempDir } from "./_test_helpers.ts";

const cert = async (path: string) => parseCertificate(await Deno.readTextFile(path));
const sans = (c: x509.X509Certificate) =>
  c.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON();
const eku = (c: x509.X509Certificate) => [
  ...(c.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? []),
];
const DAY = 86_400_000;

Deno.test("provisionProject() builds the mixed example kit by kit, field by field", async () => {
  await withTempDir(async (ws) => {
    const r = await provisionProject({ projectFile: example("mixed/project.yml"), workspace: ws });
    assert.equal(r.prodDir, `${ws}/tumour_seg/prod_00`);
    assert.equal(r.rootCreated, true);
    const k = (name: string) => `${r.prodDir}/${name}`;

    assert.deepEqual(await readJson(k("fl.hosp-a.example/startup/fed_server.json")), {
      format_version: 2,
      servers: [{
        name: "tumour_seg",
        identity: "fl.hosp-a.example",
        service: { target: "fl.hosp-a.example:8443", scheme: "https" },
        admin_server: "fl.hosp-a.example",
        admin_port: 8443,
        ssl_cert: "server.crt",
        ssl_private_key: "server.key",
        ssl_root_cert: "rootCA.pem",
        connection_security: "mtls",
      }],
    });
    const client = (target: string, scheme: string, fqsn: string, security: string) => ({
      format_version: 2,
      servers: [{
        name: "tumour_seg",
        identity: "fl.hosp-a.example",
        service: { target, scheme },
      }],
      client: {
        fqsn,
        ssl_cert: "client.crt",
        ssl_private_key: "client.key",
        ssl_root_cert: "rootCA.pem",
        connection_security: security,
      },
    });
    assert.deepEqual(
      await readJson(k("site-a/startup/fed_client.json")),
      client("fl.hosp-a.example:8443", "https", "site-a", "mtls"),
    );
    assert.deepEqual(
      await readJson(k("site-b/startup/fed_client.json")),
      client("10.0.4.7:8443", "https", "site-b", "tls"),
    );
    assert.deepEqual(
      await readJson(k("site-c/startup/fed_client.json")),
      client("fl-internal.hosp-a.example:9080", "http", "site-c", "clear"),
    );
    const admin = (username: string, host: string) => ({
      format_version: 1,
      admin: {
        project_name: "tumour_seg",
        username,
        server_identity: "fl.hosp-a.example",
        host,
        port: 8443,
        scheme: "https",
        connection_security: "mtls",
        client_cert: "client.crt",
        client_key: "client.key",
        ca_cert: "rootCA.pem",
        upload_dir: "transfer",
        download_dir: "transfer",
      },
    });
    assert.deepEqual(
      await readJson(k("ana@hosp-a.example/startup/fed_admin.json")),
      admin("ana@hosp-a.example", "fl.hosp-a.example"),
    );
    assert.deepEqual(
      await readJson(k("lee@hosp-b.example/startup/fed_admin.json")),
      admin("lee@hosp-b.example", "fl-internal.hosp-a.example"),
    );

    // Certificates.
    const root = await cert(`${ws}/tumour_seg/state/rootCA.pem`);
    assert.equal(isCaCertificate(root), true);
    assert.equal(root.subject, "CN=tumour_seg");
    assert.equal(fingerprint(root), r.rootFingerprint);
    assert.equal(Math.round((root.notAfter.getTime() - root.notBefore.getTime()) / DAY), 1825);
    const server = await cert(k("fl.hosp-a.example/startup/server.crt"));
    assert.deepEqual(readIdentity(server), { name: "fl.hosp-a.example", org: "hosp_a" });
    assert.deepEqual(sans(server), [
      { type: "dns", value: "fl.hosp-a.example" },
      { type: "ip", value: "10.0.4.7" },
      { type: "dns", value: "fl-internal.hosp-a.example" },
    ]);
    assert.deepEqual(eku(server), [x509.ExtendedKeyUsage.serverAuth]);
    assert.equal(Math.round((server.notAfter.getTime() - server.notBefore.getTime()) / DAY), 180);
    const siteA = await cert(k("site-a/startup/client.crt"));
    assert.deepEqual(readIdentity(siteA), { name: "site-a", org: "hosp_a" });
    assert.deepEqual(sans(siteA), [{ type: "dns", value: "site-a" }]);
    assert.deepEqual(eku(siteA), [x509.ExtendedKeyUsage.clientAuth]);
    const lee = await cert(k("lee@hosp-b.example/startup/client.crt"));
    assert.deepEqual(readIdentity(lee), {
      name: "lee@hosp-b.example",
      org: "hosp_b",
      role: "lead",
    });
    assert.deepEqual(sans(lee), [{ type: "email", value: "lee@hosp-b.example" }]);

    // Custom CA in client and admin kits only, signed like every startup file.
    const customCa = await Deno.readTextFile(example("mixed/proxy_ca.pem"));
    for (const name of ["site-a", "site-b", "site-c", "ana@hosp-a.example"]) {
      assert.equal(await Deno.readTextFile(k(`${name}/startup/customRootCA.pem`)), customCa);
    }
    await assert.rejects(
      Deno.stat(k("fl.hosp-a.example/startup/customRootCA.pem")),
      Deno.errors.NotFound,
    );

    // local/ templates.
    const authz = await Deno.readFile(
      fileURLToPath(new URL("../policies/defaults/authorization.json.default", import.meta.url)),
    );
    assert.deepEqual(await Deno.readFile(k("site-b/local/authorization.json.default")), authz);
    const resA = await readJson(k("site-a/local/resources.json.default")) as {
      components: { args: Record<string, number> }[];
    };
    assert.equal(resA.components[0]?.args.num_of_gpus, 2);
    assert.equal(resA.components[0]?.args.mem_per_gpu_in_GiB, 16);
    const serverRes = await readJson(k("fl.hosp-a.example/local/resources.json.default")) as {
      servers: unknown[];
    };
    assert.equal(serverRes.servers.length, 1);
    const adminLocal = [];
    for await (const e of Deno.readDir(k("ana@hosp-a.example/local"))) adminLocal.push(e.name);
    assert.deepEqual(adminLocal, ["resources.json.default"]);
    const siteLocal = [];
    for await (const e of Deno.readDir(k("site-c/local"))) siteLocal.push(e.name);
    assert.deepEqual(siteLocal.sort(), [
      "authorization.json.default",
      "log_config.json.default",
      "privacy.json.sample",
      "resources.json.default",
    ]);

    // Modes, signature.json coverage, transfer/, readme.
    assert.equal((await Deno.stat(k("site-a/startup"))).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(k("site-a/startup/client.key"))).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(k("fl.hosp-a.example/startup/server.key"))).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(k("site-a/transfer"))).isDirectory, true);
    assert.match(await Deno.readTextFile(k("site-a/readme.txt")), /participant: site-a \(client\)/);
    const signed = Object.keys(await readJson(k("site-a/startup/signature.json")) as object);
    assert.deepEqual(signed, [
      "client.crt",
      "client.key",
      "customRootCA.pem",
      "fed_client.json",
      "rootCA.pem",
      "start.sh",
      "stop_fl.sh",
    ]);
    const adminSigned = Object.keys(
      await readJson(k("ana@hosp-a.example/startup/signature.json")) as object,
    );
    assert.deepEqual(adminSigned, [
      "client.crt",
      "client.key",
      "customRootCA.pem",
      "fed_admin.json",
      "fl_admin.sh",
      "rootCA.pem",
    ]);
    for (const kit of r.kits) assert.equal((await verifyKit(kit.dir)).ok, true, kit.name);

    // state/ has the root and the fingerprints, never a participant key.
    const state = await readJson(`${ws}/tumour_seg/state/project_state.json`) as {
      project: string;
      root_fingerprint: string;
      participants: { name: string; fingerprint: string; role?: string }[];
    };
    assert.equal(state.project, "tumour_seg");
    assert.equal(state.root_fingerprint, r.rootFingerprint);
    assert.deepEqual(state.participants.map((p) => p.name), r.kits.map((x) => x.name));
    assert.equal(state.participants[0]?.fingerprint, fingerprint(server));
    assert.equal(state.participants.find((p) => p.name === "lee@hosp-b.example")?.role, "lead");
    const stateFiles = [];
    for await (const e of Deno.readDir(`${ws}/tumour_seg/state`)) stateFiles.push(e.name);
    assert.deepEqual(stateFiles.sort(), ["project_state.json", "rootCA.key", "rootCA.pem"]);
    assert.equal((await Deno.stat(`${ws}/tumour_seg/state/rootCA.key`)).mode! & 0o777, 0o600);
  });
});

Deno.test("provisionProject() builds the minimal and NVFlare-style examples", async () => {
  await withTempDir(async (ws) => {
    const min = await provisionProject({
      projectFile: example("minimal/project.yml"),
      workspace: ws,
    });
    assert.deepEqual(min.kits.map((x) => [x.type, x.name]), [
      ["server", "server.example.org"],
      ["client", "site-1"],
      ["client", "site-2"],
      ["admin", "admin@example.org"],
    ]);
    const c = await readJson(`${min.prodDir}/site-2/startup/fed_client.json`) as {
      servers: { service: { target: string } }[];
    };
    assert.equal(c.servers[0]?.service.target, "server.example.org:8002");
    const a = await readJson(`${min.prodDir}/admin@example.org/startup/fed_admin.json`) as {
      admin: { port: number; host: string };
    };
    assert.deepEqual([a.admin.host, a.admin.port], ["server.example.org", 8003]);
    const start = await Deno.readTextFile(`${min.prodDir}/site-1/startup/start.sh`);
    assert.match(start, /STOCKADE_HOME is not set/);
    assert.match(start, /task client --kit "\$kit_dir"/);
    assert.match(
      await Deno.readTextFile(`${min.prodDir}/admin@example.org/startup/fl_admin.sh`),
      /task console --kit/,
    );
    assert.match(
      await Deno.readTextFile(`${min.prodDir}/server.example.org/startup/stop_fl.sh`),
      /touch "\$kit_dir\/shutdown.fl"/,
    );

    const nv = await provisionProject({
      projectFile: example("nvflare_style/project.yml"),
      workspace: ws,
    });
    assert.equal(nv.kits.length, 4);
    assert.ok(nv.warnings.some((w) => w.includes('"overseer_agent"')));
    assert.ok(nv.warnings.some((w) => w.includes('"listening_port"')));
    for (const kit of [...min.kits, ...nv.kits]) assert.equal((await verifyKit(kit.dir)).ok, true);
  });
});

Deno.test("provisionProject() reuses state/ for later runs and checks it", async () => {
  await withTempDir(async (ws) => {
    const projectFile = example("minimal/project.yml");
    const first = await provisionProject({ projectFile, workspace: ws });
    const rootPem = await Deno.readTextFile(`${ws}/minimal/state/rootCA.pem`);
    const second = await provisionProject({ projectFile, workspace: ws });
    assert.equal(second.prodDir, `${ws}/minimal/prod_01`);
    assert.equal(second.rootCreated, false);
    assert.equal(second.rootFingerprint, first.rootFingerprint);
    assert.equal(await Deno.readTextFile(`${ws}/minimal/state/rootCA.pem`), rootPem);
    assert.notEqual(second.kits[1]?.fingerprint, first.kits[1]?.fingerprint);

    // A state written for another project name.
    const statePath = `${ws}/minimal/state/project_state.json`;
    const state = await readJson(statePath) as Record<string, unknown>;
    await Deno.writeTextFile(statePath, JSON.stringify({ ...state, project: "other" }));
    await assert.rejects(provisionProject({ projectFile, workspace: ws }), {
      code: "STATE_MISMATCH",
    });

    // An admin whose role changed since its certificate was issued.
    const changed = `${ws}/changed.yml`;
    await Deno.writeTextFile(statePath, JSON.stringify(state));
    await Deno.writeTextFile(
      changed,
      (await Deno.readTextFile(projectFile)).replace("role: project_admin", "role: member"),
    );
    await assert.rejects(provisionProject({ projectFile: changed, workspace: ws }), {
      code: "ROLE_CHANGED",
    });
    const prods = [];
    for await (const e of Deno.readDir(`${ws}/minimal`)) prods.push(e.name);
    assert.deepEqual(prods.sort(), ["prod_00", "prod_01", "state"]);
  });
});

Deno.test("provisionProject() writes nothing when the project or custom CA is invalid", async () => {
  await withTempDir(async (dir) => {
    const ws = `${dir}/ws`;
    const bad = `${dir}/bad.yml`;
    await Deno.writeTextFile(bad, "api_version: 2\nname: x\nparticipants: []\n");
    await assert.rejects(provisionProject({ projectFile: bad, workspace: ws }), {
      code: "PROJECT_API_VERSION",
    });
    await assert.rejects(Deno.stat(ws), Deno.errors.NotFound);

    const ca = `${dir}/project.yml`;
    await Deno.writeTextFile(
      ca,
      (await Deno.readTextFile(example("minimal/project.yml"))).replace(
        "participants:",
        "custom_ca_cert: missing.pem\nparticipants:",
      ),
    );
    await assert.rejects(provisionProject({ projectFile: ca, workspace: ws }), {
      code: "CUSTOM_CA_INVALID",
    });
    await Deno.writeTextFile(`${dir}/missing.pem`, "not a certificate");
    await assert.rejects(provisionProject({ projectFile: ca, workspace: ws }), {
      code: "CUSTOM_CA_INVALID",
    });
    await assert.rejects(Deno.stat(ws), Deno.errors.NotFound);
  });
});

Deno.test("provisionProject() encrypts the root key with a passphrase and needs it later", async () => {
  await withTempDir(async (ws) => {
    const projectFile = example("minimal/project.yml");
    const first = await provisionProject({
      projectFile,
      workspace: ws,
      rootPassphrase: "s3cret pass",
    });
    assert.ok(!first.warnings.some((w) => w.includes("unencrypted")));
    const keyPem = await Deno.readTextFile(`${ws}/minimal/state/rootCA.key`);
    assert.match(keyPem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    await assert.rejects(provisionProject({ projectFile, workspace: ws }), {
      code: "ROOT_KEY_LOCKED",
    });
    await assert.rejects(provisionProject({ projectFile, workspace: ws, rootPassphrase: "nope" }), {
      code: "ROOT_KEY_LOCKED",
    });
    const again = await provisionProject({
      projectFile,
      workspace: ws,
      rootPassphrase: "s3cret pass",
    });
    assert.equal(again.rootFingerprint, first.rootFingerprint);
  });
});

Deno.test("provisionProject() refuses a password file inside the workspace", async () => {
  await withTempDir(async (ws) => {
    await assert.rejects(
      provisionProject({
        projectFile: example("minimal/project.yml"),
        workspace: ws,
        archive: true,
        passwordFile: `${ws}/passwords.txt`,
      }),
      { code: "PASSWORD_FILE_INVALID" },
    );
  });
});

Deno.test("provisionProject() issues RSA-2048 kits when asked", async () => {
  await withTempDir(async (ws) => {
    const projectFile = `${ws}/project.yml`;
    await Deno.writeTextFile(
      projectFile,
      `api_version: 3
name: rsa_demo
participants:
  - {name: fl.example, type: server, org: o}
  - {name: site-1, type: client, org: o}
builders:
  - {path: stockade.certs, args: {key_type: rsa-2048}}
`,
    );
    const r = await provisionProject({ projectFile, workspace: ws });
    const c = await cert(`${r.prodDir}/site-1/startup/client.crt`);
    assert.equal(c.signatureAlgorithm.name, "RSASSA-PKCS1-v1_5");
    assert.match(
      await Deno.readTextFile(`${r.prodDir}/site-1/startup/client.key`),
      /BEGIN PRIVATE KEY/,
    );
    for (const kit of r.kits) assert.equal((await verifyKit(kit.dir)).ok, true);
  });
});
