/**
 * Privacy filter throughput for a 100 MB model (25M float32 in four tensors) through each built-in
 * filter, against a plain float32 → float64 → float32 copy of the same data (the floor every value
 * filter pays: gather in float64, write float32 back).
 */
import { Tensor } from "../core/wire/mod.ts";
import {
  BudgetLedger,
  createFilter,
  type Dxo,
  type Filter,
  runFilterChain,
} from "../core/filters/mod.ts";
import type { BenchRow } from "./_report.ts";

const MB = 1e6;
const ELEMENTS = 25_000_000;

function model(): Dxo {
  const data: Record<string, Tensor> = {};
  const per = ELEMENTS / 4;
  for (let t = 0; t < 4; t++) {
    const a = new Float32Array(per);
    for (let i = 0; i < per; i++) a[i] = Math.sin(i + t) * 1e-3;
    data[`layer${t}.weight`] = new Tensor([per / 1000, 1000], a);
  }
  return { kind: "WEIGHT_DIFF", data, meta: { NUM_STEPS_CURRENT_ROUND: 1 } };
}

export default async function filtersBench(): Promise<BenchRow[]> {
  const dxo = model();
  const size = (ELEMENTS * 4) / MB;
  const dir = await Deno.makeTempDir({ prefix: "stockade_filters_bench_" });
  const rows: BenchRow[] = [];
  try {
    const ledger = await BudgetLedger.open(`${dir}/privacy_budget.json`);
    const t0 = performance.now();
    for (const t of Object.values(dxo.data) as Tensor<Float32Array>[]) {
      const wide = new Float64Array(t.data.length);
      wide.set(t.data);
      new Float32Array(wide);
    }
    const ref = size / ((performance.now() - t0) / 1000);
    rows.push({
      group: "filters",
      name: "reference: float32 → float64 → float32 copy, 100 MB",
      value: ref,
      unit: "MB/s",
    });
    const entries: [string, Record<string, unknown>][] = [
      ["ExcludeVars", { exclude_vars: "^layer0\\." }],
      ["PercentilePrivacy", { percentile: 10, gamma: 0.01 }],
      ["SVTPrivacy", { fraction: 0.1, epsilon: 1, epsilon_release: 1, gamma: 1e-3 }],
      ["GaussianPrivacy", { sigma0: 0.1, max_percentile: 95 }],
      ["LocalGaussianDP", { clipping_norm: 1, sensitivity: 0.01, epsilon: 1, delta: 1e-5 }],
    ];
    for (const [name, args] of entries) {
      const f: Filter = await createFilter({ name, args }, { source: "site" });
      const start = performance.now();
      await runFilterChain([f], dxo, {
        chain: "task_result",
        side: "client",
        scope: "bench",
        jobId: name,
        ledger,
      });
      const mbs = size / ((performance.now() - start) / 1000);
      rows.push({
        group: "filters",
        name: `${name} on a 100 MB float32 model (one run, CSPRNG noise)`,
        value: mbs,
        unit: "MB/s",
        ratio: mbs / ref,
        note: "vs the float64 round-trip copy",
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return rows;
}
