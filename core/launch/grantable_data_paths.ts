import { loadPrivacyPolicy } from "../filters/mod.ts";
import { loadResources } from "../resources/mod.ts";

/**
 * The data locations a site may grant its executors (`resources-and-cc.md` §6): the values of the
 * privacy scopes' `properties` named in `sandbox.read_path_properties`, when absolute paths. The
 * site process gets read access to exactly these, to resolve them and hand them on. Policies that
 * do not load give none here: the role itself then refuses to start with the real error. A scope
 * property added by a live reload is grantable after the next restart.
 */
export async function grantableDataPaths(
  kitDir: string,
  role: "server" | "client",
): Promise<string[]> {
  try {
    const resources = await loadResources(kitDir, role);
    const privacy = await loadPrivacyPolicy(kitDir);
    const names = new Set(resources.sandbox.readPathProperties);
    const out = new Set<string>();
    for (const scope of privacy?.policy.scopes.values() ?? []) {
      for (const [name, value] of Object.entries(scope.properties)) {
        if (names.has(name) && value.startsWith("/") && !value.includes(",")) out.add(value);
      }
    }
    return [...out].sort();
  } catch {
    return [];
  }
}
