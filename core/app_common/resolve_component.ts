/** The built-in components and the module that implements each. */
const BUILT_INS: Readonly<Record<string, string>> = Object.freeze({
  "stockade.app_common.workflows.ScatterAndGather": "./scatter_and_gather.ts",
  "stockade.app_common.executors.AddOneTrainer": "./add_one_trainer.ts",
  "stockade.app_common.executors.LogRegTrainer": "./logreg_trainer.ts",
});

/** NVFlare's names for the same components (`jobs.md` §1: its configs work unchanged). */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  "nvflare.app_common.workflows.scatter_and_gather.ScatterAndGather":
    "stockade.app_common.workflows.ScatterAndGather",
});

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** Where a component's code lives: a module file and the export to call. */
export interface ResolvedComponent {
  /** Absolute path of the module. */
  module: string;
  /** `default`, or the named export. */
  export: string;
  /** Whether the code comes from the job's `custom/` folder (BYOC). */
  custom: boolean;
}

/**
 * Resolves a component path of an app config (`{"path": …}`) to code. `<module>.<Export>` names an
 * export of `<app>/custom/<module>.ts` when that file exists (the job's own code, which needs the
 * `byoc` right and runs only inside the sandbox); otherwise the path must be a built-in or one of
 * its NVFlare aliases. Throws `TypeError` naming the path otherwise.
 */
export async function resolveComponent(path: string, appDir: string): Promise<ResolvedComponent> {
  if (!PATH.test(path)) throw new TypeError(`Component path "${path}" is not a dotted name`);
  const dot = path.lastIndexOf(".");
  const moduleName = path.slice(0, dot);
  const exportName = path.slice(dot + 1);
  if (!moduleName.includes(".")) {
    const file = `${appDir}/custom/${moduleName}.ts`;
    try {
      const info = await Deno.lstat(file);
      if (info.isFile) return { module: file, export: exportName, custom: true };
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  const canonical = ALIASES[path] ?? path;
  const rel = BUILT_INS[canonical];
  if (rel === undefined) {
    throw new TypeError(
      `Component "${path}" is neither a built-in nor a module in the app's custom/ folder`,
    );
  }
  return { module: new URL(rel, import.meta.url).pathname, export: "default", custom: false };
}
