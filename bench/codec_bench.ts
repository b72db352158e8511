/**
 * Codec throughput for a 100 MB Float32Array model, against a plain `Uint8Array.prototype.slice`
 * copy of the same bytes (the physical reference: one allocation and one memcpy).
 */
import { decode, encode, Tensor } from "../core/wire/mod.ts";
import type { BenchRow } from "./_report.ts";

const MB = 1e6;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median seconds per call over `runs` calls (after one warm-up). */
function time(runs: number, fn: () => unknown): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ts.push((performance.now() - t0) / 1000);
  }
  return median(ts);
}

export default function codecBench(): Promise<BenchRow[]> {
  const floats = new Float32Array(25_000_000);
  for (let i = 0; i < floats.length; i++) floats[i] = Math.sin(i);
  const bytes = new Uint8Array(floats.buffer);
  const size = bytes.byteLength / MB;
  const model = {
    kind: "task.result",
    v: 1,
    round: 1,
    weights: { fc1: new Tensor([5000, 5000], floats) },
  };
  const message = encode(model);
  // The same message shifted by one byte, so the tensor cannot be viewed in place.
  const shifted = new Uint8Array(message.length + 1).subarray(1);
  shifted.set(message);

  const runs = 7;
  const ref = size / time(runs, () => bytes.slice());
  // slice() measured far below memcpy speed on Deno 2.9; alloc + set is the honest floor too.
  const memcpy = size / time(runs, () => new Uint8Array(bytes.length).set(bytes));
  const enc = size / time(runs, () => encode(model));
  const dec = size / time(runs, () => decode(message));
  const decCopy = size / time(runs, () => decode(shifted));
  const zeroCopy = (decode(message) as typeof model).weights.fc1.data.buffer === message.buffer;

  const group = "codec";
  return Promise.resolve([
    { group, name: "reference: Uint8Array.slice of 100 MB", value: ref, unit: "MB/s" },
    { group, name: "reference: new Uint8Array(n).set, 100 MB", value: memcpy, unit: "MB/s" },
    {
      group,
      name: "encode 100 MB Float32Array tensor",
      value: enc,
      unit: "MB/s",
      ratio: enc / ref,
      note: `vs slice; goal ≥ 0.5×; ${(enc / memcpy).toFixed(2)}× alloc+set`,
    },
    {
      group,
      name: "decode 100 MB aligned tensor",
      value: dec,
      unit: "MB/s",
      ratio: dec / ref,
      note: `vs slice; goal ≥ 0.9×; zero-copy: ${zeroCopy}`,
    },
    {
      group,
      name: "decode 100 MB unaligned tensor (one copy)",
      value: decCopy,
      unit: "MB/s",
      ratio: decCopy / ref,
      note: `vs slice; ${(decCopy / memcpy).toFixed(2)}× alloc+set`,
    },
  ]);
}
