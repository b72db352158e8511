import assert from "node:assert/strict";
import { parseShellCommand } from "./parse_shell_command.ts";
import { ShellError } from "./shell_error.ts";

/** Asserts `name args` is refused with BAD_COMMAND_ARGS and exactly `message`. */
function refuses(name: string, args: string[], message: string): void {
  assert.throws(() => parseShellCommand(name, args), (err: unknown) => {
    assert.ok(err instanceof ShellError);
    assert.equal(err.name, "ShellError");
    assert.equal(err.code, "BAD_COMMAND_ARGS");
    assert.equal(err.message, message);
    return true;
  });
}

Deno.test("parseShellCommand() pwd takes nothing", () => {
  assert.deepEqual(parseShellCommand("pwd", []), { name: "pwd" });
  refuses("pwd", ["x"], 'pwd: takes no arguments, got "x"');
  refuses("pwd", ["-l"], 'pwd: takes no arguments, got "-l"');
});

Deno.test("parseShellCommand() ls: every option, separate or combined, anywhere; no file is '.'", () => {
  assert.deepEqual(parseShellCommand("ls", []), { name: "ls", flags: new Set(), file: "." });
  assert.deepEqual(parseShellCommand("ls", [""]), { name: "ls", flags: new Set(), file: "." });
  assert.deepEqual(
    parseShellCommand("ls", ["-a", "-l", "-t", "-S", "-R", "-u", "logs/old"]),
    { name: "ls", flags: new Set(["a", "l", "t", "S", "R", "u"]), file: "logs/old" },
  );
  assert.deepEqual(
    parseShellCommand("ls", ["-la", "logs", "-R"]),
    { name: "ls", flags: new Set(["l", "a", "R"]), file: "logs" },
  );
  assert.deepEqual(
    parseShellCommand("ls", ["--", "-a"]),
    { name: "ls", flags: new Set(), file: "-a" },
  );
  assert.deepEqual(parseShellCommand("ls", ["./a-b_c.d/"]), {
    name: "ls",
    flags: new Set(),
    file: "./a-b_c.d/",
  });
  // Any file name is listable: the extension rule is for reading.
  assert.deepEqual(parseShellCommand("ls", ["key.pem"]), {
    name: "ls",
    flags: new Set(),
    file: "key.pem",
  });
  refuses("ls", ["-n"], 'ls: unknown option "-n" in "-n"; options are -a -l -t -S -R -u');
  refuses("ls", ["-lax"], 'ls: unknown option "-x" in "-lax"; options are -a -l -t -S -R -u');
  refuses("ls", ["--all"], 'ls: unknown option "--" in "--all"; options are -a -l -t -S -R -u');
  refuses("ls", ["a", "b"], 'ls: takes at most one file, got 2 ("a" "b")');
  refuses("ls", [".."], 'ls: file ".." must be a relative path without ".." segments');
  refuses("ls", ["/etc"], 'ls: file "/etc" must be a relative path, not an absolute one');
  refuses(
    "ls",
    ["a b"],
    'ls: file "a b" may only contain letters, digits, ".", "_", "/" and "-"',
  );
});

Deno.test("parseShellCommand() cat: every option, combined too", () => {
  assert.deepEqual(parseShellCommand("cat", ["a.txt"]), {
    name: "cat",
    flags: new Set(),
    file: "a.txt",
  });
  assert.deepEqual(parseShellCommand("cat", ["-n", "-b", "-s", "-T", "logs/x.log"]), {
    name: "cat",
    flags: new Set(["n", "b", "s", "T"]),
    file: "logs/x.log",
  });
  assert.deepEqual(parseShellCommand("cat", ["-sT", "x.json"]), {
    name: "cat",
    flags: new Set(["s", "T"]),
    file: "x.json",
  });
  for (const ext of [".txt", ".log", ".json", ".csv", ".sh", ".config", ".py", ".ts"]) {
    assert.equal(parseShellCommand("cat", [`d/f${ext}`]).name, "cat");
  }
  refuses("cat", ["-l", "a.txt"], 'cat: unknown option "-l" in "-l"; options are -n -b -s -T');
  refuses("cat", [], "cat: needs exactly one file, got 0 ()");
  refuses("cat", ["a.txt", "b.txt"], 'cat: needs exactly one file, got 2 ("a.txt" "b.txt")');
  refuses("cat", [""], 'cat: file "" must not be empty');
  refuses(
    "cat",
    ["a;b.txt"],
    'cat: file "a;b.txt" may only contain letters, digits, ".", "_", "/" and "-"',
  );
  refuses(
    "cat",
    ["/etc/passwd"],
    'cat: file "/etc/passwd" must be a relative path, not an absolute one',
  );
  refuses(
    "cat",
    ["a/../b.txt"],
    'cat: file "a/../b.txt" must be a relative path without ".." segments',
  );
  refuses(
    "cat",
    ["../x.txt"],
    'cat: file "../x.txt" must be a relative path without ".." segments',
  );
  const allowed = ".txt .log .json .csv .sh .config .py .ts";
  refuses("cat", ["x.bin"], `cat: file "x.bin" must end in one of ${allowed}`);
  refuses(
    "cat",
    ["startup/server.key"],
    `cat: file "startup/server.key" must end in one of ${allowed}`,
  );
  refuses("cat", ["a.txt/"], `cat: file "a.txt/" must end in one of ${allowed}`);
  refuses("cat", ["logs"], `cat: file "logs" must end in one of ${allowed}`);
});

