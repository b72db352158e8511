// Adds 1 like AddOneTrainer, but fails from round `fail_from` on (given in the task context).
import addOne from "../../../core/app_common/add_one_trainer.ts";

export default function flaky(
  task: { name: string; data: unknown; context: Record<string, unknown> },
): unknown {
  const round = (task.data as { round: number }).round;
  if (round >= (task.context.fail_from as number)) throw new Error(`site broke in round ${round}`);
  return addOne(task);
}
