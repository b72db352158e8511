import assert from "node:assert/strict";
import { parseShellCommand } from "./parse_shell_command.ts";
import { runShellCommand } from "./run_shell_command.ts";
import { ShellError, type ShellErrorCode } from "./shell_error.ts";

const MIB16 = 16 * 1024 * 1024;
const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

interface Workspace {
  base: string;
  root: string;
}

/**
 * A workspace `<base>/ws` with text files, a hidden file and folder, sized and dated files,
 * symlinks inside (allowed) and out (refused), a dangling and a looping link, and `<base>/outside*`.
 */
async function makeWorkspace(): Promise<Workspace> {
  const base = await Deno.makeTempDir({ prefix: "stockade_shell_" });
  const root = `${base}/ws`;
  const w = (path: string, text: string) => Deno.writeTextFile(`${root}/${path}`, text);
  await Deno.mkdir(`${root}/logs/old`, { recursive: true });
  await Deno.mkdir(`${root}/logs/.dot`);
  await Deno.mkdir(`${root}/sizes`);
  await Deno.mkdir(`${root}/tree/sub`, { recursive: true });
  await Deno.mkdir(`${root}/dir.txt`);
  await Deno.mkdir(`${base}/outdir`);
  await w("a.txt", "one\n\n\ntwo\tTab\nThree\n");
  await w(".hidden.txt", "h\n");
  await w("logs/site.log", "alpha\nBeta\ngamma beta\n");
  await w("logs/old/x.json", "{}\n");
  await w("logs/.dot/y.log", "y\n");
  await w("lines.txt", Array.from({ length: 12 }, (_, i) => `l${i + 1}`).join("\n") + "\n");
  await w("utf.txt", "é\nx\n");
  await w("no_newline.txt", "x\ny");
  await w("key.pem", "secret\n");
  await w("tree/sub/f.txt", "f\n");
  // Sizes, modification and access times differ in order from the names.
  const sizes = [["a.txt", 10, "2021", "2020"], ["b.txt", 100, "2020", "2022"], [
    "c.txt",
    1,
    "2022",
    "2021",
  ]] as const;
  for (const [name, size, mtime, atime] of sizes) {
    await w(`sizes/${name}`, "x".repeat(size));
    await Deno.utime(`${root}/sizes/${name}`, day(`${atime}-01-01`), day(`${mtime}-01-01`));
  }
  await Deno.writeTextFile(`${base}/outside.txt`, "outside\n");
  await Deno.writeTextFile(`${base}/outdir/secret.txt`, "secret\n");
  await Deno.symlink(`${base}/outside.txt`, `${root}/escape.txt`);
  await Deno.symlink("../outdir", `${root}/escape_dir`);
  await Deno.symlink("a.txt", `${root}/alias.txt`);
  await Deno.symlink(`${root}/logs`, `${root}/linkdir`);
  await Deno.symlink("key.pem", `${root}/key.txt`);
  await Deno.symlink("missing.txt", `${root}/dangling.txt`);
  await Deno.symlink("loop.txt", `${root}/loop.txt`);
  await Deno.symlink("..", `${root}/tree/up`);
  return { base, root };
}

async function withWorkspace(fn: (ws: Workspace) => Promise<void>): Promise<void> {
  const ws = await makeWorkspace();
  try {
    await fn(ws);
  } finally {
    await Deno.remove(ws.base, { recursive: true });
  }
}

const run = (root: string, name: string, ...args: string[]) =>
  runShellCommand(root, parseShellCommand(name, args));

async function rejects(
  promise: Promise<unknown>,
  code: ShellErrorCode,
  message: string,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ShellError);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

/** Every path under `dir` with its type, size and modification time (not access time). */
async function snapshot(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const info = await Deno.lstat(`${dir}/${e.name}`);
    out.push(`${prefix}${e.name} ${info.isDirectory} ${info.size} ${info.mtime?.getTime()}`);
    if (info.isDirectory) out.push(...await snapshot(`${dir}/${e.name}`, `${prefix}${e.name}/`));
  }
  return out.sort();
}

Deno.test("runShellCommand() pwd answers / whatever the real root", async () => {
  await withWorkspace(async ({ root }) => {
    assert.equal(await run(root, "pwd"), "/");
  });
});

