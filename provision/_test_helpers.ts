// Helpers for provision/ tests.
import { fileURLToPath } from "node:url";

/** Absolute path of a file under examples/projects/. */
export const example = (rel: string): string =>
  fileURLToPath(new URL(`../examples/projects/${rel}`, import.meta.url));

/** Cheap scrypt for archive tests (the spec's cost is the default everywhere else). */
export const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

/** Runs `fn` with a fresh temp folder that is removed afterwards. */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "stockade_prov_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Reads a JSON file. */
export async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await Deno.readTextFile(path));
}

/** Every file under `dir` (relative path → bytes). */
export async function snapshot(dir: string, prefix = ""): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(`${dir}${prefix}`)) {
    const rel = `${prefix}/${e.name}`;
    if (e.isDirectory) { for (const [k, v] of await snapshot(dir, rel)) out.set(k, v); }
    else out.set(rel, await Deno.readFile(`${dir}${rel}`));
  }
  return out;
}
