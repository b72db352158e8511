/**
 * `deno task poc`: a whole federation on this machine. Provisions a project (1 server, 3 sites in
 * two orgs with their own policies, a project admin and a lead) into `workspace/poc`, gives each
 * site its share of the iris data, starts the server and the sites as separate processes with
 * their real, narrow permissions, logs in as the lead, submits `fedavg-logreg` (site-3 runs it
 * under its `private` scope: clipped and noised results), shows progress until the job ends,
 * prints where everything is, verifies every audit log and stops everything.
 *
 * Usage: `deno task poc [--keep] [--json]` and `deno task poc stop`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AdminSession } from "../console/admin_session.ts";
import { irisSplit } from "../core/app_common/iris_split.ts";
import { accuracy, type LogRegModel } from "../core/app_common/logistic_regression.ts";
import { verifyAuditFiles } from "../core/audit/mod.ts";
import { loadKit } from "../core/kit/mod.ts";
import { roleArgs, RUNTIME_DIR } from "../core/launch/mod.ts";
import { decode } from "../core/wire/mod.ts";
import { provisionProject } from "../provision/mod.ts";
import { FINAL_STATUSES, type JobStatus } from "../server/jobs/job_record.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    keep: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    workspace: { type: "string", default: `${RUNTIME_DIR}/workspace/poc` },
  },
  allowPositionals: true,
});
const WS = values.workspace!;
const PIDS = `${WS}/pids.json`;
const json = values.json!;

/** One line of progress: JSON with `--json`, else text for people. */
function say(event: string, text: string, data: Record<string, unknown> = {}): void {
  if (json) console.log(JSON.stringify({ event, ...data, message: text }));
  else console.log(text);
}

async function stopRecorded(): Promise<number> {
  let pids: number[] = [];
  try {
    pids = JSON.parse(await Deno.readTextFile(PIDS));
  } catch {
    return 0;
  }
  // Deno.kill needs run permission for every program; the shell's `kill` needs only /bin/sh.
  const alive = await new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'for p in "$@"; do kill -TERM "$p" 2>/dev/null && echo "$p"; done',
      "sh",
      ...pids.map(String),
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  const stopped = new TextDecoder().decode(alive.stdout).trim().split("\n").filter(Boolean).length;
  await Deno.remove(PIDS).catch(() => {});
  return stopped;
}

if (positionals[0] === "stop") {
  const n = await stopRecorded();
  say("stopped", n ? `Stopped ${n} processes of the POC federation.` : "No POC federation runs.");
  Deno.exit(0);
}
if (positionals.length > 0) {
  console.error(
    `Unknown argument "${positionals[0]}". Usage: deno task poc [--keep] [--json] | stop`,
  );
  Deno.exit(2);
}

const SITES = [
  { name: "site-1", org: "hospital_a" },
  { name: "site-2", org: "hospital_a" },
  { name: "site-3", org: "hospital_b" },
];
const ADMIN = { name: "admin@hospital-a.example", org: "hospital_a", role: "project_admin" };
const LEAD = { name: "lead@hospital-b.example", org: "hospital_b", role: "lead" };

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

// 1. Provision a fresh project.
await stopRecorded();
await Deno.remove(WS, { recursive: true }).catch(() => {});
await Deno.mkdir(WS, { recursive: true });
const port = freePort();
const project = [
  "api_version: 3",
  "name: poc",
  "connection_security: mtls",
  "participants:",
  `  - ${
    JSON.stringify({
      name: "localhost",
      type: "server",
      org: "hospital_a",
      fed_learn_port: port,
      admin_port: port,
      host_names: ["127.0.0.1"],
    })
  }`,
  ...SITES.map((s) =>
    `  - ${JSON.stringify({ ...s, type: "client", connect_to: { host: "127.0.0.1" } })}`
  ),
  ...[ADMIN, LEAD].map((a) =>
    `  - ${JSON.stringify({ ...a, type: "admin", connect_to: { host: "127.0.0.1" } })}`
  ),
].join("\n") + "\n";
await Deno.writeTextFile(`${WS}/project.yml`, project);
const provisioned = await provisionProject({
  projectFile: `${WS}/project.yml`,
  workspace: `${WS}/kits`,
});
const kitDir = (name: string) => provisioned.kits.find((k) => k.name === name)!.dir;
say("provisioned", `Provisioned project "poc" into ${provisioned.prodDir}`, {
  kits: provisioned.prodDir,
});

