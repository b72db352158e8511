import { fileURLToPath as fromFileUrl } from "node:url";

/** Why a job's code may not run (the module graph reaches outside what it may read). */
export interface ModuleGraphRefusal {
  specifier: string;
  reason: string;
}

/**
 * An early, explainable refusal of job code whose module graph leaves its folder (and the
 * runtime's own modules): such an import would fail anyway at run time, where Deno checks read
 * permission for every module the job loads, but this way the site refuses the job at deployment
 * with the offending import named, before any executor starts.
 *
 * Why the hosts load job code with a computed specifier: Deno builds the entry script's initial
 * module graph (static imports and statically analysable dynamic imports, template prefixes
 * included) before permissions apply, so only modules loaded at run time are checked.
 *
 * Runs `deno info --json` on the entry module (requires `--allow-run` of `Deno.execPath()` and read
 * access to the job folder). Returns the refusals; empty means the code may run.
 */
export async function checkModuleGraph(
  entry: string,
  options: { allowedRoots: string[] },
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
    }
  }
  return refusals;
}
