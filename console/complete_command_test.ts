import assert from "node:assert/strict";
import { completeCommand } from "./complete_command.ts";

const complete = completeCommand(["status", "stop", "submit_job", "stop", "", "abort", "restart"]);

Deno.test("completeCommand() completes the first word by prefix, sorted and unique", () => {
  assert.deepEqual(complete("st", 2), ["status", "stop"]);
  assert.deepEqual(complete("s", 1), ["status", "stop", "submit_job"]);
  assert.deepEqual(complete("", 0), ["abort", "restart", "status", "stop", "submit_job"]);
  assert.deepEqual(complete("  sub", 5), ["submit_job"]);
  assert.deepEqual(complete("x", 1), []);
});

Deno.test("completeCommand() uses the text before the cursor and ignores later words", () => {
  assert.deepEqual(complete("stop job1", 2), ["status", "stop"]);
  assert.deepEqual(complete("stop ", 5), []);
  assert.deepEqual(complete("stop jo", 7), []);
  assert.deepEqual(complete("stop\tjo", 7), []);
});
