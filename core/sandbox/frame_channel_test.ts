import assert from "node:assert/strict";
import { WireError } from "../wire/mod.ts";
import { frame, FrameReader } from "./frame_channel.ts";

function stream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(c) {
      const next = chunks.shift();
      if (next) c.enqueue(next);
      else c.close();
    },
  });
}

function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

Deno.test("FrameReader.next() reads frames across any chunking, then ends cleanly", async () => {
  const msgs = [{ a: 1 }, { b: new Uint8Array(300).fill(7) }, "x"];
  const all = new Uint8Array(
    msgs.map((m) => frame(m)).reduce((a, f) => [...a, ...f], [] as number[]),
  );
  for (const size of [1, 3, 4, 5, 64, all.length]) {
    const r = new FrameReader(stream(split(all, size)));
    assert.deepEqual({ ...(await r.next() as object) }, { a: 1 });
    assert.deepEqual([...((await r.next()) as { b: Uint8Array }).b].length, 300);
    assert.equal(await r.next(), "x");
    assert.equal(await r.next(), undefined);
  }
});

Deno.test("FrameReader.next() refuses truncated and oversized frames", async () => {
  const f = frame({ a: 1 });
  await assert.rejects(() => new FrameReader(stream([f.slice(0, 2)])).next(), WireError);
  await assert.rejects(() => new FrameReader(stream([f.slice(0, f.length - 1)])).next(), WireError);
  const big = new Uint8Array([0xff, 0xff, 0xff, 0xff]);
  const err = await new FrameReader(stream([big]), { maxBytes: 1024 }).next().catch((e) => e);
  assert.ok(err instanceof WireError && err.code === "CBOR_LIMIT");
  // A zero-length prefix is a frame (and an invalid message), not the end of the stream.
  await assert.rejects(() => new FrameReader(stream([new Uint8Array(4)])).next(), WireError);
});
