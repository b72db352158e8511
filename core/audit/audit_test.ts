import assert from "node:assert/strict";
import { AuditFile } from "./audit_file.ts";
import { SiteAuditor } from "./site_auditor.ts";
import { verifyAuditFiles } from "./verify_audit.ts";

// audit.md §8: these hashes are real.
const EXAMPLE = [
  "[E:3f1c9a62-7d4e-4b0a-9c1e-5a2b8d7e6f01][T:2031-04-02 09:15:27.118402][U:system][A:_audit_start]prev=0000000000000000000000000000000000000000000000000000000000000000 file=audit.log[H:3f4304ace7452efa52bb0d42d89270b80b7bc7796675d5f23252b8b9d5ef0bbb]",
  "[E:8e2d4b17-0c6a-4f3e-b9d5-1a7c2e4f6b88][T:2031-04-02 09:15:31.502117][U:?][A:_cert_login trainer@b.org][H:e069ba75c6be55d13483283b0cdd2c9b1fe0ddea65733d1b6ab3fbd82cd0cb03]",
  "[E:c4a7e019-5b3d-4e8f-a2c6-9d1b0f7e3a55][T:2031-04-02 09:15:40.009311][U:trainer@b.org][A:submit_job cifar-fedavg]job_id=6d0c2f4e-1b9a-4c57-8e3d-2f6a9b1c0e74[H:5b5566a852fd9b72b0f95df293c04250f740862da960c44da1df8a441d999abd]",
  '[E:71b5d2c8-9e04-4a6f-8c3b-0e2d5f9a1c67][T:2031-04-02 09:16:02.730052][S:private][J:6d0c2f4e-1b9a-4c57-8e3d-2f6a9b1c0e74][A:train#0a9e61d3-44f2-4c1b-9b7a-3e5d8c2f1a60]sent task to client "site-1"[H:5c791f5ad919f0937ea207691ae407e310ee2f3e0bcc7911c88cb4b3ddc104dd]',
];

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "stockade_audit_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function verdictOf(path: string, lines: string[]) {
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return await verifyAuditFiles([path]);
}

Deno.test("verifyAuditFiles() accepts the spec's example and finds each tampering", async () => {
  await withDir(async (dir) => {
    const f = `${dir}/audit.log`;
    assert.deepEqual(await verdictOf(f, EXAMPLE), {
      ok: true,
      lines: 4,
      head: "5c791f5ad919f0937ea207691ae407e310ee2f3e0bcc7911c88cb4b3ddc104dd",
      prev: "0".repeat(64),
    });
    const edited = [...EXAMPLE];
    edited[2] = edited[2]!.replace("cifar", "cifaR");
    assert.deepEqual(await verdictOf(f, edited), {
      ok: false,
      file: f,
      line: 3,
      reason: "hash_mismatch",
    });
    assert.deepEqual(
      await verdictOf(f, [EXAMPLE[0]!, EXAMPLE[2]!, EXAMPLE[3]!]),
      { ok: false, file: f, line: 2, reason: "hash_mismatch" },
      "deleting line 2 breaks the next line's hash",
    );
    assert.equal(
      (await verdictOf(f, [EXAMPLE[0]!, EXAMPLE[2]!, EXAMPLE[1]!, EXAMPLE[3]!]) as {
        reason: string;
      }).reason,
      "hash_mismatch",
    );
    // Truncated mid-line inside the hash, and inside the headers.
    assert.deepEqual(await verdictOf(f, [EXAMPLE[0]!, EXAMPLE[1]!.slice(0, -10)]), {
      ok: false,
      file: f,
      line: 2,
      reason: "missing_hash",
    });
    assert.deepEqual(await verdictOf(f, [EXAMPLE[0]!, EXAMPLE[1]!.slice(0, 60)]), {
      ok: false,
      file: f,
      line: 2,
      reason: "malformed_line",
    });
    assert.deepEqual(await verdictOf(f, [EXAMPLE[0]!, "garbage"]), {
      ok: false,
      file: f,
      line: 2,
      reason: "malformed_line",
    });
    assert.deepEqual(await verdictOf(f, EXAMPLE.slice(1)), {
      ok: false,
      file: f,
      line: 1,
      reason: "bad_start",
    });
    assert.deepEqual(
      await verifyAuditFiles([f], { prev: "1".repeat(64) }).then(async () => {
        await Deno.writeTextFile(f, EXAMPLE.join("\n") + "\n");
        return await verifyAuditFiles([f], { prev: "1".repeat(64) });
      }),
      { ok: false, file: f, line: 1, reason: "chain_break" },
    );
  });
});

