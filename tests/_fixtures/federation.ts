// A federation of real role processes for multi-process tests: the server and each site run as
// `deno run <their computed role flags> <role>/main.ts --kit <kit>` (what the launcher starts),
// on 127.0.0.1, with kits from the project's own provisioning. The console side logs in with
// an admin kit through `console/admin_session.ts`.
import { AdminSession } from "../../console/admin_session.ts";
import { loadKit } from "../../core/kit/mod.ts";
import { roleArgs, RUNTIME_DIR } from "../../core/launch/mod.ts";
import { FINAL_STATUSES, type JobStatus } from "../../server/jobs/job_record.ts";
import { provisionTestProject, type TestProject, type TestProjectOptions } from "./test_project.ts";

export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Polls `check` every 100 ms until it returns a value other than undefined/false. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Running {
  child: Deno.ChildProcess;
  output: string[];
  done: Promise<Deno.CommandStatus>;
}

export interface Federation {
  project: TestProject;
  port: number;
  /** Starts a role process (the server is `localhost`). */
  start(name: string): Promise<void>;
  /** Stops a role with SIGTERM (or the given signal) and waits for it. */
  stop(name: string, signal?: Deno.Signal): Promise<Deno.CommandStatus>;
  /** Everything the role wrote to stderr so far. */
  log(name: string): string;
  auditLog(name: string): Promise<string>;
  /** Waits until the server's audit log shows each site registered (since `after` lines). */
  registered(sites: string[]): Promise<void>;
  login(admin: string): Promise<AdminSession>;
  /** Polls a job until it reaches a final status; returns its summary. */
  finished(admin: AdminSession, jobId: string, timeoutMs?: number): Promise<JobSummary>;
  close(): Promise<void>;
}

export interface JobSummary {
  job_id: string;
  status: string;
  failure?: string;
  sites?: Record<string, { status: string; reason?: string }>;
  progress?: { round: number; totalRounds: number; metrics?: Record<string, number> };
}

/** Provisions a project whose server listens on a free loopback port. */
export async function federation(
  options: Omit<TestProjectOptions, "server"> = {},
): Promise<Federation> {
  const port = freePort();
  const project = await provisionTestProject({
    ...options,
    server: { fed_learn_port: port, admin_port: port },
  });
  const running = new Map<string, Running>();
  const fed: Federation = {
    project,
    port,
    async start(name) {
      const role = name === "localhost" ? "server" : "client";
      const kit = await loadKit(project.kitDir(name), role);
      const { args } = await roleArgs(role, kit, { listenHost: "127.0.0.1" });
      const child = new Deno.Command(Deno.execPath(), {
        args,
        cwd: RUNTIME_DIR,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const output: string[] = [];
      const pump = (async () => {
        const decoder = new TextDecoder();
        for await (const chunk of child.stderr) output.push(decoder.decode(chunk));
      })();
      const done = Promise.all([child.status, pump]).then(([s]) => s);
      running.set(name, { child, output, done });
      if (role === "server") {
        await waitFor(`server "${name}" to listen`, () => output.join("").includes("listening"));
      }
    },
    async stop(name, signal = "SIGTERM") {
      const r = running.get(name);
      if (!r) throw new Error(`"${name}" is not running`);
      try {
        r.child.kill(signal);
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          r.child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, 20_000);
      const status = await r.done;
      clearTimeout(timer);
      running.delete(name);
      return status;
    },
    log: (name) => running.get(name)?.output.join("") ?? "",
    auditLog: (name) => Deno.readTextFile(`${project.kitDir(name)}/audit.log`).catch(() => ""),
    async registered(sites) {
      await waitFor(`sites ${sites.join(", ")} to register`, async () => {
        const text = await fed.auditLog("localhost");
        return sites.every((s) => text.includes(`[U:${s}][A:_register]`));
      });
    },
    async login(admin) {
      return await AdminSession.login(await loadKit(project.kitDir(admin), "admin"), {
        target: `127.0.0.1:${port}`,
      });
    },
    async finished(admin, jobId, timeoutMs = 90_000) {
      return await waitFor(`job ${jobId} to finish`, async () => {
        const r = await admin.command("get_job_meta", [jobId]);
        if (!r.ok) throw new Error(`get_job_meta ${jobId}: ${r.code} ${r.message}`);
        const s = r.data as JobSummary;
        return FINAL_STATUSES.has(s.status as JobStatus) ? s : undefined;
      }, timeoutMs);
    },
    async close() {
      await Promise.all([...running.keys()].map((n) => fed.stop(n)));
      await project.cleanup();
    },
  };
  return fed;
}