// 2. Each site's data and policies. site-3 trains under its "private" scope: its results are
// clipped and noised (LocalGaussianDP) within a privacy budget; the others under "public".
const { sites: parts, test } = irisSplit({ sites: SITES.length, holdout: 30 });
for (const [i, site] of SITES.entries()) {
  const data = `${WS}/data/${site.name}`;
  await Deno.mkdir(data, { recursive: true });
  await Deno.writeTextFile(`${data}/train.json`, JSON.stringify(parts[i]));
  const local = `${kitDir(site.name)}/local`;
  const properties = { train_dataset: `${await Deno.realPath(data)}/train.json` };
  const privacy = site.name === "site-3"
    ? {
      scopes: [{
        name: "private",
        properties,
        privacy_budget: { max_epsilon_per_job: 10, max_epsilon_per_scope: 100 },
        task_result_filters: [
          { name: "ExcludeVars", args: { exclude_vars: "^debug_" } },
          {
            name: "LocalGaussianDP",
            args: { clipping_norm: 5, sensitivity: 0.01, epsilon: 1, delta: 1e-5 },
          },
        ],
      }],
      default_scope: "private",
    }
    : { scopes: [{ name: "public", properties }], default_scope: "public" };
  await Deno.writeTextFile(`${local}/privacy.json`, JSON.stringify(privacy, null, 2));
  const resources = JSON.parse(await Deno.readTextFile(`${local}/resources.json.default`));
  resources.sandbox.read_path_properties = ["train_dataset"];
  await Deno.writeTextFile(`${local}/resources.json`, JSON.stringify(resources, null, 2));
}
// hospital_b's site trusts no job code it did not review: no BYOC, and leads of other orgs may
// not submit there.
await Deno.writeTextFile(
  `${kitDir("site-3")}/local/authorization.json`,
  JSON.stringify(
    {
      format_version: "1.0",
      permissions: {
        project_admin: "any",
        org_admin: { manage_job: "o:submitter", view: "any", operate: "o:site" },
        lead: { submit_job: "o:site", byoc: "none", manage_job: "n:submitter", view: "any" },
        member: { view: "any" },
      },
    },
    null,
    2,
  ),
);

// 3. Start the server and the sites, each with the flags its launcher would compute.
const children = new Map<string, Deno.ChildProcess>();
const logs = `${WS}/logs`;
await Deno.mkdir(logs, { recursive: true });
async function start(name: string): Promise<void> {
  const role = name === "localhost" ? "server" : "client";
  const kit = await loadKit(kitDir(name), role);
  const { args } = await roleArgs(role, kit, { listenHost: "127.0.0.1" });
  // The shell only redirects stderr to the role's log file and execs Deno (same pid), so the
  // roles keep logging after this process exits (`--keep`).
  const child = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'log="$1"; shift; exec "$@" 2>>"$log"',
      "sh",
      `${logs}/${name}.log`,
      Deno.execPath(),
      ...args,
    ],
    cwd: RUNTIME_DIR,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  children.set(name, child);
}