Deno.test("parseShellCommand() head and tail: -n N, -c N, -nN, default 10 lines", () => {
  for (const name of ["head", "tail"] as const) {
    assert.deepEqual(parseShellCommand(name, ["a.txt"]), {
      name,
      unit: "lines",
      count: 10,
      file: "a.txt",
    });
    assert.deepEqual(parseShellCommand(name, ["-n", "3", "a.txt"]), {
      name,
      unit: "lines",
      count: 3,
      file: "a.txt",
    });
    assert.deepEqual(parseShellCommand(name, ["a.txt", "-c", "0"]), {
      name,
      unit: "bytes",
      count: 0,
      file: "a.txt",
    });
    assert.deepEqual(parseShellCommand(name, ["-c10000000", "a.txt"]), {
      name,
      unit: "bytes",
      count: 10_000_000,
      file: "a.txt",
    });
    assert.deepEqual(parseShellCommand(name, ["-n007", "a.txt"]), {
      name,
      unit: "lines",
      count: 7,
      file: "a.txt",
    });
    const range = "a whole number from 0 to 10000000";
    refuses(name, ["-n", "x", "a.txt"], `${name}: -n needs ${range}, got "x"`);
    refuses(name, ["-n", "-1", "a.txt"], `${name}: -n needs ${range}, got "-1"`);
    refuses(name, ["-n", "1.5", "a.txt"], `${name}: -n needs ${range}, got "1.5"`);
    refuses(name, ["-c", "10000001", "a.txt"], `${name}: -c needs ${range}, got "10000001"`);
    refuses(name, ["a.txt", "-n"], `${name}: -n needs ${range}, got nothing`);
    refuses(
      name,
      ["-n", "1", "-c", "2", "a.txt"],
      `${name}: give only one of -c N and -n N, got -n and -c`,
    );
    refuses(name, ["-q", "a.txt"], `${name}: unknown option "-q"; options are -c N and -n N`);
    refuses(name, ["-l", "a.txt"], `${name}: unknown option "-l"; options are -c N and -n N`);
    refuses(name, [], `${name}: needs exactly one file, got 0 ()`);
    refuses(name, ["-n", "2"], `${name}: needs exactly one file, got 0 ()`);
    refuses(name, ["a.txt", "b.txt"], `${name}: needs exactly one file, got 2 ("a.txt" "b.txt")`);
    refuses(
      name,
      ["x.pem"],
      `${name}: file "x.pem" must end in one of .txt .log .json .csv .sh .config .py .ts`,
    );
    refuses(
      name,
      ["../a.txt"],
      `${name}: file "../a.txt" must be a relative path without ".." segments`,
    );
  }
});

Deno.test("parseShellCommand() grep: ECMAScript pattern, every option, -i as the i flag", () => {
  assert.deepEqual(parseShellCommand("grep", ["^a+$", "a.txt"]), {
    name: "grep",
    flags: new Set(),
    pattern: /^a+$/,
    file: "a.txt",
  });
  assert.deepEqual(parseShellCommand("grep", ["-n", "-i", "-b", "Beta", "l.log"]), {
    name: "grep",
    flags: new Set(["n", "i", "b"]),
    pattern: /Beta/i,
    file: "l.log",
  });
  assert.deepEqual(parseShellCommand("grep", ["Beta", "-ni", "l.log"]), {
    name: "grep",
    flags: new Set(["n", "i"]),
    pattern: /Beta/i,
    file: "l.log",
  });
  // `--` lets a pattern start with "-"; an empty pattern matches every line.
  assert.deepEqual(parseShellCommand("grep", ["-n", "--", "-x", "l.log"]), {
    name: "grep",
    flags: new Set(["n"]),
    pattern: /-x/,
    file: "l.log",
  });
  assert.deepEqual(parseShellCommand("grep", ["", "l.log"]), {
    name: "grep",
    flags: new Set(),
    pattern: new RegExp(""),
    file: "l.log",
  });
  assert.equal(parseShellCommand("grep", ["a".repeat(1000), "l.log"]).name, "grep");
  refuses("grep", ["a.txt"], 'grep: needs a pattern and one file, got 1 argument(s) ("a.txt")');
  refuses("grep", [], "grep: needs a pattern and one file, got 0 argument(s) ()");
  refuses(
    "grep",
    ["a", "b.txt", "c.txt"],
    'grep: needs a pattern and one file, got 3 argument(s) ("a" "b.txt" "c.txt")',
  );
  refuses(
    "grep",
    ["(", "a.txt"],
    'grep: pattern "(" is not a valid ECMAScript regular expression: ' +
      "Invalid regular expression: /(/: Unterminated group",
  );
  refuses(
    "grep",
    ["a".repeat(1001), "a.txt"],
    "grep: pattern of 1001 characters is too long; at most 1000",
  );
  refuses("grep", ["-x", "a", "a.txt"], 'grep: unknown option "-x" in "-x"; options are -n -i -b');
  refuses("grep", ["-l", "a", "a.txt"], 'grep: unknown option "-l" in "-l"; options are -n -i -b');
  refuses(
    "grep",
    ["a", "x.bin"],
    'grep: file "x.bin" must end in one of .txt .log .json .csv .sh .config .py .ts',
  );
  refuses(
    "grep",
    ["a", "/etc/passwd"],
    'grep: file "/etc/passwd" must be a relative path, not an absolute one',
  );
  refuses(
    "grep",
    ["a", "a/../b.txt"],
    'grep: file "a/../b.txt" must be a relative path without ".." segments',
  );
  refuses(
    "grep",
    ["a", "$(id).txt"],
    'grep: file "$(id).txt" may only contain letters, digits, ".", "_", "/" and "-"',
  );
});

Deno.test("parseShellCommand() refuses any other command name", () => {
  refuses("rm", ["a.txt"], '"rm" is not a shell command; use one of pwd ls cat head tail grep');
  refuses("LS", [], '"LS" is not a shell command; use one of pwd ls cat head tail grep');
  refuses("", [], '"" is not a shell command; use one of pwd ls cat head tail grep');
});
