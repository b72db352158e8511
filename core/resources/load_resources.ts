import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { findPolicyFile } from "../kit/mod.ts";
import { parseResources, type SiteResources } from "./parse_resources.ts";
import { ResourceError } from "./resource_error.ts";

/**
 * Loads a site's `local/resources.{json,yaml,yml}` (else `resources.json.default`) and parses it;
 * `sha256` of the file bytes is for the `_policy_load` audit event.
 * Site checks are the component paths whose module is in `local/custom/`. Requires read access to
 * the kit. Throws `ResourceError` (or the kit error for an ambiguous policy) naming the file.
 */
export async function loadResources(
  kitDir: string,
  role: "client" | "server",
): Promise<SiteResources & { file: string; sha256: string }> {
  const path = await findPolicyFile(kitDir, "resources");
  if (path === undefined) {
    throw new ResourceError(
      "RESOURCES_INVALID",
      `Kit "${kitDir}" has no local/resources.json or its default`,
    );
  }
  const file = path.slice(kitDir.length + 1);
  let value: unknown;
  let sha256 = "";
  try {
    const bytes = await Deno.readFile(path);
    sha256 = createHash("sha256").update(bytes).digest("hex");
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    value = /\.ya?ml$/.test(path)
      ? parseYaml(text, { schema: "core", uniqueKeys: true })
      : JSON.parse(text);
  } catch (err) {
    throw new ResourceError(
      "RESOURCES_INVALID",
      `Cannot load resources "${file}": ${err instanceof Error ? err.message : err}`,
    );
  }
  const custom = new Set<string>();
  try {
    for await (const e of Deno.readDir(`${kitDir}/local/custom`)) {
      if (e.isFile && e.name.endsWith(".ts")) custom.add(e.name.slice(0, -3));
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const resources = parseResources(value, {
    file,
    role,
    isSiteCheck: (p) => {
      const dot = p.lastIndexOf(".");
      return dot > 0 && !p.slice(0, dot).includes(".") && custom.has(p.slice(0, dot));
    },
  });
  return { ...resources, file, sha256 };
}
