import { SiteAuditor } from "../audit/mod.ts";
import { PrivacyStore } from "../filters/mod.ts";
import type { LoadedKit } from "../kit/mod.ts";
import { loadResources, type SiteResources } from "../resources/mod.ts";
import { PolicyStore } from "../../policies/mod.ts";
import type { StartedRole } from "./start_role.ts";

/** A role's policies and audit trail, loaded at start. */
export interface SitePolicies {
  resources: SiteResources;
  /** `local/privacy.*`, reloaded live for new jobs; close it on stop. */
  privacy: PrivacyStore;
  /** `local/authorization.*`, reloaded live (file change or SIGHUP); close it on stop. */
  authz: PolicyStore;
  audit: SiteAuditor;
}

/**
 * The policy start of every role after `startRole()`: `resources.json` (its warnings logged), the
 * site's audit log, `local/authorization.*` and `local/privacy.*`, each file audited as
 * `_policy_load` with its SHA-256. An authorization or privacy policy that does not load stops the
 * role with status 1 (`authorization.md` §1, `privacy-and-filters.md` §1), audited as a failed load.
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
  const fail = async (err: unknown): Promise<never> => {
    log("error", err instanceof Error ? err.message : String(err));
    await audit.close();
    Deno.exit(1);
  };
  const authz = await PolicyStore.open(kit.kitDir, { audit, log }).catch(fail);
  authz.listenForHangup();
  const privacy = await PrivacyStore.open(kit.kitDir, { audit, log }).catch(async (err) => {
    await authz.close();
    return await fail(err);
  });
  privacy.listenForHangup();
  return { resources, privacy, authz, audit };
}
