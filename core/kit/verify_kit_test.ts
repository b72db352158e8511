import assert from "node:assert/strict";
import { formatKitReport } from "./format_kit_report.ts";
import { verifyKit } from "./verify_kit.ts";
import { makeTestKit } from "./_test_kit.ts";

const statuses = async (dir: string, opts = {}) =>
  (await verifyKit(dir, opts)).problems.map((p) => `${p.status} ${p.file}`);

Deno.test("verifyKit() accepts an intact kit and names its participant", async () => {
  const dir = await makeTestKit();
  try {
    const report = await verifyKit(dir);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.equal(report.role, "client");
    assert.equal(report.participant, "site-a");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verifyKit() reports signature file, root CA, symlink and validity problems", async () => {
  const dir = await makeTestKit();
  try {
    const s = `${dir}/startup`;
    const good = await Deno.readTextFile(`${s}/signature.json`);
    await Deno.writeTextFile(`${s}/signature.json`, "[1]");
    assert.deepEqual(await statuses(dir), [
      "BAD_SIGNATURE_FILE startup/signature.json",
    ]);
    await Deno.writeTextFile(`${s}/signature.json`, JSON.stringify({ "client.crt": "%%%" }));
    assert.deepEqual(await statuses(dir), ["BAD_SIGNATURE_FILE startup/signature.json"]);
    await Deno.remove(`${s}/signature.json`);
    assert.deepEqual(await statuses(dir), ["NO_SIGNATURE_FILE startup/signature.json"]);
    await Deno.writeTextFile(`${s}/signature.json`, good);

    await Deno.symlink("/etc/hostname", `${s}/link`);
    assert.deepEqual(await statuses(dir), ["NOT_REGULAR_FILE startup/link"]);
    await Deno.remove(`${s}/link`);
    await Deno.mkdir(`${s}/sub`);
    assert.deepEqual(await statuses(dir), ["NOT_REGULAR_FILE startup/sub"]);
    await Deno.remove(`${s}/sub`);

    assert.deepEqual(await statuses(dir, { now: new Date(Date.now() + 20 * 86_400_000) }), [
      "CERT_INVALID startup/client.crt",
    ]);
    assert.deepEqual(await statuses(dir, { role: "server" }), [
      "MISSING startup/fed_server.json",
    ]);

    const root = await Deno.readTextFile(`${s}/rootCA.pem`);
    await Deno.writeTextFile(`${s}/rootCA.pem`, await Deno.readTextFile(`${s}/client.crt`));
    assert.deepEqual(await statuses(dir), ["NO_ROOT_CA startup/rootCA.pem"]);
    await Deno.writeTextFile(`${s}/rootCA.pem`, "");
    assert.deepEqual(await statuses(dir), [
      "NO_ROOT_CA startup/rootCA.pem",
      "MISSING startup/rootCA.pem",
    ]);
    await Deno.writeTextFile(`${s}/rootCA.pem`, root);
    assert.equal((await verifyKit(dir)).ok, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("verifyKit() reports a missing startup/ folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual(await statuses(dir), ["NO_SIGNATURE_FILE startup/signature.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("formatKitReport() prints the report of provisioning.md §5", () => {
  const text = formatKitReport({
    ok: false,
    kitDir: "/k",
    participant: "site-a",
    problems: [
      { status: "INVALID_SIGNATURE", file: "startup/fed_client.json" },
      { status: "NOT_SIGNED", file: "startup/notes.txt" },
    ],
  });
  assert.equal(
    text,
    [
      "Cannot start site-a: startup kit integrity check failed",
      "  INVALID_SIGNATURE  startup/fed_client.json",
      "  NOT_SIGNED         startup/notes.txt",
      "Files in startup/ are signed at provisioning and must not be edited; change local/ or re-provision.",
    ].join("\n"),
  );
});