Deno.test("verifyAuditFiles() detects every single-byte edit of a written log", async () => {
  await withDir(async (dir) => {
    const a = await SiteAuditor.open(dir);
    for (let i = 0; i < 5; i++) {
      await a.addEvent({ user: "u@x.org", action: `cmd ${i}`, msg: `m${i}` });
    }
    await a.close();
    const bytes = await Deno.readFile(`${dir}/audit.log`);
    const f = `${dir}/copy.log`;
    for (let i = 0; i < bytes.length; i += 7) {
      if (bytes[i] === 10) continue;
      const copy = bytes.slice();
      copy[i] = copy[i] === 0x41 ? 0x42 : 0x41;
      await Deno.writeFile(f, copy);
      assert.equal((await verifyAuditFiles([f])).ok, false, `edit at byte ${i} went unnoticed`);
    }
  });
});

Deno.test("SiteAuditor keeps one chain for concurrent writers, escapes, and fans job events out", async () => {
  await withDir(async (dir) => {
    const a = await SiteAuditor.open(dir);
    const ids = await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) =>
          i % 2
            ? a.addEvent({ user: `u${i}`, action: `cmd ${i}`, msg: "line\nbreak [H:forged]" })
            : a.addJobEvent({
              jobId: "job-1",
              scope: "private",
              taskName: "train",
              taskId: `t${i}`,
              msg: `e${i}`,
            }),
      ),
    );
    assert.equal(new Set(ids).size, 200);
    assert.equal(
      await a.addEvent({ user: "u", action: "_check_session" }),
      "",
      "excluded actions are not written",
    );
    await a.addEvent({ user: "evil][A:_audit_start", action: "x" });
    await a.close();
    assert.equal(await a.addEvent({ user: "u", action: "late" }), "", "nothing after close");
    const site = await verifyAuditFiles([`${dir}/audit.log`]);
    assert.ok(site.ok && site.lines === 202, JSON.stringify(site));
    const job = await verifyAuditFiles([`${dir}/job-1/audit.log`]);
    assert.ok(job.ok && job.lines === 101, JSON.stringify(job));
    const text = await Deno.readTextFile(`${dir}/audit.log`);
    assert.ok(
      text.includes("line\\nbreak \\u005bH:forged\\u005d") ||
        text.includes("line\\nbreak [H:forged]"),
    );
    assert.ok(text.includes("[U:evil\\u005d\\u005bA:_audit_start]"));
    assert.ok(text.includes("[S:private][J:job-1][A:train#t0]e0"));
  });
});

Deno.test("AuditFile allows one writer per file", async () => {
  await withDir(async (dir) => {
    const a = await AuditFile.open(`${dir}/audit.log`);
    await assert.rejects(() => AuditFile.open(`${dir}/audit.log`), /already has a writer/);
    await a.close();
    const b = await AuditFile.open(`${dir}/audit.log`);
    await b.close();
  });
});

Deno.test("AuditFile rotates past its size and the chain continues across files", async () => {
  await withDir(async (dir) => {
    const a = await SiteAuditor.open(dir, { maxBytes: 2000 });
    for (let i = 0; i < 40; i++) {
      await a.addEvent({ user: "u", action: `cmd ${i}`, msg: "x".repeat(50) });
    }
    await a.close();
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      /^audit\.log\.\d+$/.test(n)
    )
      .sort((x, y) => Number(x.split(".")[2]) - Number(y.split(".")[2]));
    assert.ok(files.length >= 2, files.join(","));
    const all = [...files.map((f) => `${dir}/${f}`), `${dir}/audit.log`];
    const v = await verifyAuditFiles(all, { prev: "0".repeat(64) });
    assert.ok(v.ok, JSON.stringify(v));
    const swapped = [all[1]!, all[0]!, ...all.slice(2)];
    assert.equal((await verifyAuditFiles(swapped) as { reason: string }).reason, "chain_break");
  });
});

Deno.test("AuditFile recovers a file cut mid-line and the chain still verifies", async () => {
  await withDir(async (dir) => {
    const f = `${dir}/audit.log`;
    const a = await AuditFile.open(f);
    await a.close();
    const whole = await Deno.readTextFile(f);
    await Deno.writeTextFile(f, whole + "[E:cut-off-line][T:2031");
    const b = await SiteAuditor.open(dir);
    await b.addEvent({ user: "u", action: "after" });
    await b.close();
    const text = await Deno.readTextFile(f);
    assert.match(
      text,
      new RegExp(
        `\\[A:_audit_recover\\]partial line at byte ${
          new TextEncoder().encode(whole).length
        } ignored`,
      ),
    );
    assert.ok((await verifyAuditFiles([f])).ok);
  });
});

Deno.test("AuditFile recovers after its writer process is killed with SIGKILL mid-write", async () => {
  await withDir(async (dir) => {
    const script = new URL("./_audit_writer_fixture.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", `--allow-read=${dir}`, `--allow-write=${dir}`, script, dir],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while ((seen.match(/\n/g) ?? []).length < 50) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      child.kill("SIGKILL");
      await reader.cancel();
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
    }
    const a = await SiteAuditor.open(dir);
    await a.addEvent({ user: "system", action: "restart" });
    await a.close();
    const v = await verifyAuditFiles([`${dir}/audit.log`]);
    assert.ok(v.ok, JSON.stringify(v));
    assert.ok(v.lines > 50);
  });
});
