// The provision and kit commands as users run them: `deno task provision` / `deno task kit`,
// through the launcher that narrows the real CLI's permissions to the paths on the command line.
import assert from "node:assert/strict";
import { example, runTask, withTempDir } from "./provision_test_helpers.ts";

Deno.test("deno task provision resolves relative paths from the caller's folder and prints JSON", async () => {
  await withTempDir(async (dir) => {
    await Deno.copyFile(example("minimal/project.yml"), `${dir}/project.yml`);
    const run = await runTask(["provision", "-p", "project.yml", "-w", "ws", "--json"], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.ok, true);
    assert.equal(out.prod_dir, `${dir}/ws/minimal/prod_00`);
    assert.equal(out.root_created, true);
    assert.deepEqual(out.kits.map((k: { name: string }) => k.name), [
      "server.example.org",
      "site-1",
      "site-2",
      "admin@example.org",
    ]);
    assert.match(out.kits[0].fingerprint, /^[0-9a-f]{64}$/);
    assert.deepEqual(out.passwords, {});
    assert.equal(out.warnings.length, 1);

    // --add-client through the CLI: a new prod folder with only the new kit.
    await Deno.writeTextFile(`${dir}/site-3.yml`, "name: site-3\norg: hospital_c\n");
    const add = await runTask(
      ["provision", "-p", "project.yml", "-w", "ws", "--add-client", "site-3.yml"],
      { cwd: dir },
    );
    assert.equal(add.code, 0, add.stderr);
    assert.match(
      add.stdout,
      /Provisioned 1 kit\(s\) of project "minimal" into .*\/ws\/minimal\/prod_01/,
    );
    const verify = await runTask(["kit", "verify", "ws/minimal/prod_01/site-3"], { cwd: dir });
    assert.equal(verify.code, 0, verify.stderr);

    // A name clash is refused with its code and exit 1.
    const clash = await runTask(
      ["provision", "-p", "project.yml", "-w", "ws", "--add-client", "site-3.yml", "--json"],
      { cwd: dir },
    );
    assert.equal(clash.code, 1);
    assert.equal(JSON.parse(clash.stdout).error.code, "PARTICIPANT_NAME_DUPLICATE");
  });
});

Deno.test("deno task provision refuses bad input with exit 1 and the error code", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/p.yml`, "api_version: 2\nname: x\n");
    const bad = await runTask(["provision", "-p", `${dir}/p.yml`, "-w", `${dir}/ws`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error: PROJECT_API_VERSION: api_version must be 3, found "2"/);
    const usage = await runTask(["provision", "--bogus"]);
    assert.equal(usage.code, 1);
    const help = await runTask(["provision", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: deno task provision/);
  });
});

Deno.test("the provision process cannot read outside the project folder", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/project`);
    await Deno.mkdir(`${dir}/elsewhere`);
    await Deno.copyFile(example("mixed/proxy_ca.pem"), `${dir}/elsewhere/ca.pem`);
    const text = (await Deno.readTextFile(example("minimal/project.yml"))).replace(
      "participants:",
      "custom_ca_cert: ../elsewhere/ca.pem\nparticipants:",
    );
    await Deno.writeTextFile(`${dir}/project/project.yml`, text);
    const run = await runTask([
      "provision",
      "-p",
      `${dir}/project/project.yml`,
      "-w",
      `${dir}/ws`,
      "--json",
    ]);
    assert.equal(run.code, 1, run.stderr);
    const err = JSON.parse(run.stdout).error;
    assert.equal(err.code, "CUSTOM_CA_INVALID");
    assert.match(err.message, /keep it in the project file's folder/);
    // The same file inside the project folder is accepted.
    await Deno.copyFile(`${dir}/elsewhere/ca.pem`, `${dir}/project/ca.pem`);
    await Deno.writeTextFile(
      `${dir}/project/project.yml`,
      text.replace("../elsewhere/ca.pem", "ca.pem"),
    );
    const ok = await runTask(["provision", "-p", `${dir}/project/project.yml`, "-w", `${dir}/ws`]);
    assert.equal(ok.code, 0, ok.stderr);
  });
});

Deno.test("deno task kit unpack opens an archive with the printed password and refuses a wrong one", async () => {
  await withTempDir(async (dir) => {
    // Two participants only: each archive costs one scrypt at the spec's full cost.
    await Deno.writeTextFile(
      `${dir}/project.yml`,
      "api_version: 3\nname: minimal\nparticipants:\n  - {name: fl.example, type: server, org: o}\n  - {name: site-1, type: client, org: o}\n",
    );
    const run = await runTask(
      ["provision", "-p", `${dir}/project.yml`, "-w", `${dir}/ws`, "--archive", "--json"],
    );
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    const password: string = out.passwords["site-1"];
    assert.match(password, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    const archive = `${out.prod_dir}/site-1.stkit`;

    const wrong = await runTask(["kit", "unpack", archive, "--dest", `${dir}/bad`, "--json"], {
      stdin: "0000000000000000000000000\n",
    });
    assert.equal(wrong.code, 1);
    assert.equal(JSON.parse(wrong.stdout).error.code, "KIT_ARCHIVE_DECRYPT_FAILED");

    const mismatch = await runTask(
      [
        "kit",
        "unpack",
        archive,
        "--dest",
        `${dir}/bad`,
        "--expect-root-fingerprint",
        "00".repeat(32),
      ],
      { stdin: `${password}\n` },
    );
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /KIT_ROOT_MISMATCH/);

    // At the site: the archive alone, unpacked next to it (default destination ./site-1).
    const site = `${dir}/site`;
    await Deno.mkdir(site);
    await Deno.copyFile(archive, `${site}/site-1.stkit`);
    const good = await runTask(
      ["kit", "unpack", "site-1.stkit", "--expect-root-fingerprint", out.root_fingerprint],
      { cwd: site, stdin: `${password}\n` },
    );
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /Startup kit of site-1 \(client\) is intact/);
    assert.equal(
      await Deno.readTextFile(`${site}/site-1/startup/client.crt`),
      await Deno.readTextFile(`${out.prod_dir}/site-1/startup/client.crt`),
    );
    const entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e.name);
    entries.sort();
    assert.deepEqual(entries, ["project.yml", "site", "ws"]);
  });
});
