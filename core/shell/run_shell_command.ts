import type { ShellCommand } from "./parse_shell_command.ts";
import { ShellError } from "./shell_error.ts";

const MAX_BYTES = 16 * 1024 * 1024;
const MAX_ENTRIES = 10_000;

/** The real path of `file` under `root`, refused when it resolves (symlinks too) outside it. */
async function resolveInside(root: string, file: string): Promise<string> {
  let real: string;
  try {
    real = await Deno.realPath(`${root}/${file}`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ShellError("FILE_NOT_FOUND", `"${file}" does not exist in the workspace`);
    }
    throw err;
  }
  if (real !== root && !real.startsWith(`${root}/`)) {
    throw new ShellError("BAD_COMMAND_ARGS", `"${file}" resolves outside the workspace`);
  }
  return real;
}

async function readText(root: string, file: string): Promise<{ text: string; bytes: Uint8Array }> {
  const path = await resolveInside(root, file);
  const info = await Deno.stat(path);
  if (!info.isFile) throw new ShellError("BAD_COMMAND_ARGS", `"${file}" is not a regular file`);
  if (info.size > MAX_BYTES) {
    throw new ShellError("TOO_LARGE", `"${file}" has ${info.size} bytes, over ${MAX_BYTES}`);
  }
  const bytes = await Deno.readFile(path);
  return { text: new TextDecoder().decode(bytes), bytes };
}

/** Lines of a text without the empty string after a final newline. */
function lines(text: string): string[] {
  const out = text.split("\n");
  if (out.at(-1) === "") out.pop();
  return out;
}

interface Entry {
  name: string;
  info: Deno.FileInfo;
}

function sortEntries(entries: Entry[], flags: Set<string>): Entry[] {
  const time = (e: Entry) => (flags.has("u") ? e.info.atime : e.info.mtime)?.getTime() ?? 0;
  return entries.sort((a, b) =>
    flags.has("t")
      ? time(b) - time(a) || (a.name < b.name ? -1 : 1)
      : flags.has("S")
      ? b.info.size - a.info.size || (a.name < b.name ? -1 : 1)
      : a.name < b.name
      ? -1
      : a.name > b.name
      ? 1
      : 0
  );
}

function formatEntry(e: Entry, long: boolean): string {
  if (!long) return e.name;
  const type = e.info.isDirectory ? "d" : e.info.isSymlink ? "l" : "-";
  const mtime = e.info.mtime?.toISOString() ?? "-";
  return `${type} ${String(e.info.size).padStart(10)} ${mtime} ${e.name}`;
}

/**
 * Runs a checked shell command read-only inside `root` (`authorization.md` §6): every path is
 * resolved after symlinks and refused (`BAD_COMMAND_ARGS`) outside the root; files over 16 MiB
 * are refused (`TOO_LARGE`); nothing is ever written and no process is started. `pwd` answers
 * `/`, the workspace root as the user sees it, so the site's real layout does not leak.
 */
export async function runShellCommand(root: string, command: ShellCommand): Promise<string> {
  const realRoot = await Deno.realPath(root);
  switch (command.name) {
    case "pwd":
      return "/";
    case "ls": {
      const path = await resolveInside(realRoot, command.file);
      const info = await Deno.stat(path);
      const long = command.flags.has("l");
      if (!info.isDirectory) return formatEntry({ name: command.file, info }, long);
      const out: string[] = [];
      let count = 0;
      const list = async (dir: string, label: string): Promise<void> => {
        const entries: Entry[] = [];
        for await (const e of Deno.readDir(dir)) {
          if (!command.flags.has("a") && e.name.startsWith(".")) continue;
          if (++count > MAX_ENTRIES) break;
          entries.push({ name: e.name, info: await Deno.lstat(`${dir}/${e.name}`) });
        }
        sortEntries(entries, command.flags);
        if (command.flags.has("R")) out.push(`${label}:`);
        out.push(...entries.map((e) => formatEntry(e, long)));
        if (!command.flags.has("R")) return;
        for (const e of entries) {
          if (e.info.isDirectory && count <= MAX_ENTRIES) {
            out.push("");
            await list(`${dir}/${e.name}`, `${label}/${e.name}`);
          }
        }
      };
      await list(path, command.file.replace(/\/+$/, "") || ".");
      if (count > MAX_ENTRIES) out.push(`(listing stopped after ${MAX_ENTRIES} entries)`);
      return out.join("\n");
    }
    case "cat": {
      const { text } = await readText(realRoot, command.file);
      const f = command.flags;
      const out: string[] = [];
      let n = 0;
      let blank = false;
      for (let line of lines(text)) {
        const isBlank = line === "";
        if (f.has("s") && isBlank && blank) continue;
        blank = isBlank;
        if (f.has("T")) line = line.replaceAll("\t", "^I");
        if (f.has("b") ? !isBlank : f.has("n")) line = `${String(++n).padStart(6)}\t${line}`;
        out.push(line);
      }
      return out.join("\n");
    }
    case "head":
    case "tail": {
      const { text, bytes } = await readText(realRoot, command.file);
      if (command.unit === "bytes") {
        const part = command.name === "head"
          ? bytes.subarray(0, command.count)
          : bytes.subarray(Math.max(0, bytes.length - command.count));
        return new TextDecoder().decode(part);
      }
      const all = lines(text);
      return (command.name === "head"
        ? all.slice(0, command.count)
        : all.slice(Math.max(0, all.length - command.count))).join("\n");
    }
    case "grep": {
      const { text } = await readText(realRoot, command.file);
      const out: string[] = [];
      let offset = 0;
      const encoder = new TextEncoder();
      lines(text).forEach((line, i) => {
        if (command.pattern.test(line)) {
          out.push(
            (command.flags.has("n") ? `${i + 1}:` : "") +
              (command.flags.has("b") ? `${offset}:` : "") + line,
          );
        }
        offset += encoder.encode(line).length + 1;
      });
      return out.join("\n");
    }
  }
}