Deno.test("runShellCommand() ls lists names in code-unit order, -a adds dotfiles", async () => {
  await withWorkspace(async ({ root }) => {
    const names = [
      "a.txt",
      "alias.txt",
      "dangling.txt",
      "dir.txt",
      "escape.txt",
      "escape_dir",
      "key.pem",
      "key.txt",
      "lines.txt",
      "linkdir",
      "logs",
      "loop.txt",
      "no_newline.txt",
      "sizes",
      "tree",
      "utf.txt",
    ];
    assert.equal(await run(root, "ls"), names.join("\n"));
    assert.equal(await run(root, "ls", "."), names.join("\n"));
    assert.equal(await run(root, "ls", "-a"), [".hidden.txt", ...names].join("\n"));
    assert.equal(await run(root, "ls", "logs"), "old\nsite.log");
    assert.equal(await run(root, "ls", "logs/"), "old\nsite.log");
    assert.equal(await run(root, "ls", "-a", "logs"), ".dot\nold\nsite.log");
    // A file lists itself; a symlinked folder inside the workspace is followed.
    assert.equal(await run(root, "ls", "a.txt"), "a.txt");
    assert.equal(await run(root, "ls", "alias.txt"), "alias.txt");
    assert.equal(await run(root, "ls", "linkdir"), "old\nsite.log");
    assert.equal(await run(root, "ls", "logs/old"), "x.json");
    assert.equal(await run(root, "ls", "logs/old/x.json"), "logs/old/x.json");
  });
});

Deno.test("runShellCommand() ls -l -t -S -u sort and show sizes and times", async () => {
  await withWorkspace(async ({ root }) => {
    const line = (name: string, size: number, date: string) =>
      `- ${String(size).padStart(10)} ${date}T00:00:00.000Z ${name}`;
    assert.equal(await run(root, "ls", "sizes"), "a.txt\nb.txt\nc.txt");
    assert.equal(await run(root, "ls", "-S", "sizes"), "b.txt\na.txt\nc.txt");
    assert.equal(await run(root, "ls", "-t", "sizes"), "c.txt\na.txt\nb.txt");
    assert.equal(await run(root, "ls", "-tu", "sizes"), "b.txt\nc.txt\na.txt");
    assert.equal(await run(root, "ls", "-u", "sizes"), "a.txt\nb.txt\nc.txt");
    assert.equal(await run(root, "ls", "-t", "-S", "sizes"), "c.txt\na.txt\nb.txt");
    assert.equal(
      await run(root, "ls", "-l", "sizes"),
      [
        line("a.txt", 10, "2021-01-01"),
        line("b.txt", 100, "2020-01-01"),
        line("c.txt", 1, "2022-01-01"),
      ].join("\n"),
    );
    assert.equal(
      await run(root, "ls", "-lS", "sizes"),
      [
        line("b.txt", 100, "2020-01-01"),
        line("a.txt", 10, "2021-01-01"),
        line("c.txt", 1, "2022-01-01"),
      ].join("\n"),
    );
    // -u shows the access time too, as GNU ls does.
    assert.equal(
      await run(root, "ls", "-l", "-u", "-t", "sizes"),
      [
        line("b.txt", 100, "2022-01-01"),
        line("c.txt", 1, "2021-01-01"),
        line("a.txt", 10, "2020-01-01"),
      ].join("\n"),
    );
    assert.equal(
      await run(root, "ls", "-l", "sizes/b.txt"),
      line("sizes/b.txt", 100, "2020-01-01"),
    );
    // Type characters: folder, symlink (its target is never shown), file.
    const dir = await Deno.lstat(`${root}/tree/sub`);
    const up = await Deno.lstat(`${root}/tree/up`);
    assert.equal(
      await run(root, "ls", "-l", "tree"),
      `d ${String(dir.size).padStart(10)} ${dir.mtime!.toISOString()} sub\n` +
        `l ${String(up.size).padStart(10)} ${up.mtime!.toISOString()} up`,
    );
  });
});

Deno.test("runShellCommand() ls -R recurses with headers, never into symlinks", async () => {
  await withWorkspace(async ({ root }) => {
    assert.equal(
      await run(root, "ls", "-R", "logs"),
      "logs:\nold\nsite.log\n\nlogs/old:\nx.json",
    );
    assert.equal(
      await run(root, "ls", "-Ra", "logs/"),
      "logs:\n.dot\nold\nsite.log\n\nlogs/.dot:\ny.log\n\nlogs/old:\nx.json",
    );
    // tree/up points at the root: listed, not entered (no loop, no duplicate tree).
    assert.equal(await run(root, "ls", "-R", "tree"), "tree:\nsub\nup\n\ntree/sub:\nf.txt");
    const all = await run(root, "ls", "-R");
    assert.ok(all.startsWith(".:\na.txt\n"));
    assert.ok(all.includes("\n\n./tree/sub:\nf.txt"));
    assert.ok(!all.includes("outdir") && !all.includes("secret"));
    assert.equal(await run(root, "ls", "-R", "a.txt"), "a.txt");
  });
});

