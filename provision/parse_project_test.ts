import assert from "node:assert/strict";
import { parseProject } from "./parse_project.ts";

const BASE = {
  api_version: 3,
  name: "proj",
  participants: [
    { name: "server.example", type: "server", org: "o" },
    { name: "site-1", type: "client", org: "o" },
    { name: "a@b.example", type: "admin", org: "o", role: "project_admin" },
  ],
};

type Doc = Record<string, unknown>;
const yaml = (doc: Doc) => JSON.stringify(doc); // JSON is YAML
const withParticipant = (i: number, patch: Doc, base: Doc = BASE): Doc => ({
  ...base,
  participants: (base.participants as Doc[]).map((p, j) => j === i ? { ...p, ...patch } : p),
});
const removeKey = (i: number, key: string): Doc => ({
  ...BASE,
  participants: BASE.participants.map((p, j) => {
    if (j !== i) return p;
    const q: Doc = { ...p };
    delete q[key];
    return q;
  }),
});

Deno.test("parseProject() applies the defaults of provisioning.md §2", () => {
  const { project, warnings } = parseProject(yaml(BASE));
  assert.deepEqual(warnings, []);
  assert.equal(project.server.fedLearnPort, 8002);
  assert.equal(project.server.adminPort, 8003);
  assert.equal(project.server.connectionSecurity, "mtls");
  assert.deepEqual(project.certs, { keyType: "ec-p256", rootValidDays: 3650, validDays: 360 });
  assert.equal(project.archive, false);
  assert.deepEqual(project.participants.map((p) => p.type), ["server", "client", "admin"]);
});

Deno.test("parseProject() refuses each broken rule with its code", () => {
  const cases: [string, Doc | string, string][] = [
    ["not yaml", "a: [", "PROJECT_FILE_INVALID"],
    ["not a map", "[1, 2]", "PROJECT_FILE_INVALID"],
    ["api_version 2", { ...BASE, api_version: 2 }, "PROJECT_API_VERSION"],
    ["api_version string", { ...BASE, api_version: "3" }, "PROJECT_API_VERSION"],
    ["name with slash", { ...BASE, name: "a/b" }, "PROJECT_NAME_INVALID"],
    ["name starting with dot", { ...BASE, name: ".x" }, "PROJECT_NAME_INVALID"],
    ["name with newline", { ...BASE, name: "abc\n" }, "PROJECT_NAME_INVALID"],
    ["no participants", { ...BASE, participants: [] }, "PROJECT_NO_PARTICIPANTS"],
    ["relay", withParticipant(1, { type: "relay" }), "PARTICIPANT_TYPE_UNSUPPORTED"],
    ["overseer", withParticipant(1, { type: "overseer" }), "PARTICIPANT_TYPE_UNSUPPORTED"],
    ["other type", withParticipant(1, { type: "robot" }), "PARTICIPANT_TYPE_UNKNOWN"],
    ["no server", withParticipant(0, { type: "client", name: "s0" }), "PROJECT_NO_SERVER"],
    [
      "two servers",
      withParticipant(1, { type: "server", name: "s2.example" }),
      "PROJECT_MULTIPLE_SERVERS",
    ],
    [
      "duplicate",
      withParticipant(2, { type: "client", name: "site-1", role: undefined }),
      "PARTICIPANT_NAME_DUPLICATE",
    ],
    ["server name", withParticipant(0, { name: "bad_host" }), "PARTICIPANT_NAME_INVALID"],
    ["client name", withParticipant(1, { name: "site 1" }), "PARTICIPANT_NAME_INVALID"],
    ["client named server", withParticipant(1, { name: "server" }), "PARTICIPANT_NAME_INVALID"],
    ["client name 64", withParticipant(1, { name: "c".repeat(64) }), "PARTICIPANT_NAME_INVALID"],
    ["admin name", withParticipant(2, { name: "not-an-email" }), "PARTICIPANT_NAME_INVALID"],
    ["admin name with |", withParticipant(2, { name: "a@b.c|m" }), "PARTICIPANT_NAME_INVALID"],
    [
      "admin name 64",
      withParticipant(2, { name: `${"a".repeat(54)}@b.example` }),
      "PARTICIPANT_NAME_INVALID",
    ],
    ["org", withParticipant(1, { org: "hosp-a" }), "ORG_INVALID"],
    ["org missing", removeKey(1, "org"), "ORG_INVALID"],
    ["role", withParticipant(2, { role: "lead!" }), "ROLE_INVALID"],
    ["role missing", removeKey(2, "role"), "ADMIN_ROLE_MISSING"],
    ["port 0", withParticipant(0, { fed_learn_port: 0 }), "PORT_INVALID"],
    ["port 65536", withParticipant(0, { admin_port: 65536 }), "PORT_INVALID"],
    ["port string", withParticipant(0, { admin_port: "8003" }), "PORT_INVALID"],
    ["host_names entry", withParticipant(0, { host_names: ["-bad.example"] }), "HOST_NAME_INVALID"],
    ["host_names quad", withParticipant(0, { host_names: ["10.0.0.256"] }), "HOST_NAME_INVALID"],
    ["default_host", withParticipant(0, { default_host: "a..b" }), "HOST_NAME_INVALID"],
    ["connect_to host", withParticipant(1, { connect_to: "bad host" }), "HOST_NAME_INVALID"],
    [
      "connect_to port",
      withParticipant(1, { connect_to: { host: "x.example", port: 70000 } }),
      "PORT_INVALID",
    ],
    [
      "connect_to key",
      withParticipant(1, { connect_to: { host: "x.example", via: "relay" } }),
      "CONNECT_TO_INVALID",
    ],
    [
      "connect_to name",
      withParticipant(1, { connect_to: { name: "other" } }),
      "CONNECT_TO_INVALID",
    ],
    ["connect_to list", withParticipant(1, { connect_to: ["x"] }), "CONNECT_TO_INVALID"],
    ["security", withParticipant(1, { connection_security: "ssl" }), "CONN_SECURITY_INVALID"],
    ["project security", { ...BASE, connection_security: "none" }, "CONN_SECURITY_INVALID"],
    ["listening_host", withParticipant(1, { listening_host: "x" }), "PARTICIPANT_KEY_UNSUPPORTED"],
    ["capacity", withParticipant(1, { capacity: { num_of_gpus: -1 } }), "CAPACITY_INVALID"],
    ["capacity key", withParticipant(1, { capacity: { cpus: 2 } }), "CAPACITY_INVALID"],
    ["transport", withParticipant(0, { transport: "h3" }), "TRANSPORT_INVALID"],
    ["custom ca", { ...BASE, custom_ca_cert: 5 }, "CUSTOM_CA_INVALID"],
    [
      "HE builder",
      { ...BASE, builders: [{ path: "nvflare.lighter.impl.he.HEBuilder" }] },
      "BUILDER_UNSUPPORTED",
    ],
    ["docker builder", {
      ...BASE,
      builders: [{ path: "nvflare.lighter.impl.docker.DockerBuilder" }],
    }, "BUILDER_UNSUPPORTED"],
    ["key type", {
      ...BASE,
      builders: [{ path: "stockade.certs", args: { key_type: "rsa-1024" } }],
    }, "BUILDER_ARGS_INVALID"],
    [
      "valid days",
      { ...BASE, builders: [{ path: "stockade.certs", args: { valid_days: 0 } }] },
      "BUILDER_ARGS_INVALID",
    ],
    [
      "stockade arg",
      { ...BASE, builders: [{ path: "stockade.signatures", args: { x: 1 } }] },
      "BUILDER_ARGS_INVALID",
    ],
  ];
  for (const [what, doc, code] of cases) {
    assert.throws(() => parseProject(typeof doc === "string" ? doc : yaml(doc)), { code }, what);
  }
});

