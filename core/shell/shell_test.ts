import assert from "node:assert/strict";
import { parseShellCommand, runShellCommand, ShellError } from "./mod.ts";

async function workspace(): Promise<{ root: string; outside: string; done: () => Promise<void> }> {
  const base = await Deno.makeTempDir({ prefix: "stockade_shell_" });
  const root = `${base}/ws`;
  await Deno.mkdir(`${root}/logs/old`, { recursive: true });
  await Deno.writeTextFile(`${root}/a.txt`, "one\n\n\ntwo\tTab\nThree\n");
  await Deno.writeTextFile(`${root}/logs/site.log`, "alpha\nBeta\ngamma beta\n");
  await Deno.writeTextFile(`${root}/logs/old/x.json`, "{}\n");
  await Deno.writeTextFile(`${root}/.hidden.txt`, "h\n");
  await Deno.mkdir(`${root}/sizes`);
  for (const [f, n] of [["small.txt", 1], ["big.txt", 100], ["mid.txt", 10]] as const) {
    await Deno.writeTextFile(`${root}/sizes/${f}`, "x".repeat(n));
  }
  await Deno.writeTextFile(`${root}/key.pem`, "secret\n");
  await Deno.writeTextFile(`${base}/outside.txt`, "outside\n");
  await Deno.symlink(`${base}/outside.txt`, `${root}/escape.txt`);
  await Deno.symlink(`${root}/a.txt`, `${root}/alias.txt`);
  return {
    root,
    outside: `${base}/outside.txt`,
    done: () => Deno.remove(base, { recursive: true }),
  };
}

const run = (root: string, name: string, ...args: string[]) =>
  runShellCommand(root, parseShellCommand(name, args));

function refuses(name: string, args: string[], pattern: RegExp): void {
  assert.throws(() => parseShellCommand(name, args), (err: unknown) => {
    assert.ok(err instanceof ShellError);
    assert.equal(err.code, "BAD_COMMAND_ARGS");
    assert.match(err.message, pattern);
    return true;
  });
}

Deno.test("shell arguments are refused before anything runs", () => {
  refuses("cat", ["a;b.txt"], /may only contain/);
  refuses("cat", ["/etc/passwd.txt"], /relative path/);
  refuses("cat", ["a/../b.txt"], /without "\.\." segments/);
  refuses("ls", [".."], /without "\.\." segments/);
  refuses("cat", ["key.pem"], /must end in one of \.txt/);
  refuses("cat", ["x.bin"], /must end in one of/);
  refuses("cat", [], /exactly one file/);
  refuses("grep", ["a.txt"], /a pattern and one file/);
  refuses("grep", ["(", "a.txt"], /not a valid regular expression/);
  refuses("head", ["-n", "x", "a.txt"], /whole number/);
  refuses("head", ["-n", "1", "-c", "2", "a.txt"], /only one of/);
  refuses("tail", ["-q", "a.txt"], /unknown option "-q"/);
  refuses("ls", ["-n"], /ls: unknown option "-n"/);
  refuses("cat", ["-l", "a.txt"], /cat: unknown option/);
  refuses("pwd", ["x"], /no arguments/);
  refuses("rm", ["a.txt"], /not a shell command/);
});

Deno.test("ls, cat, head, tail, grep and pwd read inside the workspace only", async () => {
  const ws = await workspace();
  try {
    const { root } = ws;
    assert.equal(await run(root, "pwd"), "/");
    assert.equal(await run(root, "ls"), "a.txt\nalias.txt\nescape.txt\nkey.pem\nlogs\nsizes");
    assert.match(await run(root, "ls", "-a"), /^\.hidden\.txt\na\.txt/);
    assert.equal(await run(root, "ls", "-R", "logs"), "logs:\nold\nsite.log\n\nlogs/old:\nx.json");
    assert.match(await run(root, "ls", "-l", "logs"), /^d +\d+ \S+ old\n- +22 \S+ site\.log$/);
    assert.equal(await run(root, "ls", "-S", "sizes"), "big.txt\nmid.txt\nsmall.txt");
    assert.equal(await run(root, "cat", "a.txt"), "one\n\n\ntwo\tTab\nThree");
    assert.equal(await run(root, "cat", "-s", "-T", "a.txt"), "one\n\ntwo^ITab\nThree");
    assert.equal(
      await run(root, "cat", "-n", "a.txt"),
      "     1\tone\n     2\t\n     3\t\n     4\ttwo\tTab\n     5\tThree",
    );
    assert.equal(
      await run(root, "cat", "-b", "a.txt"),
      "     1\tone\n\n\n     2\ttwo\tTab\n     3\tThree",
    );
    assert.equal(await run(root, "head", "-n", "1", "a.txt"), "one");
    assert.equal(await run(root, "head", "-c", "5", "a.txt"), "one\n\n");
    assert.equal(await run(root, "tail", "-n", "2", "a.txt"), "two\tTab\nThree");
    assert.equal(await run(root, "tail", "-c", "6", "a.txt"), "Three\n");
    assert.equal(await run(root, "grep", "beta", "logs/site.log"), "gamma beta");
    assert.equal(
      await run(root, "grep", "-i", "-n", "beta", "logs/site.log"),
      "2:Beta\n3:gamma beta",
    );
    assert.equal(await run(root, "grep", "-b", "^[bg]", "logs/site.log"), "11:gamma beta");
    // A symlink inside the workspace is followed; one leading out is refused.
    assert.equal(await run(root, "head", "-n", "1", "alias.txt"), "one");
    await assert.rejects(run(root, "cat", "escape.txt"), (err: unknown) => {
      assert.ok(err instanceof ShellError);
      assert.equal(err.code, "BAD_COMMAND_ARGS");
      assert.match(err.message, /resolves outside the workspace/);
      return true;
    });
    await assert.rejects(run(root, "cat", "nope.txt"), /does not exist/);
    await assert.rejects(run(root, "cat", "logs/old.txt"), /does not exist/);
    await Deno.mkdir(`${root}/dir.txt`);
    await assert.rejects(run(root, "cat", "dir.txt"), /not a regular file/);
    assert.equal(await Deno.readTextFile(ws.outside), "outside\n");
  } finally {
    await ws.done();
  }
});
