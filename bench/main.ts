/**
 * Runs every benchmark of the project and prints one Markdown table; the same rows are written as
 * JSON to `bench/results/latest.json`. Figures, never assertions.
 *
 * Usage: `deno task bench [name…]` (names are the `<name>` of `bench/<name>_bench.ts`).
 */
import type { BenchModule, BenchRow } from "./_report.ts";

const dir = new URL(".", import.meta.url);
const wanted = new Set(Deno.args);
const names: string[] = [];
for await (const entry of Deno.readDir(dir)) {
  const m = /^(.+)_bench\.ts$/.exec(entry.name);
  if (entry.isFile && m?.[1] && (wanted.size === 0 || wanted.has(m[1]))) names.push(m[1]);
}
names.sort();
for (const w of wanted) {
  if (!names.includes(w)) {
    console.error(`Unknown benchmark "${w}": no file bench/${w}_bench.ts`);
    Deno.exit(1);
  }
}

const rows: BenchRow[] = [];
for (const name of names) {
  const mod = await import(new URL(`${name}_bench.ts`, dir).href) as { default: BenchModule };
  console.error(`running ${name}…`);
  rows.push(...await mod.default());
}

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
console.log("| group | measurement | value | unit | ratio | note |");
console.log("|---|---|---:|---|---:|---|");
for (const r of rows) {
  const ratio = r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`;
  console.log(
    `| ${r.group} | ${r.name} | ${fmt(r.value)} | ${r.unit} | ${ratio} | ${r.note ?? ""} |`,
  );
}
await Deno.mkdir(new URL("results/", dir), { recursive: true });
await Deno.writeTextFile(
  new URL("results/latest.json", dir),
  JSON.stringify({ date: new Date().toISOString(), deno: Deno.version.deno, rows }, null, 2) + "\n",
);
