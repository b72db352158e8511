// A real project, provisioned by the project's own provisioner, for multi-process tests.
import { type LoadedKit, loadKit } from "../../core/kit/mod.ts";
import { type Certificate, parseCertificate, PrivateKey } from "../../core/pki/mod.ts";
import { provisionProject } from "../../provision/mod.ts";

export interface TestProject {
  dir: string;
  prodDir: string;
  rootCa: Certificate;
  rootKey: PrivateKey;
  kitDir(name: string): string;
  kit(name: string, role: "server" | "client" | "admin"): Promise<LoadedKit>;
  cleanup(): Promise<void>;
}

export interface TestProjectOptions {
  name?: string;
  security?: "mtls" | "tls" | "clear";
  sites?: { name: string; org: string }[];
  admins?: { name: string; org: string; role: string }[];
  /** Extra server keys (e.g. `transport: http1`). */
  server?: Record<string, unknown>;
}

/** Provisions `1 server (localhost, 127.0.0.1) + sites + admins` into a fresh temp dir. */
export async function provisionTestProject(opts: TestProjectOptions = {}): Promise<TestProject> {
  const dir = await Deno.makeTempDir({ prefix: "stockade_test_" });
  const name = opts.name ?? "conformance";
  const sites = opts.sites ?? [{ name: "site_a", org: "org_a" }, { name: "site_b", org: "org_b" }];
  const admins = opts.admins ??
    [{ name: "admin@org-a.example", org: "org_a", role: "project_admin" }];
  const lines = [
    "api_version: 3",
    `name: ${name}`,
    `connection_security: ${opts.security ?? "mtls"}`,
    "participants:",
    `  - ${
      JSON.stringify({
        name: "localhost",
        type: "server",
        org: "org_a",
        fed_learn_port: 8002,
        admin_port: 8002,
        host_names: ["127.0.0.1"],
        ...opts.server,
      })
    }`,
    ...sites.map((s) =>
      `  - ${JSON.stringify({ ...s, type: "client", connect_to: { host: "127.0.0.1" } })}`
    ),
    ...admins.map((a) =>
      `  - ${JSON.stringify({ ...a, type: "admin", connect_to: { host: "127.0.0.1" } })}`
    ),
  ];
  await Deno.writeTextFile(`${dir}/project.yml`, lines.join("\n") + "\n");
  const result = await provisionProject({
    projectFile: `${dir}/project.yml`,
    workspace: `${dir}/workspace`,
  });
  const state = `${result.projectDir}/state`;
  const rootCa = parseCertificate(await Deno.readTextFile(`${state}/rootCA.pem`));
  const rootKey = PrivateKey.fromPem(await Deno.readTextFile(`${state}/rootCA.key`));
  const kitDir = (n: string) => {
    const k = result.kits.find((k) => k.name === n);
    if (!k) throw new Error(`No kit "${n}" in the test project`);
    return k.dir;
  };
  return {
    dir,
    prodDir: result.prodDir,
    rootCa,
    rootKey,
    kitDir,
    kit: (n, role) => loadKit(kitDir(n), role),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

interface JobEventInput {
  jobId: string;
  scope?: string;
  taskName?: string;
  taskId?: string;
  ref?: string;
  msg?: string;
}

/** An audit sink that keeps events in memory, for assertions. */
export class MemoryAudit {
  readonly events: { user: string; action: string; ref?: string; msg?: string }[] = [];
  addEvent(e: { user: string; action: string; ref?: string; msg?: string }): Promise<string> {
    this.events.push(e);
    return Promise.resolve(crypto.randomUUID());
  }
  /** Job events with the id each call returned, so tests can follow `ref` links. */
  readonly jobEvents: (JobEventInput & { id: string })[] = [];
  addJobEvent(e: JobEventInput): Promise<string> {
    const id = crypto.randomUUID();
    this.jobEvents.push({ ...e, id });
    return Promise.resolve(id);
  }
  /** Reasons of `_auth_failed` events. */
  authFailures(): string[] {
    return this.events.filter((e) => e.action === "_auth_failed").map((e) =>
      /reason=([a-z_]+)/.exec(e.msg ?? "")?.[1] ?? "?"
    );
  }
}
