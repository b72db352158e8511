import {
  hasReadableExtension,
  type LsFlag,
  READABLE_EXTENSIONS,
  type ShellCommand,
} from "./parse_shell_command.ts";
import { grepInWorker } from "./grep_in_worker.ts";
import { splitLines } from "./grep_lines.ts";
import { ShellError } from "./shell_error.ts";

/** Largest file any command reads: bounds the memory one console command can take. */
const MAX_BYTES = 16 * 1024 * 1024;
/** Most entries one `ls` lists (all levels of `-R` together). */
const MAX_ENTRIES = 10_000;
/** Entries stat'ed at once by `ls`: a big folder lists fast without a burst of open requests. */
const LSTAT_BATCH = 64;

/** How long one grep may match before it is stopped and refused. */
const GREP_TIME_MS = 5_000;

const bad = (message: string) => new ShellError("BAD_COMMAND_ARGS", message);

/** Whether the real path `real` is `root` or below it (`root` is a real path too). */
function isInside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/**
 * The real path of `path` (symlinks resolved), refused when it lies outside `root`. `file` is
 * the name the user gave, the only one messages show.
 */
async function resolveInside(
  command: string,
  root: string,
  path: string,
  file: string,
): Promise<string> {
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      throw new ShellError(
        "FILE_NOT_FOUND",
        `${command}: "${file}" does not exist in the workspace`,
      );
    }
    if (err instanceof Deno.errors.FilesystemLoop) {
      throw bad(`${command}: file "${file}" cannot be resolved: too many levels of symbolic links`);
    }
    throw err;
  }
  if (!isInside(root, real)) {
    throw bad(`${command}: file "${file}" resolves outside the workspace`);
  }
  return real;
}

/**
 * The bytes of a regular file inside the workspace. The target's own name must carry a readable
 * extension too, so a symlink `x.txt` cannot expose a key kept inside the workspace. The file is
 * opened and then checked to be the very inode that was resolved and stat'ed inside the root, and
 * it is read through that handle with a cap, so a file swapped or grown after the checks is refused
 * rather than read. (Deno has no `openat`/`O_NOFOLLOW`: a component swapped for a symlink between
 * `realPath` and `stat` is the residual race; only someone who can write the workspace can try.)
 */
