import assert from "node:assert/strict";
import type { LoadedKit } from "../kit/mod.ts";
import { roleFlags, RUNTIME_DIR } from "./role_flags.ts";

function kit(role: "server" | "client", extra: Partial<LoadedKit> = {}): LoadedKit {
  return {
    kitDir: `/kits/${role}`,
    role,
    name: role === "server" ? "fl.example" : "site-a",
    project: "p",
    connectionSecurity: "mtls",
    scheme: "https",
    target: "fl.example:8443",
    serverIdentity: "fl.example",
    certificatePem: "",
    keyPem: "",
    rootCaPem: "",
    config: { servers: [{ admin_port: 8443 }] },
    ...extra,
  };
}

const SRC = (role: string) =>
  ["core", "policies", role, "mod.ts", "deno.json", "package.json", "node_modules"]
    .map((e) => `/repo/${e}`).join(",");

Deno.test("roleFlags() grants a client its kit, the runtime source and the server address only", () => {
  assert.deepEqual(
    roleFlags("client", kit("client"), { runtimeDir: "/repo", execPath: "/d/deno" }),
    [
      "--no-prompt",
      "--no-remote",
      "--deny-import",
      "--unstable-worker-options",
      `--allow-read=/kits/client,${SRC("client")}`,
      "--allow-write=/kits/client",
      "--deny-write=/kits/client/startup,/kits/client/local",
      "--allow-net=fl.example:8443",
      "--allow-run=/d/deno",
      "--ignore-env=LOG_TOKENS,LOG_STREAM",
    ],
  );
});

Deno.test("roleFlags() lets an mTLS server listen on its port and pipe through loopback", () => {
  const flags = roleFlags("server", kit("server"), {
    runtimeDir: "/repo",
    execPath: "/d/deno",
    listenHost: "127.0.0.1",
  });
  assert.deepEqual(flags, [
    "--no-prompt",
    "--no-remote",
    "--deny-import",
    "--unstable-worker-options",
    `--allow-read=/kits/server,${SRC("server")}`,
    "--allow-write=/kits/server",
    "--deny-write=/kits/server/startup,/kits/server/local",
    "--allow-net=127.0.0.1:8443,127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8,127.0.0.9",
    "--allow-run=/d/deno",
    "--ignore-env=LOG_TOKENS,LOG_STREAM",
  ]);
});

Deno.test("roleFlags() gives a tls server with a separate admin port both ports and no loopback", () => {
  const flags = roleFlags(
    "server",
    kit("server", { connectionSecurity: "tls", config: { servers: [{ admin_port: 8003 }] } }),
    { runtimeDir: "/repo", execPath: "/d/deno" },
  );
  assert.equal(
    flags.find((f) => f.startsWith("--allow-net=")),
    "--allow-net=0.0.0.0:8443,0.0.0.0:8003",
  );
});

Deno.test("roleFlags() gives an http1 mTLS server no loopback backend", () => {
  const flags = roleFlags(
    "server",
    kit("server", { config: { servers: [{ admin_port: 8443, transport: "http1" }] } }),
    { runtimeDir: "/repo", execPath: "/d/deno", listenHost: "[::1]" },
  );
  assert.equal(flags.find((f) => f.startsWith("--allow-net=")), "--allow-net=[::1]:8443");
});

Deno.test("roleFlags() defaults to this checkout and the running Deno, never -A", () => {
  const flags = roleFlags("client", kit("client"));
  assert.ok(flags.includes(`--allow-run=${Deno.execPath()}`));
  assert.ok(flags.some((f) => f.startsWith(`--allow-read=/kits/client,${RUNTIME_DIR}/core,`)));
  assert.ok(!flags.some((f) => f === "-A" || f === "--allow-all" || f.startsWith("--allow-env")));
});

Deno.test("roleFlags() refuses a kit of the other role and paths flags cannot express", () => {
  assert.throws(() => roleFlags("server", kit("client")), TypeError);
  assert.throws(() => roleFlags("client", kit("client", { kitDir: "/a,b" })), RangeError);
  assert.throws(() => roleFlags("client", kit("client", { kitDir: "rel/kit" })), RangeError);
  assert.throws(
    () => roleFlags("server", kit("server"), { listenHost: "1.2.3.4,5.6.7.8" }),
    RangeError,
  );
  assert.throws(() => roleFlags("server", kit("server"), { listenHost: "" }), RangeError);
});
