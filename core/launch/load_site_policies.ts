import { SiteAuditor } from "../audit/mod.ts";
import { loadPrivacyPolicy, type PrivacyPolicy } from "../filters/mod.ts";
import type { LoadedKit } from "../kit/mod.ts";
import { loadResources, type SiteResources } from "../resources/mod.ts";
import type { StartedRole } from "./start_role.ts";

/** A role's policies and audit trail, loaded at start. */
export interface SitePolicies {
  resources: SiteResources;
  privacy: PrivacyPolicy | undefined;
  audit: SiteAuditor;
}

/**
 * The policy start of every role after `startRole()`: `resources.json` (its warnings logged), the
 * site's audit log, and `local/privacy.*`, each file audited as `_policy_load` with its SHA-256.
 * A privacy policy that does not load stops the role with status 1 (`privacy-and-filters.md` §1).
 */
export async function loadSitePolicies(
  kit: LoadedKit,
  role: "server" | "client",
  log: StartedRole["log"],
): Promise<SitePolicies> {
  const resources = await loadResources(kit.kitDir, role);
  for (const w of resources.warnings) log("warn", `${resources.file}: ${w}`);
  const audit = await SiteAuditor.open(kit.kitDir, { maxBytes: resources.auditMaxBytes });
  const loaded = (file: string, sha256: string) =>
    audit.addEvent({
      user: "system",
      action: "_policy_load",
      msg: `file=${file} sha256=${sha256}`,
    });
  await loaded(resources.file, resources.sha256);
  const privacy = await loadPrivacyPolicy(kit.kitDir).catch(async (err) => {
    log("error", err instanceof Error ? err.message : String(err));
    await audit.close();
    Deno.exit(1);
  });
  if (privacy) await loaded(privacy.file, privacy.sha256);
  return { resources, privacy: privacy?.policy, audit };
}
