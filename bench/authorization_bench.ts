/** Authorization decisions per second on the parsed default policy (goal ≥ 1,000,000/s). */
import {
  type AuthorizationRequest,
  authorize,
  parseAuthorizationPolicy,
  RIGHTS,
} from "../policies/mod.ts";
import type { BenchRow } from "./_report.ts";

export default async function authorizationBench(): Promise<BenchRow[]> {
  const text = await Deno.readTextFile(
    new URL("../policies/defaults/authorization.json.default", import.meta.url),
  );
  const value: unknown = JSON.parse(text);

  const parses = 20_000;
  let t0 = performance.now();
  for (let i = 0; i < parses; i++) parseAuthorizationPolicy(value);
  const parseSecs = (performance.now() - t0) / 1000;

  const policy = parseAuthorizationPolicy(value);
  // A mix like a busy server's: every built-in role and right, own and foreign sites, jobs of the
  // user, of a colleague and of another org, mixed-case identities that need normalizing.
  const requests: AuthorizationRequest[] = [];
  const roles = ["project_admin", "org_admin", "lead", "member", "Lead"];
  const submitters = [
    null,
    { name: "ann@hosp-a.example", org: "hosp-a", role: "lead" },
    { name: "bob@hosp-a.example", org: "hosp-a", role: "lead" },
    { name: "cy@hosp-b.example", org: "Hosp-B", role: "lead" },
  ];
  for (const role of roles) {
    for (const right of RIGHTS) {
      for (const submitter of submitters) {
        for (const siteOrg of ["hosp-a", "hosp-b"]) {
          requests.push({
            right,
            user: { name: "ann@hosp-a.example", org: "hosp-a", role },
            submitter,
            siteOrg,
          });
        }
      }
    }
  }
  const n = 3_000_000;
  let allowed = 0;
  for (let i = 0; i < 200_000; i++) {
    allowed += authorize(policy, requests[i % requests.length]!).allowed ? 1 : 0; // warm-up
  }
  allowed = 0;
  t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (authorize(policy, requests[i % requests.length]!).allowed) allowed++;
  }
  const secs = (performance.now() - t0) / 1000;
  if (allowed === 0) throw new Error("the default policy allowed nothing: the benchmark is broken");
  return [
    {
      group: "authorization",
      name: `authorize() on the default policy, ${requests.length} mixed requests`,
      value: n / secs,
      unit: "decisions/s",
      ratio: n / secs / 1_000_000,
      note: "vs goal 1,000,000/s",
    },
    {
      group: "authorization",
      name: "parseAuthorizationPolicy() of the default policy",
      value: parses / parseSecs,
      unit: "parses/s",
    },
  ];
}
