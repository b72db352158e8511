import assert from "node:assert/strict";
import { probeSandbox } from "./probe_sandbox.ts";

Deno.test("probeSandbox() reports each attempt's error class and cleans up what it created", async () => {
  const dir = await Deno.makeTempDir({ prefix: "stockade_probe_" });
  const held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await Deno.writeTextFile(`${dir}/exists.txt`, "x");
    const port = (held.addr as Deno.NetAddr).port;
    const report = await probeSandbox({
      read: [`${dir}/exists.txt`, `${dir}/missing.txt`],
      write: [`${dir}/new.txt`, `${dir}/exists.txt`, `${dir}/no/such/dir.txt`],
      connect: [`127.0.0.1:${port}`],
      listen: [`127.0.0.1:${port}`],
      env: ["PATH"],
      run: [`${dir}/missing-program`],
    });
    assert.deepEqual(report, {
      read: { [`${dir}/exists.txt`]: "allowed", [`${dir}/missing.txt`]: "NotFound" },
      write: {
        [`${dir}/new.txt`]: "allowed",
        [`${dir}/exists.txt`]: "AlreadyExists",
        [`${dir}/no/such/dir.txt`]: "NotFound",
      },
      connect: { [`127.0.0.1:${port}`]: "allowed" },
      listen: { [`127.0.0.1:${port}`]: "AddrInUse" },
      env: { PATH: "allowed" },
      run: { [`${dir}/missing-program`]: "NotFound" },
    });
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left, ["exists.txt"]);
  } finally {
    held.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("probeSandbox() refuses an address without a port", async () => {
  await assert.rejects(probeSandbox({ connect: ["127.0.0.1"] }), RangeError);
});