Deno.test("parseProject() messages name the participant and the field", () => {
  assert.throws(
    () => parseProject(yaml(withParticipant(0, { admin_port: 0 }))),
    {
      message:
        'participant "server.example" has invalid admin_port "0": expected an integer 1-65535',
    },
  );
  assert.throws(
    () => parseProject(yaml({ ...BASE, api_version: 2 })),
    { message: 'api_version must be 3, found "2"' },
  );
  assert.throws(
    () => parseProject(yaml(withParticipant(1, { type: "relay", name: "r1" }))),
    {
      message:
        'participant "r1" has type "relay", which Stockade does not support; connect clients directly to the server',
    },
  );
});

Deno.test("parseProject() warns about ignored keys, unknown roles and NVFlare builder args", () => {
  const doc = {
    ...withParticipant(1, { listening_port: 8102, connect_to: "elsewhere.example" }),
    extra: 1,
    builders: [
      {
        path: "nvflare.lighter.impl.static_file.StaticFileBuilder",
        args: { config_folder: "config" },
      },
      { path: "nvflare.lighter.impl.cert.CertBuilder", args: { key_type: "rsa-2048" } },
      { path: "stockade.archives" },
    ],
  };
  const { project, warnings } = parseProject(yaml(withParticipant(2, { role: "auditor" }, doc)));
  assert.equal(project.certs.keyType, "rsa-2048");
  assert.equal(project.archive, true);
  assert.equal(warnings.length, 5, warnings.join("\n"));
  assert.ok(warnings.some((w) => w.includes('"listening_port"')));
  assert.ok(warnings.some((w) => w.includes('"config_folder"')));
  assert.ok(warnings.some((w) => w.includes('"auditor"')));
  assert.ok(warnings.some((w) => w.includes('"elsewhere.example"')));
  assert.ok(warnings.some((w) => w.includes('"extra"')));
});

Deno.test("parseProject() cuts long project and server names to 63 for CNs", () => {
  const long = `${"a".repeat(60)}.example.org`;
  const { project, warnings } = parseProject(
    yaml({ ...withParticipant(0, { name: long }), name: "p".repeat(70) }),
  );
  assert.equal(project.rootCommonName, "p".repeat(63));
  assert.equal(project.name, "p".repeat(70));
  assert.equal(project.server.identity, long.slice(0, 63));
  assert.equal(project.server.defaultHost, long);
  assert.equal(warnings.length, 2);
});

Deno.test("parseProject() resolves connection_security and connect_to", () => {
  const doc = {
    ...BASE,
    connection_security: "TLS",
    participants: [
      {
        name: "fl.example",
        type: "server",
        org: "o",
        host_names: ["10.0.0.1"],
        connection_security: "mtls",
      },
      {
        name: "s1",
        type: "client",
        org: "o",
        connect_to: { name: "fl.example", host: "10.0.0.1", port: 9 },
      },
      { name: "s2", type: "client", org: "o", connection_security: "Clear" },
    ],
  };
  const { project, warnings } = parseProject(yaml(doc));
  assert.deepEqual(warnings, []);
  const [server, s1, s2] = project.participants;
  assert.equal(server?.connectionSecurity, "mtls");
  assert.equal(s1?.connectionSecurity, "tls");
  assert.equal(s2?.connectionSecurity, "clear");
  assert.deepEqual(s1?.type === "client" ? s1.connectTo : undefined, { host: "10.0.0.1", port: 9 });
});
