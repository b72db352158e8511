import assert from "node:assert/strict";
import { JobValidationError } from "./job_validation_error.ts";
import { loadJobFolder } from "./load_job_folder.ts";
import { validateJob } from "./validate_job.ts";
import { CLIENT_CONFIG, jobFiles, SERVER_CONFIG, simpleJob } from "./_test_helpers.ts";
import type { JobFile } from "./job_file.ts";

const examples = new URL("../../examples/jobs/", import.meta.url).pathname;

function fails(files: JobFile[], code: string, message?: string, site?: string): void {
  assert.throws(
    () => validateJob(files, { folderName: "job1", ...(site ? { site } : {}) }),
    (err: unknown) => {
      assert.ok(err instanceof JobValidationError, String(err));
      assert.equal(err.code, code, err.message);
      if (message !== undefined) assert.equal(err.message, message);
      return true;
    },
  );
}

const withMap = (deploy_map: unknown, extra: object = {}, apps = ["app1", "app2"]) =>
  simpleJob({ deploy_map, ...extra }, apps);

Deno.test("validateJob() accepts every valid deploy_map of the jobs.md §2 table", () => {
  for (
    const dm of [
      { app1: ["@ALL"] },
      { app1: ["@ALL"], app2: [] },
      { app1: ["server", "site-1", "site-2"] },
      { app1: ["server", "site-1", "site-2"], app2: [] },
      { app1: ["server", "site-1"], app2: ["site-2"] },
    ]
  ) {
    const job = validateJob(withMap(dm), { folderName: "job1" });
    assert.equal(job.name, "job1");
  }
});

Deno.test("validateJob() ignores empty apps, which need no folder", () => {
  const job = validateJob(simpleJob({ deploy_map: { app1: ["@ALL"], app2: [] } }, ["app1"]), {
    folderName: "job1",
  });
  assert.deepEqual([...job.apps.keys()], ["app1"]);
  assert.equal(job.appFor("site-9"), "app1");
  assert.equal(job.appFor("server"), "app1");
  assert.deepEqual(job.sitesFor("app1"), ["@ALL"]);
  assert.deepEqual(job.sitesFor("app2"), []);
});

Deno.test("validateJob() refuses every invalid deploy_map of the jobs.md §2 table", () => {
  fails(
    withMap({ app1: ["@ALL", "server"] }),
    "DEPLOY_MAP_ALL_MIXED",
    '@ALL must be the only entry of a single app in job "job1"',
  );
  fails(withMap({ app1: ["@ALL"], app2: ["@all"] }), "DEPLOY_MAP_ALL_MIXED");
  fails(
    withMap({ app1: ["server", "site-1", "site-2"], app2: ["site-2"] }),
    "DEPLOY_MAP_DUPLICATE_SITE",
    'sites ["site-2"] are targeted by more than one app in job "job1"',
  );
  fails(
    withMap({ app1: ["server", "site-1"], app2: ["server", "site-2"] }),
    "DEPLOY_MAP_DUPLICATE_SITE",
    'sites ["server"] are targeted by more than one app in job "job1"',
  );
  fails(withMap({}), "DEPLOY_MAP_EMPTY", 'deploy_map of job "job1" names no site');
  fails(withMap({ app1: [] }), "DEPLOY_MAP_EMPTY");
  fails(withMap({ app1: [], app2: [] }), "DEPLOY_MAP_EMPTY");
  fails(simpleJob({ name: "x" }), "DEPLOY_MAP_EMPTY", 'deploy_map of job "x" names no site');
});

Deno.test("validateJob() routes sites to apps", () => {
  const job = validateJob(withMap({ app1: ["server", "site-1"], app2: ["site-2"] }), {
    folderName: "job1",
  });
  assert.equal(job.appFor("server"), "app1");
  assert.equal(job.appFor("site-2"), "app2");
  assert.equal(job.appFor("site-3"), undefined);
  assert.deepEqual(job.sitesFor("app1"), ["server", "site-1"]);
  assert.equal(job.deploysToAll, false);
  assert.equal(job.apps.get("app1")?.byoc, false);
  assert.ok(job.apps.get("app1")?.serverConfig);
  assert.ok(job.apps.get("app1")?.clientConfig);
  assert.equal(job.apps.get("app2")?.serverConfig, undefined);
});

