import assert from "node:assert/strict";
import { verifyKit } from "../core/kit/mod.ts";
import { checkCertificate, parseCertificate, readIdentity } from "../core/pki/mod.ts";
import { addParticipant } from "./add_participant.ts";
import { provisionProject } from "./provision_project.ts";
import { example, readJson, snapshot, withTempDir } from "./_test_helpers.ts";

Deno.test("addParticipant() issues only the new kit under the same root, old kits untouched", async () => {
  await withTempDir(async (dir) => {
    const ws = `${dir}/ws`;
    const projectFile = example("mixed/project.yml");
    const first = await provisionProject({ projectFile, workspace: ws });
    const before = await snapshot(first.prodDir);
    const clientFile = `${dir}/site-d.yml`;
    await Deno.writeTextFile(
      clientFile,
      "name: site-d\norg: hosp_d\nconnection_security: tls\nconnect_to: {host: 10.0.4.7, port: 8443}\ncapacity: {num_of_gpus: 1, mem_per_gpu_in_GiB: 8}\n",
    );
    const added = await addParticipant({
      projectFile,
      workspace: ws,
      kind: "client",
      participantFile: clientFile,
    });
    assert.equal(added.prodDir, `${ws}/tumour_seg/prod_01`);
    assert.deepEqual(added.kits.map((k) => k.name), ["site-d"]);
    assert.equal(added.rootFingerprint, first.rootFingerprint);
    const entries = [];
    for await (const e of Deno.readDir(added.prodDir)) entries.push(e.name);
    assert.deepEqual(entries, ["site-d"]);

    const kit = `${added.prodDir}/site-d`;
    assert.equal((await verifyKit(kit)).ok, true);
    const root = parseCertificate(await Deno.readTextFile(`${ws}/tumour_seg/state/rootCA.pem`));
    const leaf = parseCertificate(await Deno.readTextFile(`${kit}/startup/client.crt`));
    await checkCertificate(leaf, root, { usage: "clientAuth", name: "site-d" });
    assert.equal(
      await Deno.readTextFile(`${kit}/startup/rootCA.pem`),
      await Deno.readTextFile(`${first.prodDir}/site-a/startup/rootCA.pem`),
    );
    assert.deepEqual(
      ((await readJson(`${kit}/startup/fed_client.json`)) as { client: unknown }).client,
      {
        fqsn: "site-d",
        ssl_cert: "client.crt",
        ssl_private_key: "client.key",
        ssl_root_cert: "rootCA.pem",
        connection_security: "tls",
      },
    );
    assert.ok(await Deno.stat(`${kit}/startup/customRootCA.pem`));
    assert.deepEqual(await snapshot(first.prodDir), before);

    const state = await readJson(`${ws}/tumour_seg/state/project_state.json`) as {
      participants: { name: string }[];
    };
    assert.equal(state.participants.at(-1)?.name, "site-d");

    // Name clashes: with an added participant and with a project participant.
    await assert.rejects(
      addParticipant({ projectFile, workspace: ws, kind: "client", participantFile: clientFile }),
      { code: "PARTICIPANT_NAME_DUPLICATE" },
    );
    await Deno.writeTextFile(clientFile, "name: site-a\norg: hosp_a\n");
    await assert.rejects(
      addParticipant({ projectFile, workspace: ws, kind: "client", participantFile: clientFile }),
      { code: "PARTICIPANT_NAME_DUPLICATE" },
    );
    const prods = [];
    for await (const e of Deno.readDir(`${ws}/tumour_seg`)) prods.push(e.name);
    assert.deepEqual(prods.sort(), ["prod_00", "prod_01", "state"]);
  });
});

Deno.test("addParticipant() adds an admin and validates the file like project.yml entries", async () => {
  await withTempDir(async (dir) => {
    const ws = `${dir}/ws`;
    const projectFile = example("minimal/project.yml");
    const userFile = `${dir}/user.yml`;
    await Deno.writeTextFile(userFile, "name: bob@example.org\norg: example\nrole: lead\n");
    await assert.rejects(
      addParticipant({ projectFile, workspace: ws, kind: "user", participantFile: userFile }),
      { code: "STATE_MISSING" },
    );
    await provisionProject({ projectFile, workspace: ws });
    const added = await addParticipant({
      projectFile,
      workspace: ws,
      kind: "user",
      participantFile: userFile,
    });
    const leaf = parseCertificate(
      await Deno.readTextFile(`${added.prodDir}/bob@example.org/startup/client.crt`),
    );
    assert.deepEqual(readIdentity(leaf), { name: "bob@example.org", org: "example", role: "lead" });
    assert.equal((await verifyKit(`${added.prodDir}/bob@example.org`)).ok, true);

    const cases: [string, "user" | "client", string][] = [
      [
        "name: carol@example.org\norg: example\nrole: lead\ncomponents: []\n",
        "user",
        "ADDITION_KEY_INVALID",
      ],
      ["name: site-9\norg: x\ncomponents: []\n", "client", "ADDITION_KEY_INVALID"],
      ["name: site-9\norg: x\nrole: lead\n", "client", "ADDITION_KEY_INVALID"],
      ["name: carol@example.org\norg: example\n", "user", "ADMIN_ROLE_MISSING"],
      ["name: site 9\norg: x\n", "client", "PARTICIPANT_NAME_INVALID"],
      ["name: site-9\norg: x-y\n", "client", "ORG_INVALID"],
      ["name: site-9\norg: x\nconnect_to: {host: h.example, port: 0}\n", "client", "PORT_INVALID"],
      ["- a\n", "client", "PROJECT_FILE_INVALID"],
    ];
    for (const [text, kind, code] of cases) {
      await Deno.writeTextFile(userFile, text);
      await assert.rejects(
        addParticipant({ projectFile, workspace: ws, kind, participantFile: userFile }),
        { code },
        text,
      );
    }
  });
});