Deno.test("runShellCommand() ls stops after its entry limit, -R levels together", async () => {
  await withWorkspace(async ({ root }) => {
    for (const sub of ["a", "b"]) {
      await Deno.mkdir(`${root}/many/${sub}`, { recursive: true });
      for (let i = 0; i < 13; i++) {
        await Deno.writeFile(`${root}/many/${sub}/f${i}.txt`, new Uint8Array());
      }
    }
    const ls = (limit: number, ...args: string[]) =>
      runShellCommand(root, parseShellCommand("ls", args), { lsMaxEntries: limit });
    const out = (await ls(20, "-R", "many")).split("\n");
    // 3 headers, 2 blank lines, a and b, all 13 of a, 5 of b, then the notice.
    assert.equal(out.length, 3 + 2 + 2 + 13 + 5 + 1);
    assert.deepEqual(out.slice(0, 4), ["many:", "a", "b", ""]);
    assert.equal(out.filter((l) => l.startsWith("many/")).length, 2);
    assert.equal(out.at(-1), "ls: listing stopped after 20 entries");
    const flat = (await ls(20, "many/a")).split("\n");
    assert.equal(flat.length, 13);
    assert.equal(flat[0], "f0.txt");
    assert.equal((await ls(13, "many/a")).split("\n").length, 13);
    assert.equal(
      (await ls(12, "many/a")).split("\n").at(-1),
      "ls: listing stopped after 12 entries",
    );
  });
});

Deno.test("runShellCommand() cat: plain, -n, -b, -s, -T and their mixes", async () => {
  await withWorkspace(async ({ root }) => {
    assert.equal(await run(root, "cat", "a.txt"), "one\n\n\ntwo\tTab\nThree");
    assert.equal(
      await run(root, "cat", "-n", "a.txt"),
      "     1\tone\n     2\t\n     3\t\n     4\ttwo\tTab\n     5\tThree",
    );
    assert.equal(
      await run(root, "cat", "-b", "a.txt"),
      "     1\tone\n\n\n     2\ttwo\tTab\n     3\tThree",
    );
    assert.equal(await run(root, "cat", "-nb", "a.txt"), await run(root, "cat", "-b", "a.txt"));
    assert.equal(await run(root, "cat", "-s", "a.txt"), "one\n\ntwo\tTab\nThree");
    assert.equal(await run(root, "cat", "-T", "a.txt"), "one\n\n\ntwo^ITab\nThree");
    assert.equal(
      await run(root, "cat", "-s", "-n", "-T", "a.txt"),
      "     1\tone\n     2\t\n     3\ttwo^ITab\n     4\tThree",
    );
    assert.equal(await run(root, "cat", "no_newline.txt"), "x\ny");
    assert.equal(await run(root, "cat", "alias.txt"), "one\n\n\ntwo\tTab\nThree");
    assert.equal(await run(root, "cat", "linkdir/site.log"), "alpha\nBeta\ngamma beta");
    assert.equal(await run(root, "cat", "./logs//old/x.json"), "{}");
  });
});

Deno.test("runShellCommand() head and tail: lines by default, -n N, -c N bytes", async () => {
  await withWorkspace(async ({ root }) => {
    const l = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `l${from + i}`).join("\n");
    assert.equal(await run(root, "head", "lines.txt"), l(1, 10));
    assert.equal(await run(root, "tail", "lines.txt"), l(3, 12));
    assert.equal(await run(root, "head", "-n", "2", "lines.txt"), l(1, 2));
    assert.equal(await run(root, "tail", "-n", "2", "lines.txt"), l(11, 12));
    assert.equal(await run(root, "head", "-n", "0", "lines.txt"), "");
    assert.equal(await run(root, "tail", "-n", "0", "lines.txt"), "");
    assert.equal(await run(root, "head", "-n", "100", "lines.txt"), l(1, 12));
    assert.equal(await run(root, "tail", "-n", "100", "lines.txt"), l(1, 12));
    assert.equal(await run(root, "head", "-c", "5", "lines.txt"), "l1\nl2");
    assert.equal(await run(root, "tail", "-c", "4", "lines.txt"), "l12\n");
    assert.equal(await run(root, "head", "-c", "0", "lines.txt"), "");
    assert.equal(await run(root, "tail", "-c", "0", "lines.txt"), "");
    assert.equal(await run(root, "tail", "-c", "1000", "no_newline.txt"), "x\ny");
    // A cut through a UTF-8 sequence decodes as U+FFFD.
    assert.equal(await run(root, "head", "-c", "1", "utf.txt"), "\uFFFD");
    assert.equal(await run(root, "head", "-c", "2", "utf.txt"), "é");
    assert.equal(await run(root, "tail", "-n", "1", "alias.txt"), "Three");
  });
});