Deno.test("validateJob() checks the meta files", () => {
  fails(
    jobFiles({ "app1/x": "" }),
    "JOB_META_MISSING",
    'job "job1" has no meta.json, meta.yml or meta.yaml',
  );
  fails(
    jobFiles({ "meta.json": "{}", "meta.yml": "" }),
    "JOB_META_AMBIGUOUS",
    'job "job1" has more than one meta file',
  );
  fails(jobFiles({ "meta.yml": "a: 1", "meta.yaml": "" }), "JOB_META_AMBIGUOUS");
  fails(jobFiles({ "meta.json": "{" }), "JOB_META_INVALID");
  fails(
    jobFiles({ "meta.json": "[1]" }),
    "JOB_META_INVALID",
    'meta of job "job1" is invalid: not an object',
  );
  fails(jobFiles({ "meta.yml": "a: [" }), "JOB_META_INVALID");
  fails(jobFiles({ "meta.yml": "a: 1\na: 2\n" }), "JOB_META_INVALID");
  fails(
    [{ path: "meta.json", mode: 0o644, data: new Uint8Array([0xff, 0xfe]) }],
    "JOB_META_INVALID",
  );
  fails(simpleJob({ name: 3, deploy_map: { app1: ["@ALL"] } }), "JOB_META_INVALID");
  fails(simpleJob({ name: "n".repeat(256), deploy_map: { app1: ["@ALL"] } }), "JOB_META_INVALID");
  fails(simpleJob({ deploy_map: ["app1"] }), "JOB_META_INVALID");
  fails(simpleJob({ deploy_map: { app1: "server" } }), "JOB_META_INVALID");
  fails(simpleJob({ deploy_map: { app1: [1] } }), "JOB_META_INVALID");
  fails(
    simpleJob({ deploy_map: { app1: ["@ALL"] }, mandatory_clients: "site-1" }),
    "JOB_META_INVALID",
  );
  fails(simpleJob({ deploy_map: { app1: ["@ALL"] }, sandbox: [] }), "JOB_META_INVALID");
});

Deno.test("validateJob() reads YAML meta with the core schema", () => {
  const job = validateJob(
    [
      ...jobFiles({ "meta.yaml": "name: y\ndeploy_map:\n  app1: ['@ALL']\nmin_clients: 0x2\n" }),
      ...simpleJob({}).filter((f) => f.path !== "meta.json"),
    ],
    { folderName: "job1" },
  );
  assert.equal(job.name, "y");
  assert.equal(job.meta.min_clients, 2);
});

