import { ShellError } from "./shell_error.ts";

/** Options of `ls`: all, long, by time, by size, recursive, access time. */
export type LsFlag = "a" | "l" | "t" | "S" | "R" | "u";
/** Options of `cat`: number lines, number non-blank lines, squeeze blanks, show tabs. */
export type CatFlag = "n" | "b" | "s" | "T";
/** Options of `grep`: line numbers, ignore case, byte offsets. */
export type GrepFlag = "n" | "i" | "b";

/**
 * A checked shell command, ready to run against a workspace. `file` is the argument as given,
 * relative to the workspace root and already syntax-checked; it is resolved only when run.
 */
export type ShellCommand =
  | { readonly name: "pwd" }
  | { readonly name: "ls"; readonly flags: ReadonlySet<LsFlag>; readonly file: string }
  | { readonly name: "cat"; readonly flags: ReadonlySet<CatFlag>; readonly file: string }
  | {
    readonly name: "head" | "tail";
    readonly unit: "lines" | "bytes";
    readonly count: number;
    readonly file: string;
  }
  | {
    readonly name: "grep";
    readonly flags: ReadonlySet<GrepFlag>;
    readonly pattern: RegExp;
    readonly file: string;
  };

/** The shell commands, in the order of `authorization.md` §6. */
const SHELL_COMMANDS = ["pwd", "ls", "cat", "head", "tail", "grep"] as const;

/** Whether `name` is one of the shell commands (`pwd ls cat head tail grep`). */
export function isShellCommand(name: string): boolean {
  return (SHELL_COMMANDS as readonly string[]).includes(name);
}

const FILE = /^[A-Za-z0-9._/-]*$/;
/** Extensions `cat`, `head`, `tail` and `grep` may read: text, never keys or certificates. */
export const READABLE_EXTENSIONS = [
  ".txt",
  ".log",
  ".json",
  ".csv",
  ".sh",
  ".config",
  ".py",
  ".ts",
] as const;
/** Largest N of `head`/`tail -c N | -n N`. */
const MAX_COUNT = 10_000_000;
/** Longest `grep` pattern, in UTF-16 code units: bounds the cost of compiling it. */
const MAX_PATTERN_LENGTH = 1000;
const DEFAULT_COUNT = 10;

const LS_FLAGS: readonly LsFlag[] = ["a", "l", "t", "S", "R", "u"];
const CAT_FLAGS: readonly CatFlag[] = ["n", "b", "s", "T"];
const GREP_FLAGS: readonly GrepFlag[] = ["n", "i", "b"];

const bad = (message: string) => new ShellError("BAD_COMMAND_ARGS", message);

/** Whether `file` ends in an extension `cat`, `head`, `tail` and `grep` may read. */
export function hasReadableExtension(file: string): boolean {
  return READABLE_EXTENSIONS.some((e) => file.endsWith(e));
}

/** Checks a file argument by the rules of §6 that need no file system. */
function checkFile(command: string, file: string, readable: boolean): string {
  if (!FILE.test(file)) {
    throw bad(
      `${command}: file "${file}" may only contain letters, digits, ".", "_", "/" and "-"`,
    );
  }
  if (file.startsWith("/")) {
    throw bad(`${command}: file "${file}" must be a relative path, not an absolute one`);
  }
  if (file.split("/").includes("..")) {
    throw bad(`${command}: file "${file}" must be a relative path without ".." segments`);
  }
  if (readable && file === "") throw bad(`${command}: file "" must not be empty`);
  if (readable && !hasReadableExtension(file)) {
    throw bad(`${command}: file "${file}" must end in one of ${READABLE_EXTENSIONS.join(" ")}`);
  }
  return file;
}

/**
 * Splits arguments into option letters and operands, GNU style: options may come anywhere, short
 * options combine (`-la`), `--` ends the options (so a grep pattern may start with `-`), and a lone
 * `-` is an operand. Every letter must be one of `allowed`.
 */
function splitFlags<F extends string>(
  command: string,
  args: readonly string[],
  allowed: readonly F[],
): { flags: Set<F>; operands: string[] } {
  const flags = new Set<F>();
  const operands: string[] = [];
  let options = true;
  for (const arg of args) {
    if (options && arg === "--") options = false;
    else if (options && arg.startsWith("-") && arg.length > 1) {
      for (const letter of arg.slice(1)) {
        if (!(allowed as readonly string[]).includes(letter)) {
          throw bad(
            `${command}: unknown option "-${letter}" in "${arg}"; options are ${
              allowed.map((a) => `-${a}`).join(" ")
            }`,
          );
        }
        flags.add(letter as F);
      }
    } else operands.push(arg);
  }
  return { flags, operands };
}