async function readInside(command: string, root: string, file: string): Promise<Uint8Array> {
  const real = await resolveInside(command, root, `${root}/${file}`, file);
  const info = await Deno.stat(real);
  if (info.isDirectory) throw bad(`${command}: file "${file}" is a directory`);
  if (!info.isFile) throw bad(`${command}: file "${file}" is not a regular file`);
  if (!hasReadableExtension(real)) {
    throw bad(
      `${command}: file "${file}" resolves to "${real.slice(root.length).replace(/^\/+/, "")}", ` +
        `which does not end in one of ${READABLE_EXTENSIONS.join(" ")}`,
    );
  }
  const tooLarge = (size: number) =>
    new ShellError(
      "TOO_LARGE",
      `${command}: file "${file}" has ${size} bytes; at most ${MAX_BYTES} (16 MiB) are read`,
    );
  if (info.size > MAX_BYTES) throw tooLarge(info.size);
  using handle = await Deno.open(real, { read: true });
  const opened = await handle.stat();
  if (!opened.isFile || opened.dev !== info.dev || opened.ino !== info.ino) {
    throw bad(`${command}: file "${file}" changed while it was being opened`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const buffer = new Uint8Array(64 * 1024);
  for (let n = await handle.read(buffer); n !== null; n = await handle.read(buffer)) {
    total += n;
    if (total > MAX_BYTES) throw tooLarge(total);
    chunks.push(buffer.slice(0, n));
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

interface Entry {
  name: string;
  info: Deno.FileInfo;
}

const byName = (a: Entry, b: Entry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The time `ls` sorts by (`-t`) and shows (`-l`): access time under `-u`, else modification. */
const shownTime = (e: Entry, flags: ReadonlySet<LsFlag>) =>
  (flags.has("u") ? e.info.atime : e.info.mtime) ?? null;

/** Names in code-unit order (as `LC_ALL=C ls`); `-t` newest first, else `-S` largest first. */
function sortEntries(entries: Entry[], flags: ReadonlySet<LsFlag>): Entry[] {
  const time = (e: Entry) => shownTime(e, flags)?.getTime() ?? 0;
  return entries.sort((a, b) =>
    flags.has("t")
      ? time(b) - time(a) || byName(a, b)
      : flags.has("S")
      ? b.info.size - a.info.size || byName(a, b)
      : byName(a, b)
  );
}

function typeChar(info: Deno.FileInfo): string {
  if (info.isDirectory) return "d";
  if (info.isSymlink) return "l";
  if (info.isFifo) return "p";
  if (info.isSocket) return "s";
  if (info.isBlockDevice) return "b";
  if (info.isCharDevice) return "c";
  return "-";
}

/** `name`, or under `-l`: type, size, time (ISO 8601, UTC) and name; link targets are not shown. */
function formatEntry(e: Entry, flags: ReadonlySet<LsFlag>): string {
  if (!flags.has("l")) return e.name;
  const time = shownTime(e, flags)?.toISOString() ?? "-";
  return `${typeChar(e.info)} ${String(e.info.size).padStart(10)} ${time} ${e.name}`;
}

/** `ls`: a file lists just itself; a directory its entries, and under `-R` its subfolders too. */
async function list(
  root: string,
  file: string,
  flags: ReadonlySet<LsFlag>,
  maxEntries: number,
): Promise<string> {
  const real = await resolveInside("ls", root, `${root}/${file}`, file);
  const info = await Deno.stat(real);
  if (!info.isDirectory) return formatEntry({ name: file, info }, flags);
  const out: string[] = [];
  let count = 0;
  const listDir = async (dir: string, label: string): Promise<void> => {
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) {
      if (!flags.has("a") && e.name.startsWith(".")) continue;
      if (++count > maxEntries) break;
      names.push(e.name);
    }
    const entries: Entry[] = [];
    for (let i = 0; i < names.length; i += LSTAT_BATCH) {
      const batch = await Promise.all(
        names.slice(i, i + LSTAT_BATCH).map(async (name) => {
          try {
            return { name, info: await Deno.lstat(`${dir}/${name}`) };
          } catch (err) {
            // Removed since it was read (a rotated log): not listed.
            if (err instanceof Deno.errors.NotFound) return undefined;
            throw err;
          }
        }),
      );
      for (const e of batch) if (e) entries.push(e);
    }
    sortEntries(entries, flags);
    if (flags.has("R")) out.push(`${label}:`);
    out.push(...entries.map((e) => formatEntry(e, flags)));
    if (!flags.has("R")) return;
    // Symlinked folders are listed, not entered; a folder swapped for a link meanwhile is
    // resolved again and refused if it now leads out.
    for (const e of entries) {
      if (!e.info.isDirectory || count > maxEntries) continue;
      const sub = `${label}/${e.name}`;
      out.push("");
      await listDir(await resolveInside("ls", root, `${dir}/${e.name}`, sub), sub);
    }
  };
  await listDir(real, file.replace(/\/+$/, "") || ".");
  if (count > maxEntries) out.push(`ls: listing stopped after ${maxEntries} entries`);
  return out.join("\n");
}

/** `cat`: `-n` numbers every line, `-b` only non-blank ones (and wins), as `%6d\t`. */
function cat(text: string, flags: ReadonlySet<string>): string {
  const out: string[] = [];
  let n = 0;
  let previousBlank = false;
  for (let line of splitLines(text)) {
    const blank = line === "";
    if (flags.has("s") && blank && previousBlank) continue;
    previousBlank = blank;
    if (flags.has("T")) line = line.replaceAll("\t", "^I");
    if (flags.has("b") ? !blank : flags.has("n")) line = `${String(++n).padStart(6)}\t${line}`;
    out.push(line);
  }
  return out.join("\n");
}

/**
 * Runs a checked shell command read-only inside `root` (`authorization.md` §6), in TypeScript:
 * no shell or process is started and nothing is written. Every path is resolved after symlinks
 * and refused (`BAD_COMMAND_ARGS`) outside the root's real path; a missing one is
 * `FILE_NOT_FOUND`, named as the user gave it; reads over 16 MiB are `TOO_LARGE`; folders and
 * other non-regular files given to `cat`/`head`/`tail`/`grep` are `BAD_COMMAND_ARGS`.
 *
 * `pwd` answers `/`: the workspace root as the user sees it (every file argument is relative to
 * it), so the site's real layout does not leak. Outputs carry no final newline; decoding is
 * UTF-8 with U+FFFD for invalid bytes. `ls -a` shows dotfiles but not `.` and `..`. A grep
 * runs in a worker and is stopped after `grepTimeMs` (default 5 s), refused with `BAD_COMMAND_ARGS`;
 * `ls` lists at most `lsMaxEntries` (default 10,000) entries, `-R` levels together.
 */
export async function runShellCommand(
  root: string,
  command: ShellCommand,
  options: { grepTimeMs?: number; lsMaxEntries?: number } = {},
): Promise<string> {
  const realRoot = await Deno.realPath(root);
  switch (command.name) {
    case "pwd":
      return "/";
    case "ls":
      return await list(realRoot, command.file, command.flags, options.lsMaxEntries ?? MAX_ENTRIES);
    case "cat":
      return cat(
        new TextDecoder().decode(await readInside("cat", realRoot, command.file)),
        command.flags,
      );
    case "head":
    case "tail": {
      const bytes = await readInside(command.name, realRoot, command.file);
      const { count } = command;
      if (command.unit === "bytes") {
        const part = command.name === "head"
          ? bytes.subarray(0, count)
          : bytes.subarray(Math.max(0, bytes.length - count));
        return new TextDecoder().decode(part);
      }
      const all = splitLines(new TextDecoder().decode(bytes));
      const part = command.name === "head"
        ? all.slice(0, count)
        : all.slice(Math.max(0, all.length - count));
      return part.join("\n");
    }
    case "grep":
      return await grepInWorker(
        await readInside("grep", realRoot, command.file),
        command.pattern,
        command.flags,
        command.file,
        options.grepTimeMs ?? GREP_TIME_MS,
      );
  }
}
