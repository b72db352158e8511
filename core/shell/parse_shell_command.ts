import { ShellError } from "./shell_error.ts";

/** A checked shell command, ready to run against a workspace. */
export type ShellCommand =
  | { name: "pwd" }
  | { name: "ls"; flags: Set<"a" | "l" | "t" | "S" | "R" | "u">; file: string }
  | { name: "cat"; flags: Set<"n" | "b" | "s" | "T">; file: string }
  | { name: "head" | "tail"; unit: "lines" | "bytes"; count: number; file: string }
  | { name: "grep"; flags: Set<"n" | "i" | "b">; pattern: RegExp; file: string };

const FILE = /^[A-Za-z0-9._/-]*$/;
const READABLE = [".txt", ".log", ".json", ".csv", ".sh", ".config", ".py", ".ts"];
const MAX_COUNT = 10_000_000;

const bad = (message: string) => new ShellError("BAD_COMMAND_ARGS", message);

/** Checks a file argument by the rules of §6 that need no file system. */
function checkFile(command: string, file: string, readable: boolean): string {
  if (!FILE.test(file)) {
    throw bad(`${command}: file "${file}" may only contain letters, digits, ".", "_", "/" and "-"`);
  }
  if (file.startsWith("/")) throw bad(`${command}: file "${file}" must be a relative path`);
  if (file.split("/").includes("..")) {
    throw bad(`${command}: file "${file}" must be a relative path without ".." segments`);
  }
  if (readable && !READABLE.some((e) => file.endsWith(e))) {
    throw bad(`${command}: file "${file}" must end in one of ${READABLE.join(" ")}`);
  }
  return file;
}

/** Splits `-la` into `l`, `a`; every letter must be one of `allowed`. */
function flags<F extends string>(command: string, arg: string, allowed: readonly F[]): F[] {
  const letters = [...arg.slice(1)];
  if (letters.length === 0 || letters.some((l) => !allowed.includes(l as F))) {
    throw bad(
      `${command}: unknown option "${arg}"; options are ${allowed.map((a) => `-${a}`).join(" ")}`,
    );
  }
  return letters as F[];
}

/**
 * Checks a shell command's arguments (`authorization.md` §6) without touching the file system:
 * `ls [-a -l -t -S -R -u] [file]`, `cat [-n -b -s -T] file`, `head|tail [-c N | -n N] file`,
 * `grep [-n -i -b] pattern file`, `pwd`. Throws `BAD_COMMAND_ARGS` naming the command, the
 * argument and what is allowed; the caller then refuses before any authorization.
 */
export function parseShellCommand(name: string, args: readonly string[]): ShellCommand {
  const positional: string[] = [];
  switch (name) {
    case "pwd":
      if (args.length > 0) throw bad(`pwd takes no arguments, got "${args.join(" ")}"`);
      return { name };
    case "ls":
    case "cat":
    case "grep": {
      const allowed = name === "ls"
        ? (["a", "l", "t", "S", "R", "u"] as const)
        : name === "cat"
        ? (["n", "b", "s", "T"] as const)
        : (["n", "i", "b"] as const);
      const set = new Set<string>();
      for (const a of args) {
        if (a.startsWith("-") && a.length > 1 && positional.length === 0) {
          flags(name, a, allowed as readonly string[]).forEach((f) => set.add(f));
        } else positional.push(a);
      }
      if (name === "ls") {
        if (positional.length > 1) throw bad(`ls takes at most one file, got ${positional.length}`);
        return {
          name,
          flags: set as Set<"a" | "l" | "t" | "S" | "R" | "u">,
          file: checkFile("ls", positional[0] ?? ".", false) || ".",
        };
      }
      if (name === "cat") {
        if (positional.length !== 1) throw bad(`cat needs exactly one file`);
        return {
          name,
          flags: set as Set<"n" | "b" | "s" | "T">,
          file: checkFile("cat", positional[0]!, true),
        };
      }
      if (positional.length !== 2) throw bad(`grep needs a pattern and one file`);
      const source = positional[0]!;
      if (source.length === 0 || source.length > 1000) {
        throw bad(`grep: the pattern must have 1 to 1000 characters`);
      }
      let pattern: RegExp;
      try {
        pattern = new RegExp(source, set.has("i") ? "i" : "");
      } catch (err) {
        throw bad(
          `grep: pattern "${source}" is not a valid regular expression: ${(err as Error).message}`,
        );
      }
      return {
        name,
        flags: set as Set<"n" | "i" | "b">,
        pattern,
        file: checkFile("grep", positional[1]!, true),
      };
    }
    case "head":
    case "tail": {
      let unit: "lines" | "bytes" = "lines";
      let count = 10;
      let seen = false;
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === "-n" || a === "-c") {
          if (seen) throw bad(`${name}: give only one of -c N and -n N`);
          seen = true;
          const n = args[++i];
          if (n === undefined || !/^\d+$/.test(n) || Number(n) > MAX_COUNT) {
            throw bad(
              `${name}: ${a} needs a whole number from 0 to ${MAX_COUNT}, got "${n ?? ""}"`,
            );
          }
          unit = a === "-n" ? "lines" : "bytes";
          count = Number(n);
        } else if (a.startsWith("-") && a.length > 1) {
          throw bad(`${name}: unknown option "${a}"; options are -c N and -n N`);
        } else positional.push(a);
      }
      if (positional.length !== 1) throw bad(`${name} needs exactly one file`);
      return { name, unit, count, file: checkFile(name, positional[0]!, true) };
    }
    default:
      throw bad(`"${name}" is not a shell command; use pwd, ls, cat, head, tail or grep`);
  }
}
