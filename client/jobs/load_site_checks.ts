import type { ComponentEntry } from "../../core/resources/mod.ts";
import type { SiteCheck } from "./deployer.ts";

/**
 * Loads the site's own component checks (`jobs.md` §7.2): each `resources.json` entry
 * `{"id", "path": "<module>.<Export>", "args"}` names an exported function of
 * `local/custom/<module>.ts`, the site operator's code, which runs in the site process. The
 * function receives the check input and the entry's `args` and returns `true` (or nothing, or
 * `{allow: true}`) to allow, `{reason}` to reject. A missing file or export stops the site.
 */
export async function loadSiteChecks(
  kitDir: string,
  entries: readonly ComponentEntry[],
): Promise<{ entry: ComponentEntry; check: SiteCheck }[]> {
  const out: { entry: ComponentEntry; check: SiteCheck }[] = [];
  for (const entry of entries) {
    const dot = entry.path.lastIndexOf(".");
    const module = entry.path.slice(0, dot);
    const name = entry.path.slice(dot + 1);
    if (dot <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(module)) {
      throw new TypeError(
        `Component check "${entry.id}" in local/resources.json: path "${entry.path}" must be <module>.<Export> of a file in local/custom/`,
      );
    }
    const file = `${kitDir}/local/custom/${module}.ts`;
    let mod: Record<string, unknown>;
    try {
      mod = await import(new URL(`file://${file}`).href);
    } catch (err) {
      throw new TypeError(
        `Component check "${entry.id}": cannot load ${file}: ${
          err instanceof Error ? err.message : err
        }`,
      );
    }
    const check = mod[name];
    if (typeof check !== "function") {
      throw new TypeError(`Component check "${entry.id}": ${file} exports no function "${name}"`);
    }
    out.push({ entry, check: check as SiteCheck });
  }
  return out;
}
