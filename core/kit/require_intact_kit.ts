import { formatKitReport } from "./format_kit_report.ts";
import { KitIntegrityError } from "./kit_integrity_error.ts";
import type { KitRole } from "./kit_role.ts";
import { type LoadedKit, loadKit } from "./load_kit.ts";
import { verifyKit } from "./verify_kit.ts";

/** Options of `assertKitIntact()` / `requireIntactKit()`. */
export interface RequireIntactKitOptions {
  /** Time for certificate validity (default now). */
  now?: Date;
}

/**
 * Runs `verifyKit()` for `role` and loads the kit; throws `KitIntegrityError` (with the full
 * report) when any problem is found.
 */
export async function assertKitIntact(
  kitDir: string,
  role: KitRole,
  options: RequireIntactKitOptions = {},
): Promise<LoadedKit> {
  const report = await verifyKit(kitDir, { role, ...options });
  if (!report.ok) throw new KitIntegrityError(report);
  return await loadKit(kitDir, role);
}

/**
 * The first call of every role process (server, client, console): verifies the kit and returns
 * it loaded; on any problem prints the §5 report to stderr and exits with status 2, so nothing
 * starts.
 */
export async function requireIntactKit(
  kitDir: string,
  role: KitRole,
  options: RequireIntactKitOptions = {},
): Promise<LoadedKit> {
  const report = await verifyKit(kitDir, { role, ...options });
  if (!report.ok) {
    Deno.stderr.writeSync(new TextEncoder().encode(formatKitReport(report) + "\n"));
    Deno.exit(2);
  }
  return await loadKit(kitDir, role);
}
