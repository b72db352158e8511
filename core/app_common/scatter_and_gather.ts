/**
 * ScatterAndGather (FedAvg), component `stockade.app_common.workflows.ScatterAndGather`: each
 * round sends the global model to the sites, folds each site's result in as it arrives (weighted
 * by its sample count), and makes the average the next global model. A round counts once
 * `min_clients` sites answered; sites that drop out only shrink that round.
 *
 * Args: `num_rounds` (5), `min_clients` (1), `train_task_name` ("train"), `train_timeout` (s, 600),
 * `wait_time_after_min_received` (s, 0), `initial_weights` ({name: {shape, fill?}}).
 *
 * @module
 */
import type { ControllerContext } from "../sandbox/controller_context.ts";
import { Tensor } from "../wire/mod.ts";
import { WeightedAggregator, type Weights } from "./weighted_aggregator.ts";

function num(args: Record<string, unknown>, key: string, dflt: number, min = 0): number {
  const v = args[key] ?? dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
    throw new TypeError(
      `ScatterAndGather argument "${key}" must be a number of at least ${min}, got ${
        JSON.stringify(v)
      }`,
    );
  }
  return v;
}

function initialWeights(spec: unknown): Weights {
  if (typeof spec !== "object" || spec === null || Object.keys(spec).length === 0) {
    throw new TypeError(
      'ScatterAndGather needs "initial_weights": {name: {shape: [..], fill?: number}}',
    );
  }
  const out: Weights = {};
  for (
    const [name, v] of Object.entries(spec as Record<string, { shape?: unknown; fill?: unknown }>)
  ) {
    const shape = v?.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new TypeError(`initial_weights.${name}.shape must be a list of dimensions`);
    }
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    out[name] = new Tensor(
      shape,
      new Float32Array(n).fill(typeof v.fill === "number" ? v.fill : 0),
    );
  }
  return out;
}

/**
 * A site's result as weights: `{weights, n?, metrics?}`, or a DXO (`privacy-and-filters.md` §5)
 * of kind `WEIGHTS` or `WEIGHT_DIFF` (added to the round's model) with `n` and `metrics` in its
 * meta, the form privacy filters work on.
 */
function asResult(
  data: unknown,
  model: Weights,
): { weights?: Weights; n?: unknown; metrics?: Record<string, unknown> } {
  const d = data as { kind?: unknown; data?: unknown; meta?: Record<string, unknown> };
  if (typeof d?.kind !== "string" || typeof d.data !== "object" || d.data === null) {
    return data as { weights?: Weights };
  }
  const values = d.data as Record<string, Tensor>;
  const meta = d.meta ?? {};
  const common = {
    n: meta.n,
    ...(typeof meta.metrics === "object" && meta.metrics !== null
      ? { metrics: meta.metrics as Record<string, unknown> }
      : {}),
  };
  if (d.kind === "WEIGHTS") return { weights: values as Weights, ...common };
  if (d.kind !== "WEIGHT_DIFF") throw new TypeError(`A result of kind "${d.kind}" is no model`);
  const weights: Weights = {};
  for (const [k, base] of Object.entries(model)) {
    const diff = values[k];
    if (!diff) continue;
    if (diff.data.length !== base.data.length) {
      throw new TypeError(
        `WEIGHT_DIFF "${k}" has ${diff.data.length} values, not ${base.data.length}`,
      );
    }
    const out = new Float32Array(base.data.length);
    for (let i = 0; i < out.length; i++) out[i] = Number(base.data[i]) + Number(diff.data[i]);
    weights[k] = new Tensor(base.shape, out);
  }
  return { weights, ...common };
}

export default async function scatterAndGather(ctx: ControllerContext): Promise<unknown> {
  const rounds = num(ctx.args, "num_rounds", 5, 1);
  const minClients = num(ctx.args, "min_clients", 1, 1);
  const taskName = String(ctx.args.train_task_name ?? "train");
  const timeoutMs = num(ctx.args, "train_timeout", 600, 1) * 1000;
  const waitMs = num(ctx.args, "wait_time_after_min_received", 0) * 1000;
  let model = initialWeights(ctx.args.initial_weights);
  let last: Record<string, number> = {};
  for (let round = 0; round < rounds; round++) {
    if (ctx.signal.aborted) throw new Error(`Aborted in round ${round}`);
    const agg = new WeightedAggregator();
    const metrics = new Map<string, { sum: number; weight: number }>();
    const outcome = await ctx.broadcast(
      taskName,
      { round, total_rounds: rounds, weights: model },
      { minResponses: minClients, timeoutMs, waitAfterMinMs: waitMs },
      (_site, data) => {
        const r = asResult(data, model);
        const n = typeof r.n === "number" && r.n > 0 ? r.n : 1;
        agg.add(r.weights ?? {}, n);
        for (const [k, v] of Object.entries(r.metrics ?? {})) {
          if (typeof v !== "number" || !Number.isFinite(v)) continue;
          const m = metrics.get(k) ?? { sum: 0, weight: 0 };
          m.sum += v * n;
          m.weight += n;
          metrics.set(k, m);
        }
      },
    );
    for (const m of outcome.missing) {
      ctx.log("warn", `round ${round}: no result from "${m.site}": ${m.reason}`);
    }
    if (agg.count < minClients) {
      throw new Error(
        `Round ${round} got ${agg.count} results, fewer than min_clients ${minClients}` +
          (outcome.missing.length
            ? ` (${outcome.missing.map((m) => `${m.site}: ${m.reason}`).join("; ")})`
            : ""),
      );
    }
    model = agg.result();
    last = Object.fromEntries([...metrics].map(([k, m]) => [k, m.sum / m.weight]));
    ctx.progress(round + 1, rounds, { sites: agg.count, ...last });
  }
  return { weights: model, metrics: last };
}
