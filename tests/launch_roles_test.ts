import assert from "node:assert/strict";
import { loadKit } from "../core/kit/mod.ts";
import { roleFlags, RUNTIME_DIR } from "../core/launch/mod.ts";
import { provisionTestProject } from "./_fixtures/test_project.ts";

const FIXTURE = `${RUNTIME_DIR}/tests/launch_roles_fixture.ts`;

/** Reads `child`'s stdout until a line equals `want`; false if it ends first. */
async function readUntil(child: Deno.ChildProcess, want: string): Promise<boolean> {
  let text = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      text += value;
      if (text.split("\n").includes(want)) return true;
    }
  } finally {
    await reader.cancel();
  }
}

const MODES = [
  { security: "mtls", transport: "terminator" },
  { security: "mtls", transport: "http1" },
  { security: "tls" },
  { security: "clear" },
] as const;

for (const mode of MODES) {
  const name = "transport" in mode ? `${mode.security} (${mode.transport})` : mode.security;
  Deno.test(`roleFlags() suffice for a real ${name} server and client to talk`, async () => {
    const held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (held.addr as Deno.NetAddr).port;
    held.close();
    const project = await provisionTestProject({
      security: mode.security,
      server: {
        fed_learn_port: port,
        admin_port: port,
        ...("transport" in mode && mode.transport === "http1" ? { transport: "http1" } : {}),
      },
    });
    const spawn = (flags: string[], role: string, kit: string) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", ...flags, FIXTURE, role, kit],
        cwd: RUNTIME_DIR,
        stdin: "null",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
    const serverKit = await loadKit(project.kitDir("localhost"), "server");
    const server = spawn(
      roleFlags("server", serverKit, { listenHost: "127.0.0.1" }),
      "server",
      serverKit.kitDir,
    );
    let client: Deno.ChildProcess | undefined;
    const timer = setTimeout(() => {
      for (const c of [server, client]) {
        try {
          c?.kill("SIGKILL");
        } catch { /* gone */ }
      }
    }, 30_000);
    try {
      assert.ok(await readUntil(server, "LISTENING"), "the server did not start");
      const clientKit = await loadKit(project.kitDir("site_a"), "client");
      client = spawn(roleFlags("client", clientKit), "client", clientKit.kitDir);
      assert.ok(await readUntil(client, "POLLED"), "the client did not poll");
      assert.equal((await client.status).code, 0);
    } finally {
      clearTimeout(timer);
      for (const c of [client, server]) {
        try {
          c?.kill("SIGTERM");
        } catch { /* gone */ }
        await c?.status;
      }
      await project.cleanup();
    }
  });
}
