import { findPolicyFile } from "../core/kit/mod.ts";
import { PolicyError } from "./policy_error.ts";
import {
  type LoadedAuthorizationPolicy,
  readAuthorizationPolicy,
} from "./read_authorization_policy.ts";

/**
 * Loads a site's authorization policy: `local/authorization.{json,yaml,yml}`, else
 * `local/authorization.json.default` (`provisioning.md` §6, through `findPolicyFile()`), named in
 * messages relative to the kit, e.g. `local/authorization.json`. Throws `KitError`
 * `POLICY_AMBIGUOUS` when more than one file exists, `PolicyError` `AUTHZ_FILE` when none does
 * (there is no allow-all mode), or any error of `readAuthorizationPolicy()`. Requires
 * `--allow-read` of the kit.
 */
export async function loadAuthorizationPolicy(kitDir: string): Promise<LoadedAuthorizationPolicy> {
  const path = await findPolicyFile(kitDir, "authorization");
  if (path === undefined) {
    throw new PolicyError(
      "AUTHZ_FILE",
      `Cannot load policy "local/authorization.json": neither it, a .yaml or .yml, nor ` +
        `"local/authorization.json.default" exists in kit "${kitDir}"`,
    );
  }
  return await readAuthorizationPolicy(path, { file: path.slice(kitDir.length + 1) });
}
