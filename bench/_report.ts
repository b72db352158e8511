/** One measured figure. `ratio` compares it with a reference figure of the same row group. */
export interface BenchRow {
  /** Area of the product, e.g. "codec", "provision", "authorization". */
  group: string;
  /** What was measured, e.g. "decode 100 MB Float32Array tensor". */
  name: string;
  value: number;
  /** Unit of `value`, e.g. "MB/s", "ms", "ops/s". */
  unit: string;
  /** value ÷ reference, when the row has a physical or external reference. */
  ratio?: number;
  /** What the ratio is against, or the goal from the issue. */
  note?: string;
}

/** A benchmark module: `bench/<name>_bench.ts` default-exports one of these. */
export type BenchModule = () => Promise<BenchRow[]>;
