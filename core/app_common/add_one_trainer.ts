/**
 * The executor of the `hello-sag` example (`stockade.app_common.executors.AddOneTrainer`): adds
 * 1 to every weight it receives, so N rounds of FedAvg from zeros give exactly N.
 *
 * @module
 */
import { Tensor } from "../wire/mod.ts";

export default function addOneTrainer(
  task: { name: string; data: unknown },
): { weights: Record<string, Tensor>; n: number } {
  const { weights } = task.data as { weights: Record<string, Tensor<Float32Array>> };
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(weights)) {
    out[k] = new Tensor(t.shape, t.data.map((v) => v + 1));
  }
  return { weights: out, n: 1 };
}