Deno.test("validateJob() parses YAML without env permission", async () => {
  const dir = await Deno.makeTempDir({ prefix: "stockade_yaml_" });
  try {
    const yaml = new URL("./_yaml.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import { parseYaml } from "${yaml}";
console.log(JSON.stringify(parseYaml("a: [1, yes]\\nb: ~")));`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--deny-env", "--allow-read", `${dir}/main.ts`],
      cwd: new URL("../../", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, err);
    assert.equal(new TextDecoder().decode(out.stdout).trim(), '{"a":[1,"yes"],"b":null}');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validateJob() warns about system keys, drops them, keeps unknown keys", () => {
  const job = validateJob(
    simpleJob({
      deploy_map: { app1: ["@ALL"] },
      job_id: "x",
      submitter_name: "eve",
      submit_time_iso: "t",
      schedule_count: 1,
      byoc: false,
      approvals: [],
      custom_note: "hi",
    }),
    { folderName: "job1" },
  );
  assert.equal(job.meta.job_id, undefined);
  assert.equal(job.meta.submitter_name, undefined);
  assert.equal(job.meta.byoc, undefined);
  assert.equal(job.meta.custom_note, "hi");
  assert.equal(job.warnings.length, 7);
  assert.ok(job.warnings.some((w) => w.includes('"submitter_name"') && w.includes("ignored")));
  assert.ok(job.warnings.some((w) => w.includes('"custom_note"') && w.includes("kept")));
});

Deno.test("validateJob() keeps __proto__ keys as data", () => {
  const files = jobFiles({
    "meta.json": '{"__proto__": {"deploy_map": {"app1": ["@ALL"]}}}',
  });
  fails(files, "DEPLOY_MAP_EMPTY");
  fails(
    jobFiles({ "meta.json": '{"deploy_map": {"__proto__": ["@ALL"]}}' }),
    "APP_NAME_INVALID",
    'app name "__proto__" is invalid',
  );
});

Deno.test("validateJob() checks site entries and app names", () => {
  fails(
    withMap({ app1: ["server", "site 1"] }),
    "DEPLOY_MAP_SITE_INVALID",
    'deploy_map entry "site 1" is not a site name',
  );
  fails(withMap({ app1: ["server", "@ALLX"] }), "DEPLOY_MAP_SITE_INVALID");
  fails(withMap({ app1: ["server", "s".repeat(64)] }), "DEPLOY_MAP_SITE_INVALID");
  fails(
    withMap({ app1: ["site-1"] }),
    "DEPLOY_MAP_NO_SERVER",
    'deploy_map of job "job1" deploys nothing to the server',
  );
  fails(
    simpleJob({ deploy_map: { "-app": ["@ALL"] } }, ["-app"]),
    "APP_NAME_INVALID",
    'app name "-app" is invalid',
  );
  fails(simpleJob({ deploy_map: { "a/b": ["@ALL"] } }, []), "APP_NAME_INVALID");
});

Deno.test("validateJob() requires app folders and the configs of their sides", () => {
  fails(
    simpleJob({ deploy_map: { app1: ["@ALL"] } }, []),
    "APP_MISSING",
    'app "app1" in deploy_map does not exist in job "job1"',
  );
  const serverOnly = jobFiles({
    "meta.json": { deploy_map: { app1: ["@ALL"] } },
    "app1/config/config_fed_server.json": SERVER_CONFIG,
  });
  fails(
    serverOnly,
    "APP_CLIENT_CONFIG_MISSING",
    'app "app1" is deployed to clients but has no client config',
  );
  const clientOnly = jobFiles({
    "meta.json": { deploy_map: { app1: ["server", "site-1"] } },
    "app1/config/config_fed_client.json": CLIENT_CONFIG,
  });
  fails(
    clientOnly,
    "APP_SERVER_CONFIG_MISSING",
    'app "app1" is deployed to the server but has no server config',
  );
  // Server-only app: no client config needed.
  validateJob(
    jobFiles({
      "meta.json": { deploy_map: { app1: ["server"], app2: ["site-1"] } },
      "app1/config/config_fed_server.json": SERVER_CONFIG,
      "app2/config/config_fed_client.json": CLIENT_CONFIG,
    }),
    { folderName: "job1" },
  );
});

Deno.test("validateJob() checks min_clients and mandatory_clients", () => {
  for (const v of [0, 1.5, "2", 1_000_001, null]) {
    fails(withMap({ app1: ["@ALL"] }, { min_clients: v }), "MIN_CLIENTS_INVALID");
  }
  fails(
    withMap({ app1: ["@ALL"] }, { min_clients: 0 }),
    "MIN_CLIENTS_INVALID",
    'min_clients 0 of job "job1" must be an integer from 1 to 1000000',
  );
  validateJob(withMap({ app1: ["@ALL"] }, { min_clients: 1_000_000 }), { folderName: "j" });
  fails(
    withMap({ app1: ["server", "site-1", "site-2"] }, { min_clients: 3 }),
    "MIN_CLIENTS_TOO_MANY",
    'job "job1" needs 3 clients but deploy_map lists 2',
  );
  validateJob(withMap({ app1: ["server", "site-1", "site-2"] }, { min_clients: 2 }), {
    folderName: "j",
  });
  fails(
    withMap({ app1: ["server", "site-1"] }, { mandatory_clients: ["site-1", "site-3"] }),
    "MANDATORY_CLIENT_MISSING",
    'mandatory clients ["site-3"] are not in deploy_map of job "job1"',
  );
  validateJob(withMap({ app1: ["@ALL"] }, { mandatory_clients: ["site-3"] }), { folderName: "j" });
});

Deno.test("validateJob() checks resource_spec and scope", () => {
  fails(
    withMap({ app1: ["@ALL"] }, { resource_spec: { "site-1": 4 } }),
    "RESOURCE_SPEC_INVALID",
    'resource_spec for "site-1" in job "job1" must be an object',
  );
  fails(withMap({ app1: ["@ALL"] }, { resource_spec: [] }), "RESOURCE_SPEC_INVALID");
  fails(
    withMap({ app1: ["@ALL"] }, { scope: "" }),
    "SCOPE_INVALID",
    'scope of job "job1" must be a non-empty string',
  );
  fails(withMap({ app1: ["@ALL"] }, { scope: 1 }), "SCOPE_INVALID");
  const job = validateJob(
    withMap({ app1: ["@ALL"] }, {
      scope: "public",
      resource_spec: { "site-1": { num_of_cpus: 1 } },
    }),
    { folderName: "j" },
  );
  assert.equal(job.meta.scope, "public");
});

Deno.test("validateJob() checks app configs", () => {
  const files = jobFiles({
    "meta.json": { deploy_map: { app1: ["@ALL"] } },
    "app1/config/config_fed_server.json": { format_version: 1 },
    "app1/config/config_fed_client.json": CLIENT_CONFIG,
  });
  fails(
    files,
    "JOB_CONFIG_INVALID",
    'config "config_fed_server.json" of app "app1" is invalid: format_version "1" is not 2',
  );
});

Deno.test("validateJob() at a site checks only the app deployed there", () => {
  const files = jobFiles({
    "meta.json": { deploy_map: { app1: ["server"], app2: ["site-1"], app3: ["site-2"] } },
    "app2/config/config_fed_client.json": CLIENT_CONFIG,
    "app2/custom/trainer.ts": "export default () => 1;",
  });
  const job = validateJob(files, { folderName: "j", site: "site-1" });
  assert.equal(job.apps.get("app2")?.byoc, true);
  assert.ok(job.apps.get("app2")?.clientConfig);
  fails(files, "APP_MISSING", undefined, "site-2");
  fails(files, "APP_MISSING");
});

Deno.test("validateJob() enforces max_job_bytes and the 10,000-file cap", () => {
  const files = simpleJob({ deploy_map: { app1: ["@ALL"] } });
  assert.throws(() => validateJob(files, { folderName: "j", maxJobBytes: 10 }), {
    code: "JOB_TOO_LARGE",
  });
  const many = [...files];
  for (let i = 0; many.length <= 10_000; i++) {
    many.push({ path: `app1/data/${i}`, mode: 0o644, data: new Uint8Array() });
  }
  assert.throws(() => validateJob(many, { folderName: "j" }), { code: "JOB_TOO_LARGE" });
  validateJob(many.slice(0, 10_000), { folderName: "j" });
});

Deno.test("loadJobFolder() loads the example jobs", async () => {
  const hello = await loadJobFolder(`${examples}hello-sag`);
  assert.equal(hello.name, "hello-sag");
  assert.equal(hello.appFor("site-1"), "app");
  assert.equal(hello.apps.get("app")?.byoc, false);
  assert.equal(
    hello.apps.get("app")?.serverConfig?.workflows[0]?.path,
    "stockade.app_common.workflows.ScatterAndGather",
  );
  const logreg = await loadJobFolder(`${examples}fedavg-logreg/`);
  assert.equal(logreg.name, "fedavg-logreg");
  assert.equal(logreg.meta.min_clients, 3);
  assert.deepEqual(logreg.meta.sandbox, { read_properties: ["train_dataset"] });
  assert.equal(
    logreg.apps.get("app")?.clientConfig?.executors[0]?.executor.path,
    "stockade.app_common.executors.LogRegTrainer",
  );
  assert.deepEqual(logreg.warnings, []);
});
