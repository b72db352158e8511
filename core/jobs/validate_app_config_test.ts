import assert from "node:assert/strict";
import { JobValidationError } from "./job_validation_error.ts";
import { routeTask } from "./route_task.ts";
import { validateAppConfig } from "./validate_app_config.ts";

const opts = { app: "app1", file: "config_fed_client.json", side: "client" } as const;
const exec = (tasks: string[], path = "stockade.x.E") => ({ tasks, executor: { path } });

function invalid(config: unknown, detail: string | RegExp, code = "JOB_CONFIG_INVALID"): void {
  assert.throws(() => validateAppConfig(config, opts), (err: unknown) => {
    assert.ok(err instanceof JobValidationError);
    assert.equal(err.code, code, err.message);
    if (typeof detail === "string") {
      assert.equal(
        err.message,
        `config "config_fed_client.json" of app "app1" is invalid: ${detail}`,
      );
    } else {
      assert.match(err.message, detail);
    }
    return true;
  });
}

Deno.test("validateAppConfig() parses a full config from bytes", () => {
  const config = validateAppConfig(
    new TextEncoder().encode(JSON.stringify({
      format_version: 2,
      server: { heart_beat_timeout: 600 },
      components: [{ id: "p", path: "stockade.a.P", args: { x: 1 } }],
      workflows: [{ class_path: "stockade.a.W" }],
      handlers: [],
      executors: [exec(["train", "validate"])],
      task_data_filters: [{
        tasks: ["train"],
        filters: [{ path: "stockade.filters.ExcludeVars" }],
      }],
      task_result_filters: [{
        tasks: ["train"],
        filters: [{ path: "stockade.filters.PercentilePrivacy" }],
        direction: "out",
      }],
    })),
    opts,
  );
  assert.equal(config.components[0]?.id, "p");
  assert.deepEqual(config.executors[0]?.tasks, ["train", "validate"]);
  assert.equal(config.task_result_filters[0]?.direction, "out");
});

Deno.test("validateAppConfig() refuses bad JSON, format_version and top-level keys", () => {
  invalid(new TextEncoder().encode("{"), /is invalid: not JSON/);
  invalid([], "not a JSON object");
  invalid({}, 'format_version "undefined" is not 2');
  invalid({ format_version: "2" }, 'format_version "2" is not 2');
  invalid({ format_version: 2, components: [], extra: 1 }, 'unknown top-level key "extra"');
  invalid({ format_version: 2, components: {} }, '"components" is not a list');
  invalid({ format_version: 2, server: [] }, '"server" is not an object');
});

Deno.test("validateAppConfig() checks component shape", () => {
  invalid({ format_version: 2, components: [1] }, "components[0] is not an object");
  invalid(
    { format_version: 2, workflows: [{ id: "w" }] },
    'workflows[0] has no "path" or "class_path"',
  );
  invalid(
    { format_version: 2, handlers: [{ path: "a.B", extra: 1 }] },
    'handlers[0] has unknown key "extra"',
  );
  invalid(
    { format_version: 2, components: [{ path: "a.B", args: [1] }] },
    "components[0] args is not an object",
  );
  invalid(
    { format_version: 2, components: [{ path: "a.B", id: 3 }] },
    "components[0] id is not a string",
  );
});

Deno.test("validateAppConfig() checks executor entries", () => {
  invalid(
    { format_version: 2, executors: [{ tasks: [], executor: { path: "a.B" } }] },
    "executors[0] tasks is not a non-empty list",
  );
  invalid(
    { format_version: 2, executors: [{ tasks: [""], executor: { path: "a.B" } }] },
    'executors[0] task "" is not a non-empty string',
  );
  invalid(
    { format_version: 2, executors: [{ tasks: ["t"] }] },
    "executors[0].executor is not an object",
  );
  invalid(
    { format_version: 2, executors: [{ ...exec(["t"]), name: "x" }] },
    'executors[0] has unknown key "name"',
  );
  invalid(
    { format_version: 2, executors: [exec(["train"]), exec(["validate", "train"])] },
    'task "train" has two executors (executors[0] and executors[1])',
  );
  invalid(
    { format_version: 2, executors: [exec(["*"]), exec(["*"])] },
    'task "*" has two executors (executors[0] and executors[1])',
  );
});

Deno.test("validateAppConfig() checks filter chains", () => {
  const f = { path: "stockade.filters.ExcludeVars" };
  invalid(
    { format_version: 2, task_data_filters: [{ tasks: ["t"], filters: [] }] },
    "task_data_filters[0] filters is not a non-empty list",
  );
  invalid(
    { format_version: 2, task_data_filters: [{ tasks: [], filters: [f] }] },
    "task_data_filters[0] tasks is not a non-empty list",
  );
  invalid({
    format_version: 2,
    task_result_filters: [{ tasks: ["t"], filters: [f], direction: "up" }],
  }, 'task_result_filters[0] direction "up" is not in, out or inout');
  invalid(
    { format_version: 2, task_result_filters: [{ tasks: ["t"], filters: [f], x: 1 }] },
    'task_result_filters[0] has unknown key "x"',
  );
  // Client task_result defaults to "out": an explicit "out" for the same task is a duplicate.
  invalid(
    {
      format_version: 2,
      task_result_filters: [{ tasks: ["t"], filters: [f] }, {
        tasks: ["t"],
        filters: [f],
        direction: "out",
      }],
    },
    /two task_result_filters entries for task "t" and direction "out"/,
    "JOB_FILTER_DUPLICATE",
  );
  invalid(
    {
      format_version: 2,
      task_data_filters: [{ tasks: ["t"], filters: [f], direction: "inout" }, {
        tasks: ["t"],
        filters: [f],
      }],
    },
    /direction "in"/,
    "JOB_FILTER_DUPLICATE",
  );
  // Different directions, or the same direction in different chains, are fine.
  validateAppConfig({
    format_version: 2,
    task_data_filters: [{ tasks: ["t"], filters: [f] }, {
      tasks: ["t"],
      filters: [f],
      direction: "out",
    }],
    task_result_filters: [{ tasks: ["t"], filters: [f] }],
  }, opts);
  // On the server task_data defaults to "out".
  assert.throws(
    () =>
      validateAppConfig({
        format_version: 2,
        task_data_filters: [{ tasks: ["t"], filters: [f] }, {
          tasks: ["t"],
          filters: [f],
          direction: "out",
        }],
      }, { ...opts, side: "server" }),
    { code: "JOB_FILTER_DUPLICATE" },
  );
});

Deno.test("routeTask() prefers the exact name, then the first pattern with *", () => {
  const executors = [exec(["train_*"]), exec(["*"]), exec(["train_final", "validate"])];
  assert.equal(routeTask(executors, "train_final"), 2);
  assert.equal(routeTask(executors, "validate"), 2);
  assert.equal(routeTask(executors, "train_1"), 0);
  assert.equal(routeTask(executors, "submit_model"), 1);
  assert.equal(routeTask([exec(["a.b*"])], "axb"), undefined);
  assert.equal(routeTask([exec(["a.b*"])], "a.bc"), 0);
  assert.equal(routeTask([exec(["train"])], "other"), undefined);
});
