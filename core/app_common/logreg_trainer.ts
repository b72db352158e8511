/**
 * The executor of the `fedavg-logreg` example (`stockade.app_common.executors.LogRegTrainer`):
 * trains the received logistic-regression model on this site's data for `epochs` full-batch
 * steps and returns the change as a `WEIGHT_DIFF` DXO, with the sample count and the local
 * training accuracy in its meta.
 *
 * Context: `args` (`epochs` 50, `learning_rate` 0.1) and `data.train_dataset` (or `data.train`),
 * the path of a JSON file `{x: number[][], y: number[]}` that the site's privacy scope grants
 * (the job asks for it with `meta.sandbox.read_properties: [train_dataset]`).
 *
 * @module
 */
import { Tensor } from "../wire/mod.ts";
import { accuracy, type Dataset, type LogRegModel, trainLogReg } from "./logistic_regression.ts";

export default async function logRegTrainer(
  task: { name: string; data: unknown; context: Record<string, unknown> },
): Promise<unknown> {
  const args = (task.context.args ?? {}) as { epochs?: number; learning_rate?: number };
  const granted = task.context.data as { train_dataset?: string; train?: string } | undefined;
  const path = granted?.train_dataset ?? granted?.train;
  if (typeof path !== "string") {
    throw new TypeError('No "train_dataset" data path was granted to this executor');
  }
  const data = JSON.parse(await Deno.readTextFile(path)) as Dataset;
  const { weights } = task.data as { weights: LogRegModel };
  const model = trainLogReg(weights, data, {
    epochs: args.epochs ?? 50,
    learningRate: args.learning_rate ?? 0.1,
  });
  // A WEIGHT_DIFF DXO: the form the privacy filters (clipping, noise) are defined on.
  const diff = (after: Tensor<Float32Array>, before: Tensor<Float32Array>) =>
    new Tensor(after.shape, after.data.map((v, i) => v - before.data[i]!));
  return {
    kind: "WEIGHT_DIFF",
    data: { W: diff(model.W, weights.W), b: diff(model.b, weights.b) },
    meta: { n: data.x.length, metrics: { train_accuracy: accuracy(model, data) } },
  };
}
