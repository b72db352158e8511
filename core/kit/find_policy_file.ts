import { KitError } from "./kit_error.ts";

/** Site policies of `local/`. */
export type PolicyName = "authorization" | "privacy" | "resources";

/**
 * Finds the file a site reads for policy `<p>` (`provisioning.md` §6): one of `local/<p>.json`,
 * `.yaml`, `.yml` (more than one → `KitError` `POLICY_AMBIGUOUS`); otherwise
 * `local/<p>.json.default` for authorization and resources; `undefined` when there is none
 * (privacy has no fallback and `.sample` is never read). Requires `--allow-read` of the kit.
 */
export async function findPolicyFile(
  kitDir: string,
  policy: PolicyName,
): Promise<string | undefined> {
  const exists = async (p: string) => {
    try {
      return (await Deno.stat(p)).isFile;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return false;
      throw err;
    }
  };
  const found: string[] = [];
  for (const ext of ["json", "yaml", "yml"]) {
    const p = `${kitDir}/local/${policy}.${ext}`;
    if (await exists(p)) found.push(p);
  }
  if (found.length > 1) {
    throw new KitError(
      "POLICY_AMBIGUOUS",
      `Cannot choose the ${policy} policy: ${
        found.map((f) => `"${f.slice(kitDir.length + 1)}"`).join(", ")
      } all exist; keep only one`,
    );
  }
  if (found[0] !== undefined) return found[0];
  if (policy === "privacy") return undefined;
  const fallback = `${kitDir}/local/${policy}.json.default`;
  return await exists(fallback) ? fallback : undefined;
}
