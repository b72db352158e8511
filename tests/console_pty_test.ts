// The console REPL in a real terminal: tmux runs `deno task console` (launcher and all), the test
// types into it and reads the screen: login, tab completion, check_status, history recall,
// submit_job --watch until the job is done, bye.
import assert from "node:assert/strict";
import { RUNTIME_DIR } from "../core/launch/mod.ts";
import { federation, waitFor } from "./_fixtures/federation.ts";
import { sagServerConfig, writeJob } from "./_fixtures/job_folders.ts";

const hasTmux = new Deno.Command("sh", { args: ["-c", "command -v tmux"], stdout: "null" })
  .outputSync().success;

Deno.test({
  name: "console REPL in a terminal: completion, history, submit_job --watch, bye",
  ignore: !hasTmux,
  async fn() {
    const fed = await federation();
    const socket = `stockade-${crypto.randomUUID().slice(0, 8)}`;
    const tmux = (...args: string[]) =>
      new Deno.Command("tmux", { args: ["-L", socket, ...args], stdout: "piped", stderr: "piped" })
        .output();
    const screen = async () =>
      new TextDecoder().decode(
        (await tmux("capture-pane", "-p", "-t", "console", "-S", "-200")).stdout,
      );
    const type = (...keys: string[]) => tmux("send-keys", "-t", "console", ...keys);
    const downloads = await Deno.makeTempDir({ prefix: "stockade_pty_" });
    try {
      for (const name of ["localhost", "site_a", "site_b"]) await fed.start(name);
      await fed.registered(["site_a", "site_b"]);
      const job = await writeJob({ name: "watched", server: sagServerConfig({ num_rounds: 3 }) });
      // The console may read its download folder: the job is submitted from there.
      await Deno.rename(job, `${downloads}/watched`);
      await Deno.remove(job.slice(0, job.lastIndexOf("/")), { recursive: true });
      const command = [
        `${RUNTIME_DIR}/node_modules/.bin/deno`,
        "run",
        "-P=console_launcher",
        "console/launcher.ts",
        "--kit",
        fed.project.kitDir("admin@org-a.example"),
        "--download-dir",
        downloads,
      ].map((a) => `'${a}'`).join(" ");
      const started = await tmux(
        "new-session",
        "-d",
        "-x",
        "150",
        "-y",
        "50",
        "-s",
        "console",
        "-c",
        RUNTIME_DIR,
        `NO_COLOR=1 ${command}; echo "console exited $?"; sleep 30`,
      );
      assert.ok(started.success, new TextDecoder().decode(started.stderr));
      await waitFor(
        "the login",
        async () => (await screen()).includes("Logged in as admin@org-a.example"),
      );

      // Tab completes the command name; the server answers.
      await type("check_st", "Tab");
      await waitFor("completion", async () => /> check_status\s*$/m.test(await screen()));
      await type("server", "Enter");
      await waitFor(
        "check_status",
        async () => /server localhost: running since .*2 site\(s\) connected/.test(await screen()),
      );

      // Up recalls the last line.
      await type("Up");
      await waitFor(
        "history",
        async () => (await screen()).trimEnd().endsWith("> check_status server"),
      );
      await type("C-u", "help submit_job", "Enter");
      await waitFor("help", async () => (await screen()).includes('needs right "submit_job"'));

      await type(`submit_job ${downloads}/watched --watch`, "Enter");
      await waitFor(
        "the watched job to end",
        async () => (await screen()).includes("FINISHED:COMPLETED"),
        60_000,
      );
      const s = await screen();
      assert.match(s, /Submitted job "watched"/);
      assert.match(s, /round 3\/3/);
      assert.match(s, /site_a: done/);
      // Updated in place: the status line appears once, not once per poll.
      assert.equal(s.split(/job \S+ \(watched\): /).length - 1, 1, s);

      await type("bye", "Enter");
      await waitFor(
        "the console to exit",
        async () => (await screen()).includes("console exited 0"),
      );
    } finally {
      await tmux("kill-server");
      await Deno.remove(downloads, { recursive: true });
      await fed.close();
    }
  },
});
