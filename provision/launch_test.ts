import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { childArgs } from "./launch.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

Deno.test("childArgs() grants provision only the project folder, templates and workspace", () => {
  const plan = childArgs("provision", [
    "-p",
    "p/project.yml",
    "--archive",
    "--password-file",
    "/secure/pw",
  ], "/home/u");
  assert.equal(plan.script, "provision/main.ts");
  assert.deepEqual(plan.read, [
    `${ROOT}/policies/defaults`,
    `${ROOT}/provision/templates`,
    "/home/u/p",
    "/home/u/workspace",
  ]);
  assert.deepEqual(plan.write, ["/home/u/workspace", "/secure/pw"]);
  assert.deepEqual(plan.args, [
    "-p",
    "/home/u/p/project.yml",
    "-w",
    "/home/u/workspace",
    "--password-file",
    "/secure/pw",
    "--archive",
  ]);
  const add = childArgs(
    "provision",
    ["-p", "/x/p.yml", "-w", "/ws", "--add-client", "c.yml"],
    "/h",
  );
  assert.deepEqual(add.read.slice(2), ["/x", "/ws", "/h/c.yml"]);
  assert.deepEqual(add.write, ["/ws"]);
});

Deno.test("childArgs() grants kit verify read of the kit only and unpack its destination", () => {
  const verify = childArgs("kit", ["verify", "k"], "/h");
  assert.deepEqual([verify.read, verify.write, verify.args], [["/h/k"], [], ["verify", "/h/k"]]);
  const unpack = childArgs("kit", ["unpack", "a/site-1.stkit"], "/h");
  assert.deepEqual(unpack.read, ["/h/a/site-1.stkit", "/h/site-1"]);
  assert.deepEqual(unpack.write, ["/h/site-1"]);
});

Deno.test("childArgs() refuses unknown commands and options", () => {
  assert.throws(() => childArgs("rm", [], "/"), TypeError);
  assert.throws(() => childArgs("provision", ["--allow-all"], "/"), TypeError);
  assert.throws(() => childArgs("provision", [], "/"), TypeError);
  assert.throws(() => childArgs("kit", ["explode", "x"], "/"), TypeError);
});
