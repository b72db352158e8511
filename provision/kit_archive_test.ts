import assert from "node:assert/strict";
import { verifyKit } from "../core/kit/mod.ts";
import { readKitArchiveHeader, sealKitEntries, unpackKitArchive } from "./kit_archive.ts";
import { generateKitPassword, normalizeKitPassword } from "./kit_password.ts";
import { provisionProject } from "./provision_project.ts";
import { example, FAST_SCRYPT, snapshot, withTempDir } from "./_test_helpers.ts";

async function provisioned(dir: string) {
  return await provisionProject({
    projectFile: example("minimal/project.yml"),
    workspace: `${dir}/ws`,
    archive: true,
    archiveScrypt: FAST_SCRYPT,
  });
}

async function listing(dir: string): Promise<string[]> {
  const out = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("generateKitPassword() gives 26 Crockford base32 characters", () => {
  const a = generateKitPassword();
  assert.match(a, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.notEqual(a, generateKitPassword());
  assert.equal(normalizeKitPassword("abco-il 1"), "ABC0111");
});

Deno.test("unpackKitArchive() round-trips a kit byte for byte, modes included", async () => {
  await withTempDir(async (dir) => {
    const r = await provisioned(dir);
    const kit = r.kits[1]!;
    assert.equal(kit.archive, `${r.prodDir}/site-1.stkit`);
    const bytes = await Deno.readFile(kit.archive!);
    const { header } = readKitArchiveHeader(bytes);
    assert.equal(header.participant, "site-1");
    assert.equal(header.project, "minimal");
    assert.equal(header.root_fingerprint, r.rootFingerprint);
    assert.equal(header.kdf.N, FAST_SCRYPT.N);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), "STKKIT01");
    // The password is printed, never written into the workspace.
    const ws = await snapshot(`${dir}/ws`);
    const password = r.passwords["site-1"]!;
    for (const data of ws.values()) {
      assert.equal(new TextDecoder().decode(data).includes(password), false);
    }

    const dest = `${dir}/out/site-1`;
    await Deno.mkdir(`${dir}/out`);
    const { files } = await unpackKitArchive(kit.archive!, {
      dest,
      password: password.toLowerCase(),
      expectRootFingerprint: r.rootFingerprint.toUpperCase().match(/../g)!.join(":"),
    });
    assert.equal(files, (await snapshot(kit.dir)).size);
    assert.deepEqual(await snapshot(dest), await snapshot(kit.dir));
    assert.equal((await Deno.stat(`${dest}/startup`)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(`${dest}/startup/client.key`)).mode! & 0o777, 0o600);
    assert.equal((await verifyKit(dest)).ok, true);
    assert.deepEqual(await listing(`${dir}/out`), ["site-1"]);
  });
});

Deno.test("unpackKitArchive() refuses wrong passwords, damage, root mismatch and busy destinations", async () => {
  await withTempDir(async (dir) => {
    const r = await provisioned(dir);
    const archive = r.kits[2]!.archive!;
    const password = r.passwords["site-2"]!;
    const out = `${dir}/out`;
    await Deno.mkdir(out);
    const dest = `${out}/kit`;
    await assert.rejects(unpackKitArchive(archive, { dest, password: generateKitPassword() }), {
      code: "KIT_ARCHIVE_DECRYPT_FAILED",
    });
    const bytes = await Deno.readFile(archive);
    const cut = `${dir}/cut.stkit`;
    for (const length of [5, 40, bytes.length - 1]) {
      await Deno.writeFile(cut, bytes.subarray(0, length));
      await assert.rejects(unpackKitArchive(cut, { dest, password }), {
        code: "KIT_ARCHIVE_DECRYPT_FAILED",
      }, `truncated to ${length}`);
    }
    const flipped = bytes.slice();
    flipped[20] = flipped[20]! ^ 1; // inside the authenticated header
    await Deno.writeFile(cut, flipped);
    await assert.rejects(unpackKitArchive(cut, { dest, password }), {
      code: "KIT_ARCHIVE_DECRYPT_FAILED",
    });
    await assert.rejects(
      unpackKitArchive(archive, { dest, password, expectRootFingerprint: "ab".repeat(32) }),
      { code: "KIT_ROOT_MISMATCH" },
    );
    await Deno.mkdir(dest);
    await Deno.writeTextFile(`${dest}/x`, "busy");
    await assert.rejects(unpackKitArchive(archive, { dest, password }), {
      code: "KIT_ARCHIVE_DEST",
    });
    await Deno.remove(`${dest}/x`);
    assert.deepEqual(await listing(out), ["kit"]);
    assert.deepEqual(await listing(dest), []);
  });
});

Deno.test("unpackKitArchive() refuses hostile paths and writes nothing", async () => {
  await withTempDir(async (dir) => {
    const r = await provisioned(dir);
    const rootPem = await Deno.readFile(`${r.prodDir}/site-1/startup/rootCA.pem`);
    const base = [
      { path: "startup/", mode: 0o700, data: new Uint8Array(0) },
      { path: "startup/rootCA.pem", mode: 0o644, data: rootPem },
    ];
    const password = generateKitPassword();
    const seal = async (extra: { path: string; mode: number; data: Uint8Array }[]) => {
      const file = `${dir}/evil.stkit`;
      await Deno.writeFile(
        file,
        await sealKitEntries([...base, ...extra], {
          participant: "site-1",
          project: "minimal",
          rootFingerprint: r.rootFingerprint,
          password,
          scrypt: FAST_SCRYPT,
        }),
      );
      return file;
    };
    const data = new TextEncoder().encode("owned");
    const out = `${dir}/out`;
    await Deno.mkdir(out);
    for (
      const path of [
        "../escape.txt",
        "startup/../../escape.txt",
        "/tmp/escape.txt",
        "startup//x",
        "./x",
        "startup\\..\\x",
        "startup/rootCA.pem",
        "nodir/file",
      ]
    ) {
      const file = await seal([{ path, mode: 0o644, data }]);
      await assert.rejects(unpackKitArchive(file, { dest: `${out}/kit`, password }), {
        code: "KIT_ARCHIVE_PATH",
      }, path);
    }
    assert.deepEqual(await listing(out), []);
    assert.deepEqual(await listing(dir), ["evil.stkit", "out", "ws"]);

    // A sealed archive whose root is not the one its header names.
    const other = await seal([]);
    const bytes = await Deno.readFile(other);
    const { header } = readKitArchiveHeader(bytes);
    assert.equal(header.root_fingerprint, r.rootFingerprint);
    const wrongRoot = await sealKitEntries(
      [base[0]!, {
        path: "startup/rootCA.pem",
        mode: 0o644,
        data: await Deno.readFile(example("mixed/proxy_ca.pem")),
      }],
      {
        participant: "site-1",
        project: "minimal",
        rootFingerprint: r.rootFingerprint,
        password,
        scrypt: FAST_SCRYPT,
      },
    );
    await Deno.writeFile(other, wrongRoot);
    await assert.rejects(unpackKitArchive(other, { dest: `${out}/kit`, password }), {
      code: "KIT_ROOT_MISMATCH",
    });
    assert.deepEqual(await listing(out), []);
  });
});
