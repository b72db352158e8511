// Job folders written on the fly for the jobs tests, in the format of jobs.md §1.

/** ScatterAndGather on a 3×3 model: the server side of every test job. */
export function sagServerConfig(
  args: {
    num_rounds?: number;
    min_clients?: number;
    train_timeout?: number;
    initial_weights?: Record<string, { shape: number[] }>;
  } = {},
): Record<string, unknown> {
  return {
    format_version: 2,
    workflows: [{
      id: "sag",
      path: "stockade.app_common.workflows.ScatterAndGather",
      args: {
        num_rounds: 2,
        min_clients: 1,
        train_timeout: 30,
        initial_weights: { w: { shape: [3, 3] } },
        ...args,
      },
    }],
  };
}

/** A client config with one executor for task `train`. */
export function executorConfig(
  path: string,
  args: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    format_version: 2,
    executors: [{ tasks: ["train"], executor: { id: "trainer", path, args } }],
  };
}

/** Writes a one-app job (`app` deployed to `@ALL`) into a new temp folder; returns its path. */
export async function writeJob(options: {
  name: string;
  meta?: Record<string, unknown>;
  server?: Record<string, unknown>;
  client?: Record<string, unknown>;
  /** Files of `app/custom/`, by name. */
  custom?: Record<string, string>;
}): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "stockade_job_" });
  const dir = `${root}/${options.name}`;
  await Deno.mkdir(`${dir}/app/config`, { recursive: true });
  const meta = {
    name: options.name,
    deploy_map: { app: ["@ALL"] },
    min_clients: 1,
    ...options.meta,
  };
  await Deno.writeTextFile(`${dir}/meta.json`, JSON.stringify(meta, null, 2));
  await Deno.writeTextFile(
    `${dir}/app/config/config_fed_server.json`,
    JSON.stringify(options.server ?? sagServerConfig()),
  );
  await Deno.writeTextFile(
    `${dir}/app/config/config_fed_client.json`,
    JSON.stringify(
      options.client ?? executorConfig("stockade.app_common.executors.AddOneTrainer"),
    ),
  );
  if (options.custom) {
    await Deno.mkdir(`${dir}/app/custom`);
    for (const [file, source] of Object.entries(options.custom)) {
      await Deno.writeTextFile(`${dir}/app/custom/${file}`, source);
    }
  }
  return dir;
}