let stopping: Promise<void> | undefined;
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const c of children.values()) {
      try {
        c.kill("SIGTERM");
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => {
      for (const c of children.values()) {
        try {
          c.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
    }, 15_000);
    await Promise.allSettled([...children.values()].map((c) => c.status));
    clearTimeout(timer);
    await Deno.remove(PIDS).catch(() => {});
  })();
  return stopping;
}
const onSignal = () => {
  say("interrupted", "Interrupted: stopping the federation…");
  void stopAll().then(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let status = 0;
try {
  const t0 = Date.now();
  await start("localhost");
  for (const s of SITES) await start(s.name);
  await Deno.writeTextFile(PIDS, JSON.stringify([...children.values()].map((c) => c.pid)));
  const serverAudit = `${kitDir("localhost")}/audit.log`;
  await waitFor("the sites to register", async () => {
    const text = await Deno.readTextFile(serverAudit).catch(() => "");
    return SITES.every((s) => text.includes(`[U:${s.name}][A:_register]`)) ? true : undefined;
  }, 30_000);
  say(
    "registered",
    `Server and ${SITES.length} sites up in ${Date.now() - t0} ms (mTLS on 127.0.0.1:${port})`,
  );

  // 4. The lead submits fedavg-logreg and watches it.
  const lead = await AdminSession.login(await loadKit(kitDir(LEAD.name), "admin"), {
    target: `127.0.0.1:${port}`,
  });
  try {
    const submitted = await lead.submitFolder(`${RUNTIME_DIR}/examples/jobs/fedavg-logreg`);
    if (!submitted.ok) throw new Error(`submit_job refused: ${submitted.message}`);
    const jobId = (submitted.data as { job_id: string }).job_id;
    say("submitted", `${LEAD.name} submitted fedavg-logreg: job ${jobId}`, { job_id: jobId });
    let last = "";
    const done = await waitFor("the job to finish", async () => {
      const r = await lead.command("get_job_meta", [jobId]);
      if (!r.ok) throw new Error(r.message);
      const s = r.data as {
        status: string;
        failure?: string;
        sites?: Record<string, { status: string; reason?: string }>;
        progress?: { round: number; totalRounds: number; metrics?: Record<string, number> };
      };
      const sites = Object.entries(s.sites ?? {}).map(([k, v]) => `${k}:${v.status}`).join(" ");
      const p = s.progress;
      const acc = p?.metrics?.train_accuracy;
      const line =
        `  ${s.status.padEnd(20)} round ${p?.round ?? 0}/${p?.totalRounds ?? 5}  ${sites}` +
        (acc !== undefined ? `  train accuracy ${(acc * 100).toFixed(1)}%` : "");
      if (line !== last) {
        last = line;
        say("progress", line, { status: s.status, progress: p ?? null, sites: s.sites ?? {} });
      }
      return FINAL_STATUSES.has(s.status as JobStatus) ? s : undefined;
    }, 120_000);
    if (done.status !== "FINISHED:COMPLETED") {
      throw new Error(`The job ended ${done.status}: ${done.failure ?? ""}`);
    }
    const result = decode(
      await Deno.readFile(`${kitDir("localhost")}/jobs/${jobId}/run/result.cbor`),
    ) as { weights: LogRegModel };
    const acc = accuracy(result.weights, test);
    say(
      "finished",
      `Job finished in ${
        ((Date.now() - t0) / 1000).toFixed(1)
      } s. Accuracy on ${test.y.length} held-out rows: ${(acc * 100).toFixed(1)}%`,
      {
        job_id: jobId,
        accuracy: acc,
      },
    );

    // 5. Where things are, and the audit trail verified.
    const names = ["localhost", ...SITES.map((s) => s.name)];
    say(
      "paths",
      [
        `Kits:         ${provisioned.prodDir}`,
        `Role logs:    ${logs}`,
        `Result:       ${kitDir("localhost")}/jobs/${jobId}/run/result.cbor`,
        `Audit trail:  ${names.map((n) => `${kitDir(n)}/audit.log`).join("\n              ")}`,
      ].join("\n"),
      { kits: provisioned.prodDir, logs, audit: names.map((n) => `${kitDir(n)}/audit.log`) },
    );
    const audits: Record<string, unknown> = {};
    for (const n of names) {
      const v = await verifyAuditFiles([`${kitDir(n)}/audit.log`]);
      audits[n] = v.ok;
      if (!v.ok) status = 1;
      say("audit", `audit verify ${n}: ${v.ok ? "OK" : `FAILED ${JSON.stringify(v)}`}`, {
        site: n,
        ok: v.ok,
      });
    }
    const privateLog = await Deno.readTextFile(`${kitDir("site-3")}/audit.log`);
    const applied = privateLog.split("\n").filter((l) =>
      l.includes(`[J:${jobId}]`) && /applied filter|privacy spend/.test(l)
    ).length;
    say(
      "privacy",
      `site-3 (private scope) audited ${applied} filter applications and spends for this job`,
      { filter_events: applied },
    );
  } finally {
    await lead.close();
  }
  if (values.keep) {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    say(
      "kept",
      [
        "The federation keeps running. Use it with:",
        `  ./node_modules/.bin/deno task console --kit ${kitDir(LEAD.name)}`,
        "Stop it with:",
        "  ./node_modules/.bin/deno task poc stop",
      ].join("\n"),
    );
    Deno.exit(status);
  }
} catch (err) {
  status = 1;
  say("error", `POC failed: ${err instanceof Error ? err.message : err}\n(role logs in ${logs})`);
}
await stopAll();
say("stopped", "Federation stopped.");
Deno.exit(status);
