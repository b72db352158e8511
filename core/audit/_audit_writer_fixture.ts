// Test helper: writes audit events with long messages as fast as it can until killed.
import { SiteAuditor } from "./site_auditor.ts";

const a = await SiteAuditor.open(Deno.args[0]!);
for (let i = 0; i < 100_000; i++) {
  await a.addEvent({ user: "u", action: `cmd ${i}`, msg: "y".repeat(2000) });
  console.log(i);
}