Deno.test("runShellCommand() grep: RegExp per line, -i, -n, -b byte offsets", async () => {
  await withWorkspace(async ({ root }) => {
    assert.equal(await run(root, "grep", "beta", "logs/site.log"), "gamma beta");
    assert.equal(await run(root, "grep", "-i", "beta", "logs/site.log"), "Beta\ngamma beta");
    assert.equal(
      await run(root, "grep", "-n", "a$", "logs/site.log"),
      "1:alpha\n2:Beta\n3:gamma beta",
    );
    assert.equal(
      await run(root, "grep", "-b", "a$", "logs/site.log"),
      "0:alpha\n6:Beta\n11:gamma beta",
    );
    assert.equal(await run(root, "grep", "-nbi", "^b", "logs/site.log"), "2:6:Beta");
    assert.equal(await run(root, "grep", "zzz", "logs/site.log"), "");
    assert.equal(await run(root, "grep", "", "no_newline.txt"), "x\ny");
    assert.equal(await run(root, "grep", "\\t", "a.txt"), "two\tTab");
    // Offsets count UTF-8 bytes: "é" is two.
    assert.equal(await run(root, "grep", "-b", "x", "utf.txt"), "3:x");
    // A caller-made command with a global RegExp does not skip lines through lastIndex.
    assert.equal(
      await runShellCommand(root, {
        name: "grep",
        flags: new Set(),
        pattern: /a/g,
        file: "logs/site.log",
      }),
      "alpha\nBeta\ngamma beta",
    );
  });
});

Deno.test("runShellCommand() stops a grep whose pattern backtracks without end, and stays responsive", async () => {
  await withWorkspace(async ({ root }) => {
    // 40 a's then b: (a+)+$ tries 2^40 splits before it fails.
    await Deno.writeTextFile(`${root}/slow.log`, `ok\n${"a".repeat(40)}b\n`);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      await rejects(
        runShellCommand(root, parseShellCommand("grep", ["(a+)+$", "slow.log"]), {
          grepTimeMs: 300,
        }),
        "BAD_COMMAND_ARGS",
        'grep: pattern "(a+)+$" took over 300 ms on "slow.log" and was stopped; ' +
          "use a simpler pattern (nested repetition such as (a+)+ backtracks)",
      );
    } finally {
      clearInterval(timer);
    }
    // The caller's event loop kept running while the worker matched.
    assert.ok(ticks >= 10, `only ${ticks} timer ticks in 300 ms`);
    // The same file with a plain pattern still greps.
    assert.equal(await run(root, "grep", "-n", "^ok", "slow.log"), "1:ok");
  });
});

