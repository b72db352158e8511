// Stands in for a role process in tests/provision_tamper_test.ts: the first thing it does is the
// start-time kit check; "STARTED" on stdout means the role would have gone on to start.
import { type KitRole, requireIntactKit } from "../core/kit/mod.ts";

if (import.meta.main) {
  const [kitDir, role] = Deno.args;
  if (kitDir === undefined || (role !== "server" && role !== "client" && role !== "admin")) {
    throw new TypeError("Usage: provision_start_fixture.ts <kit-dir> <server|client|admin>");
  }
  const kit = await requireIntactKit(kitDir, role as KitRole);
  Deno.stdout.writeSync(new TextEncoder().encode(`STARTED ${kit.name}\n`));
}
