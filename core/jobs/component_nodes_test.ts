import assert from "node:assert/strict";
import { componentNodes } from "./component_nodes.ts";

Deno.test("componentNodes() lists every node with its path, nested args included", () => {
  const config = {
    format_version: 2,
    components: [{
      id: "p",
      path: "stockade.a.P",
      args: { inner: { class_path: "stockade.a.Q" } },
    }],
    workflows: [{ path: "stockade.a.W", args: { list: [1, { path: "stockade.a.L" }] } }],
    handlers: [{ path: "stockade.a.H" }],
    executors: [{
      tasks: ["train"],
      executor: {
        path: "stockade.a.E",
        args: { model: { path: "stockade.a.M", args: { "odd-key": { path: "stockade.a.N" } } } },
      },
    }],
    task_data_filters: [{ tasks: ["t"], filters: [{ name: "ExcludeVars" }] }],
    task_result_filters: [{ tasks: ["t"], filters: [{ path: "x.F" }, { path: "x.G" }] }],
  };
  assert.deepEqual(componentNodes(config).map((n) => n.nodePath), [
    "components[0]",
    "components[0].args.inner",
    "workflows[0]",
    "workflows[0].args.list[1]",
    "handlers[0]",
    "executors[0].executor",
    "executors[0].executor.args.model",
    'executors[0].executor.args.model.args["odd-key"]',
    "task_data_filters[0].filters[0]",
    "task_result_filters[0].filters[0]",
    "task_result_filters[0].filters[1]",
  ]);
});

Deno.test("componentNodes() ignores objects outside args and bounds nesting", () => {
  assert.deepEqual(componentNodes({ server: { path: "evil.X" } }), []);
  let deep: Record<string, unknown> = { path: "a.B" };
  for (let i = 0; i < 100; i++) deep = { x: deep };
  assert.throws(() => componentNodes({ components: [{ path: "a.B", args: deep }] }), RangeError);
});
