import { fileURLToPath as fromFileUrl } from "node:url";

/** Why a job's code may not run (the module graph reaches outside what it may read). */
export interface ModuleGraphRefusal {
  specifier: string;
  reason: string;
}

/**
 * Refuses job code that could read past its sandbox through the module loader. Deno 2.9.5 loads
 * modules (JSON included) without applying `--allow-read`: a literal `import … from
 * "file:///other/site/data.json" with { type: "json" }` succeeds in a process that may not read
 * that file, and so does `import()` of a `data:` module that imports it. With code generation
 * from strings disabled and blob URLs and workers removed (the hosts do both), every import must
 * appear in the job's own sources. So: every module of the graph must lie under `allowedRoots`,
 * and no job source (under `jobRoots`) may contain a dynamic `import(`.
 *
 * Runs `deno info --json` on the entry module (requires `--allow-run` of `Deno.execPath()` and read
 * access to the job folder). Returns the refusals; empty means the code may run.
 */
export async function checkModuleGraph(
  entry: string,
  options: { allowedRoots: string[]; jobRoots: string[] },
): Promise<ModuleGraphRefusal[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "info",
      "--json",
      "--no-config",
      "--no-lock",
      "--no-remote",
      "--no-npm",
      `file://${entry}`,
    ],
    clearEnv: true,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-2).join(" ");
    return [{ specifier: `file://${entry}`, reason: `cannot load the module graph: ${why}` }];
  }
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules?: { specifier: string; error?: string }[];
  };
  const within = (path: string, roots: string[]) =>
    roots.some((r) => path === r || path.startsWith(r.endsWith("/") ? r : `${r}/`));
  const refusals: ModuleGraphRefusal[] = [];
  for (const m of info.modules ?? []) {
    if (!m.specifier.startsWith("file://")) {
      refusals.push({ specifier: m.specifier, reason: "only local modules may be imported" });
      continue;
    }
    const path = fromFileUrl(m.specifier);
    if (!within(path, options.allowedRoots)) {
      refusals.push({
        specifier: m.specifier,
        reason: "imports a module outside the job's folder",
      });
      continue;
    }
    if (m.error) {
      refusals.push({ specifier: m.specifier, reason: `cannot load the module graph: ${m.error}` });
      continue;
    }
    if (within(path, options.jobRoots) && /\.[cm]?[jt]sx?$/.test(path)) {
      const source = await Deno.readTextFile(path);
      // Strict on purpose: a false positive refuses a job, a miss would open the box.
      if (/\bimport\s*\(/.test(source)) {
        refusals.push({
          specifier: m.specifier,
          reason: "uses dynamic import(), which jobs may not",
        });
      }
    }
  }
  return refusals;
}
