import assert from "node:assert/strict";
import { type BoardTask, TaskBoard } from "./task_board.ts";

const task = (taskId: string, deadline = 1000, jobId = "j1"): BoardTask => ({
  jobId,
  taskId,
  taskName: "train",
  payload: new Uint8Array([1]),
  deadline,
});

Deno.test("TaskBoard.take() hands each site its tasks in order, sharing one payload", () => {
  const b = new TaskBoard();
  const t1 = task("t1");
  b.post(t1, ["a", "b"]);
  b.post(task("t2"), ["a"]);
  const fromA = b.take("a", 0)!;
  const fromB = b.take("b", 0)!;
  assert.equal(fromA.taskId, "t1");
  assert.equal(fromA.payload, fromB.payload, "the same bytes for every site");
  assert.equal(b.take("a", 0)?.taskId, "t2");
  assert.equal(b.take("a", 0), undefined);
});

Deno.test("TaskBoard.finish() accepts a result only for a task out at that site", () => {
  const b = new TaskBoard();
  b.post(task("t1"), ["a", "b"]);
  assert.equal(b.finish("a", "j1", "t1"), undefined, "not taken yet");
  b.take("a", 0);
  assert.equal(b.finish("b", "j1", "t1"), undefined, "out at a, not b");
  assert.equal(b.finish("a", "other", "t1"), undefined, "wrong job");
  assert.equal(b.finish("a", "j1", "t1")?.taskId, "t1");
  assert.equal(b.finish("a", "j1", "t1"), undefined, "only once");
});

Deno.test("TaskBoard.cancel(), cancelJob() and expire() drop tasks queued or out", () => {
  const b = new TaskBoard();
  b.post(task("t1", 100), ["a", "b"]);
  b.post(task("t2", 500, "j2"), ["a"]);
  b.take("a", 0);
  const gone = b.expire(200);
  assert.deepEqual(gone.map((g) => `${g.site}:${g.task.taskId}`).sort(), ["a:t1", "b:t1"]);
  b.post(task("t3", 900), ["b"]);
  b.cancel("t3");
  assert.equal(b.take("b", 0), undefined);
  b.cancelJob("j2");
  assert.equal(b.take("a", 0), undefined);
});
