import assert from "node:assert/strict";
import { loadKit } from "../core/kit/mod.ts";
import { roleFlags, runLauncher } from "../core/launch/mod.ts";
import { provisionTestProject } from "./_fixtures/test_project.ts";
import { runTask } from "./provision_test_helpers.ts";

const MAIN = new URL("./launch_main_fixture.ts", import.meta.url).pathname;

Deno.test("runLauncher() computes a client's flags from its kit under the launcher permission set", async () => {
  const project = await provisionTestProject();
  try {
    const kitDir = await Deno.realPath(project.kitDir("site_a"));
    const res = await runTask(["client", "--kit", kitDir, "--print-flags"]);
    assert.equal(res.code, 0, res.stderr);
    const expected = roleFlags("client", await loadKit(kitDir, "client"));
    assert.deepEqual(JSON.parse(res.stdout), expected);
  } finally {
    await project.cleanup();
  }
});

Deno.test("runLauncher() passes the server's listen host into its flags", async () => {
  const project = await provisionTestProject();
  try {
    const kitDir = await Deno.realPath(project.kitDir("localhost"));
    const res = await runTask([
      "server",
      "--kit",
      kitDir,
      "--listen-host",
      "127.0.0.1",
      "--print-flags",
    ]);
    assert.equal(res.code, 0, res.stderr);
    const expected = roleFlags("server", await loadKit(kitDir, "server"), {
      listenHost: "127.0.0.1",
    });
    assert.deepEqual(JSON.parse(res.stdout), expected);
  } finally {
    await project.cleanup();
  }
});

Deno.test("runLauncher() exits 2 with the kit report when the kit was edited", async () => {
  const project = await provisionTestProject();
  try {
    const kitDir = project.kitDir("site_a");
    await Deno.writeTextFile(`${kitDir}/startup/fed_client.json`, "{}\n", { append: true });
    const res = await runTask(["client", "--kit", kitDir, "--print-flags"]);
    assert.equal(res.code, 2);
    assert.equal(res.stdout, "");
    assert.match(res.stderr, /INVALID_SIGNATURE\s+startup\/fed_client\.json/);
  } finally {
    await project.cleanup();
  }
});

Deno.test("runLauncher() explains its usage and refuses a missing kit", async () => {
  const help = await runTask(["server", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: deno task server --kit <kit-dir>/);
  const none = await runTask(["client"]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /Missing --kit <dir>/);
  const absent = await runTask(["client", "--kit", "/nonexistent/stockade-kit"]);
  assert.equal(absent.code, 1);
  assert.match(absent.stderr, /Cannot open kit "\/nonexistent\/stockade-kit"/);
  const unknown = await runTask(["client", "--listen-host", "x"]);
  assert.equal(unknown.code, 1);
});

Deno.test("runLauncher() runs the role under its kit's flags and ends when it exits 0", async () => {
  const project = await provisionTestProject();
  try {
    const kitDir = await Deno.realPath(project.kitDir("site_a"));
    const other = project.kitDir("site_b");
    const targets = {
      read: [`${kitDir}/startup/client.key`, `${other}/startup/client.key`],
      write: [`${kitDir}/startup/x.txt`],
      connect: ["127.0.0.1:9"],
    };
    const code = await runLauncher(
      "client",
      ["--kit", kitDir, "--", JSON.stringify(targets)],
      { main: MAIN },
    );
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${kitDir}/sandbox_report.json`)), {
      read: {
        [`${kitDir}/startup/client.key`]: "allowed",
        [`${other}/startup/client.key`]: "NotCapable",
      },
      write: { [`${kitDir}/startup/x.txt`]: "NotCapable" },
      connect: { "127.0.0.1:9": "NotCapable" },
      listen: {},
      env: {},
      run: {},
    });
  } finally {
    await project.cleanup();
  }
});