Deno.test("runShellCommand() refuses symlink escapes, keys behind links, folders and other non-files", async () => {
  await withWorkspace(async ({ base, root }) => {
    const before = await snapshot(base);
    const bad = "BAD_COMMAND_ARGS";
    await rejects(
      run(root, "cat", "escape.txt"),
      bad,
      'cat: file "escape.txt" resolves outside the workspace',
    );
    await rejects(
      run(root, "head", "escape.txt"),
      bad,
      'head: file "escape.txt" resolves outside the workspace',
    );
    await rejects(
      run(root, "tail", "-c", "1", "escape.txt"),
      bad,
      'tail: file "escape.txt" resolves outside the workspace',
    );
    await rejects(
      run(root, "grep", "o", "escape.txt"),
      bad,
      'grep: file "escape.txt" resolves outside the workspace',
    );
    await rejects(
      run(root, "cat", "escape_dir/secret.txt"),
      bad,
      'cat: file "escape_dir/secret.txt" resolves outside the workspace',
    );
    await rejects(
      run(root, "ls", "escape_dir"),
      bad,
      'ls: file "escape_dir" resolves outside the workspace',
    );
    await rejects(
      run(root, "ls", "escape.txt"),
      bad,
      'ls: file "escape.txt" resolves outside the workspace',
    );
    await rejects(
      run(root, "ls", "tree/up/escape_dir"),
      bad,
      'ls: file "tree/up/escape_dir" resolves outside the workspace',
    );
    // A readable name linking to a key inside the workspace is refused by the target's name.
    await rejects(
      run(root, "cat", "key.txt"),
      bad,
      'cat: file "key.txt" resolves to "key.pem", which does not end in one of ' +
        ".txt .log .json .csv .sh .config .py .ts",
    );
    await rejects(run(root, "cat", "dir.txt"), bad, 'cat: file "dir.txt" is a directory');
    await rejects(run(root, "grep", "x", "dir.txt"), bad, 'grep: file "dir.txt" is a directory');
    await rejects(
      run(root, "cat", "loop.txt"),
      bad,
      'cat: file "loop.txt" cannot be resolved: too many levels of symbolic links',
    );
    // The root itself may be a symlink: the jail is its real path.
    await Deno.symlink(root, `${base}/root_link`);
    assert.equal(await run(`${base}/root_link`, "head", "-n", "1", "a.txt"), "one");
    await rejects(
      run(`${base}/root_link`, "cat", "escape.txt"),
      bad,
      'cat: file "escape.txt" resolves outside the workspace',
    );
    await Deno.remove(`${base}/root_link`);
    // Nothing was written, inside the workspace or out.
    assert.deepEqual(await snapshot(base), before);
    // Made last: creating it changes the workspace folder's mtime.
    using _listener = Deno.listen({ transport: "unix", path: `${root}/sock.txt` });
    await rejects(
      run(root, "head", "sock.txt"),
      bad,
      'head: file "sock.txt" is not a regular file',
    );
  });
});

Deno.test("runShellCommand() writes nothing: every command and option leaves the tree as it was", async () => {
  await withWorkspace(async ({ base, root }) => {
    const before = await snapshot(base);
    const commands: [string, ...string[]][] = [
      ["pwd"],
      ["ls", "-alRtSu"],
      ["ls", "-l", "sizes/a.txt"],
      ["cat", "-nbsT", "a.txt"],
      ["head", "-n", "3", "lines.txt"],
      ["head", "-c", "3", "lines.txt"],
      ["tail", "-n", "3", "lines.txt"],
      ["tail", "-c", "3", "lines.txt"],
      ["grep", "-nib", "a", "logs/site.log"],
    ];
    for (const [name, ...args] of commands) {
      assert.equal(typeof await run(root, name, ...args), "string");
    }
    assert.deepEqual(await snapshot(base), before);
  });
});

Deno.test("runShellCommand() missing files are FILE_NOT_FOUND, named as given", async () => {
  await withWorkspace(async ({ root }) => {
    const missing = "FILE_NOT_FOUND";
    await rejects(
      run(root, "cat", "nope.txt"),
      missing,
      'cat: "nope.txt" does not exist in the workspace',
    );
    await rejects(run(root, "ls", "nope"), missing, 'ls: "nope" does not exist in the workspace');
    await rejects(
      run(root, "grep", "x", "logs/nope.log"),
      missing,
      'grep: "logs/nope.log" does not exist in the workspace',
    );
    await rejects(
      run(root, "head", "dangling.txt"),
      missing,
      'head: "dangling.txt" does not exist in the workspace',
    );
    await rejects(
      run(root, "tail", "a.txt/x.txt"),
      missing,
      'tail: "a.txt/x.txt" does not exist in the workspace',
    );
  });
});

Deno.test("runShellCommand() refuses files over 16 MiB with TOO_LARGE, reads 16 MiB", async () => {
  await withWorkspace(async ({ root }) => {
    for (const [name, size] of [["huge.log", MIB16 + 1], ["exact.log", MIB16]] as const) {
      using f = await Deno.open(`${root}/${name}`, { write: true, create: true });
      await f.truncate(size);
    }
    const message = (cmd: string) =>
      `${cmd}: file "huge.log" has ${MIB16 + 1} bytes; at most ${MIB16} (16 MiB) are read`;
    await rejects(run(root, "cat", "huge.log"), "TOO_LARGE", message("cat"));
    await rejects(run(root, "head", "-c", "1", "huge.log"), "TOO_LARGE", message("head"));
    await rejects(run(root, "tail", "-n", "1", "huge.log"), "TOO_LARGE", message("tail"));
    await rejects(run(root, "grep", "x", "huge.log"), "TOO_LARGE", message("grep"));
    assert.equal(await run(root, "head", "-c", "3", "exact.log"), "\0\0\0");
    assert.equal(
      await run(root, "ls", "-l", "huge.log").then((l) => l.split(/ +/)[1]),
      `${MIB16 + 1}`,
    );
  });
});