const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(" ");

/** `head`/`tail [-c N | -n N] file`; `-nN` and `-cN` are accepted too. */
function parseHeadTail(name: "head" | "tail", args: readonly string[]): ShellCommand {
  let unit: "lines" | "bytes" = "lines";
  let count = DEFAULT_COUNT;
  let given: string | undefined;
  const operands: string[] = [];
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (options && arg === "--") {
      options = false;
      continue;
    }
    if (!options || !arg.startsWith("-") || arg.length === 1) {
      operands.push(arg);
      continue;
    }
    const option = arg.slice(0, 2);
    if (option !== "-n" && option !== "-c") {
      throw bad(`${name}: unknown option "${arg}"; options are -c N and -n N`);
    }
    if (given !== undefined) {
      throw bad(`${name}: give only one of -c N and -n N, got ${given} and ${option}`);
    }
    given = option;
    const value = arg.length > 2 ? arg.slice(2) : args[++i];
    if (value === undefined || !/^\d+$/.test(value) || Number(value) > MAX_COUNT) {
      throw bad(
        `${name}: ${option} needs a whole number from 0 to ${MAX_COUNT}, got ${
          value === undefined ? "nothing" : `"${value}"`
        }`,
      );
    }
    unit = option === "-n" ? "lines" : "bytes";
    count = Number(value);
  }
  if (operands.length !== 1) {
    throw bad(`${name}: needs exactly one file, got ${operands.length} (${quoted(operands)})`);
  }
  return { name, unit, count, file: checkFile(name, operands[0]!, true) };
}

/**
 * Checks a shell command's arguments (`authorization.md` §6) without touching the file system:
 * `ls [-a -l -t -S -R -u] [file]`, `cat [-n -b -s -T] file`, `head|tail [-c N | -n N] file`,
 * `grep [-n -i -b] pattern file`, `pwd`. Runs before authorization, so every refusal is a
 * `ShellError` `BAD_COMMAND_ARGS` naming the command, the argument, its value and what is allowed.
 * A grep pattern is an ECMAScript RegExp (`-i` adds the `i` flag); an empty one matches every line.
 */
export function parseShellCommand(name: string, args: readonly string[]): ShellCommand {
  switch (name) {
    case "pwd":
      if (args.length > 0) throw bad(`pwd: takes no arguments, got ${quoted(args)}`);
      return { name };
    case "ls": {
      const { flags, operands } = splitFlags(name, args, LS_FLAGS);
      if (operands.length > 1) {
        throw bad(`ls: takes at most one file, got ${operands.length} (${quoted(operands)})`);
      }
      // No file, or an empty one, lists the workspace root.
      return { name, flags, file: checkFile(name, operands[0] ?? ".", false) || "." };
    }
    case "cat": {
      const { flags, operands } = splitFlags(name, args, CAT_FLAGS);
      if (operands.length !== 1) {
        throw bad(`cat: needs exactly one file, got ${operands.length} (${quoted(operands)})`);
      }
      return { name, flags, file: checkFile(name, operands[0]!, true) };
    }
    case "head":
    case "tail":
      return parseHeadTail(name, args);
    case "grep": {
      const { flags, operands } = splitFlags(name, args, GREP_FLAGS);
      if (operands.length !== 2) {
        throw bad(
          `grep: needs a pattern and one file, got ${operands.length} argument(s) (${
            quoted(operands)
          })`,
        );
      }
      const source = operands[0]!;
      if (source.length > MAX_PATTERN_LENGTH) {
        throw bad(
          `grep: pattern of ${source.length} characters is too long; at most ${MAX_PATTERN_LENGTH}`,
        );
      }
      const file = checkFile(name, operands[1]!, true);
      let pattern: RegExp;
      try {
        pattern = new RegExp(source, flags.has("i") ? "i" : "");
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw bad(`grep: pattern "${source}" is not a valid ECMAScript regular expression: ${why}`);
      }
      return { name, flags, pattern, file };
    }
    default:
      throw bad(`"${name}" is not a shell command; use one of ${SHELL_COMMANDS.join(" ")}`);
  }
}
