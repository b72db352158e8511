import assert from "node:assert/strict";
import {
  roleFlags,
  RUNTIME_DIR,
  type SandboxReport,
  type SandboxTargets,
} from "../core/launch/mod.ts";
import { provisionTestProject } from "./_fixtures/test_project.ts";

const PROBE = `${RUNTIME_DIR}/tests/launch_probe_fixture.ts`;

async function probeUnder(flags: string[], targets: SandboxTargets): Promise<SandboxReport> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, PROBE, JSON.stringify(targets)],
    cwd: RUNTIME_DIR,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(text) as SandboxReport;
}

/** A free loopback port, held open so the probe's connection to it succeeds. */
function holdPort(): Deno.Listener {
  return Deno.listen({ hostname: "127.0.0.1", port: 0 });
}

Deno.test("roleFlags() confines a client process to its kit, its server and Deno", async () => {
  const held = holdPort();
  const port = (held.addr as Deno.NetAddr).port;
  const project = await provisionTestProject({
    server: { fed_learn_port: port, admin_port: port },
  });
  try {
    const kit = await project.kit("site_a", "client");
    const other = project.kitDir("site_b");
    const k = kit.kitDir;
    assert.equal(kit.target, `127.0.0.1:${port}`);
    const report = await probeUnder(roleFlags("client", kit), {
      read: [
        "/etc/hostname",
        `${other}/startup/client.key`,
        `${project.dir}/project.yml`,
        `${k}/startup/client.key`,
        `${k}/local/authorization.json.default`,
        `${RUNTIME_DIR}/deno.json`,
      ],
      write: [
        `${k}/startup/probe.txt`,
        `${k}/local/probe.txt`,
        `${other}/probe.txt`,
        `${k}/probe.txt`,
        `${k}/transfer/probe.txt`,
      ],
      connect: ["127.0.0.1:9", `127.0.0.2:${port}`, `127.0.0.1:${port}`],
      listen: ["127.0.0.1:0"],
      env: ["HOME", "PATH", "LOG_TOKENS"],
      run: ["/bin/sh", Deno.execPath()],
    });
    assert.deepEqual(report, {
      read: {
        "/etc/hostname": "NotCapable",
        [`${other}/startup/client.key`]: "NotCapable",
        [`${project.dir}/project.yml`]: "NotCapable",
        [`${k}/startup/client.key`]: "allowed",
        [`${k}/local/authorization.json.default`]: "allowed",
        [`${RUNTIME_DIR}/deno.json`]: "allowed",
      },
      write: {
        [`${k}/startup/probe.txt`]: "NotCapable",
        [`${k}/local/probe.txt`]: "NotCapable",
        [`${other}/probe.txt`]: "NotCapable",
        [`${k}/probe.txt`]: "allowed",
        [`${k}/transfer/probe.txt`]: "allowed",
      },
      connect: {
        "127.0.0.1:9": "NotCapable",
        [`127.0.0.2:${port}`]: "NotCapable",
        [`127.0.0.1:${port}`]: "allowed",
      },
      listen: { "127.0.0.1:0": "NotCapable" },
      // LOG_TOKENS reads as unset (--ignore-env), so the yaml package loads.
      env: { HOME: "NotCapable", PATH: "NotCapable", LOG_TOKENS: "allowed" },
      run: { "/bin/sh": "NotCapable", [Deno.execPath()]: "allowed" },
    });
  } finally {
    held.close();
    await project.cleanup();
  }
});

Deno.test("roleFlags() confines a server process to its port, loopback, its kit and Deno", async () => {
  const held = holdPort();
  const port = (held.addr as Deno.NetAddr).port;
  held.close();
  const project = await provisionTestProject({
    server: { fed_learn_port: port, admin_port: port },
  });
  try {
    const kit = await project.kit("localhost", "server");
    const k = kit.kitDir;
    const site = project.kitDir("site_a");
    const report = await probeUnder(roleFlags("server", kit, { listenHost: "127.0.0.1" }), {
      read: ["/etc/hostname", `${site}/startup/client.key`, `${k}/startup/server.key`],
      write: [`${k}/startup/probe.txt`, `${k}/local/probe.txt`, `${k}/probe.txt`],
      connect: ["192.0.2.1:443"],
      listen: [`127.0.0.1:${port}`, `0.0.0.0:${port}`, "127.0.0.1:0"],
      env: ["HOME"],
      run: ["/bin/sh"],
    });
    assert.deepEqual(report, {
      read: {
        "/etc/hostname": "NotCapable",
        [`${site}/startup/client.key`]: "NotCapable",
        [`${k}/startup/server.key`]: "allowed",
      },
      write: {
        [`${k}/startup/probe.txt`]: "NotCapable",
        [`${k}/local/probe.txt`]: "NotCapable",
        [`${k}/probe.txt`]: "allowed",
      },
      connect: { "192.0.2.1:443": "NotCapable" },
      // 127.0.0.1 on any port is the terminator's backend (transport.md §3).
      listen: {
        [`127.0.0.1:${port}`]: "allowed",
        [`0.0.0.0:${port}`]: "NotCapable",
        "127.0.0.1:0": "allowed",
      },
      env: { HOME: "NotCapable" },
      run: { "/bin/sh": "NotCapable" },
    });
  } finally {
    await project.cleanup();
  }
});
