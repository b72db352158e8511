// Contents of the files of one kit (`provisioning.md` §4).
import type { AdminParticipant, ClientParticipant, Project, ServerParticipant } from "./project.ts";
import type { Templates } from "./_templates.ts";

/** Host clients use unless their connect_to says otherwise. */
export function serverHost(server: ServerParticipant): string {
  return server.defaultHost ?? server.name;
}

/** `host:port` a client or admin kit connects to. */
export function memberTarget(project: Project, p: ClientParticipant | AdminParticipant): string {
  const host = p.connectTo?.host ?? serverHost(project.server);
  const port = p.connectTo?.port ??
    (p.type === "client" ? project.server.fedLearnPort : project.server.adminPort);
  return `${host}:${port}`;
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
const scheme = (security: string) => security === "clear" ? "http" : "https";

/** `fed_server.json`. */
export function fedServerJson(project: Project): string {
  const s = project.server;
  const host = serverHost(s);
  const server: Record<string, unknown> = {
    name: project.name,
    identity: s.identity,
    service: { target: `${host}:${s.fedLearnPort}`, scheme: scheme(s.connectionSecurity) },
    admin_server: host,
    admin_port: s.adminPort,
    ssl_cert: "server.crt",
    ssl_private_key: "server.key",
    ssl_root_cert: "rootCA.pem",
    connection_security: s.connectionSecurity,
  };
  if (s.transport !== undefined) server.transport = s.transport;
  return json({ format_version: 2, servers: [server] });
}

/** `fed_client.json`. */
export function fedClientJson(project: Project, p: ClientParticipant): string {
  return json({
    format_version: 2,
    servers: [{
      name: project.name,
      identity: project.server.identity,
      service: { target: memberTarget(project, p), scheme: scheme(p.connectionSecurity) },
    }],
    client: {
      fqsn: p.name,
      ssl_cert: "client.crt",
      ssl_private_key: "client.key",
      ssl_root_cert: "rootCA.pem",
      connection_security: p.connectionSecurity,
    },
  });
}

/** `fed_admin.json`. */
export function fedAdminJson(project: Project, p: AdminParticipant): string {
  const target = memberTarget(project, p);
  const cut = target.lastIndexOf(":");
  return json({
    format_version: 1,
    admin: {
      project_name: project.name,
      username: p.name,
      server_identity: project.server.identity,
      host: target.slice(0, cut),
      port: Number(target.slice(cut + 1)),
      scheme: scheme(p.connectionSecurity),
      connection_security: p.connectionSecurity,
      client_cert: "client.crt",
      client_key: "client.key",
      ca_cert: "rootCA.pem",
      upload_dir: "transfer",
      download_dir: "transfer",
    },
  });
}

/** `start.sh` (server, client) or `fl_admin.sh` (admin). */
export function startScript(task: "server" | "client" | "console", participant: string): string {
  const clearShutdown = task === "console" ? "" : `rm -f "$kit_dir/shutdown.fl"\n`;
  const what = task === "console"
    ? "the Stockade console"
    : `the Stockade ${task}; its launcher restarts a crashed process (at most 5 times in\n# 300 s), stops on <kit>/shutdown.fl (see stop_fl.sh) and restarts on <kit>/restart.fl`;
  return `#!/usr/bin/env sh
# Starts ${what}.
# Kit of "${participant}". STOCKADE_HOME must point at the Stockade checkout to run from.
set -eu
kit_dir="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "\${STOCKADE_HOME:-}" ]; then
  echo "STOCKADE_HOME is not set: export STOCKADE_HOME=<path of your Stockade checkout>" >&2
  exit 1
fi
deno="$STOCKADE_HOME/node_modules/.bin/deno"
if [ ! -x "$deno" ]; then
  echo "No Deno at \\"$deno\\": run 'npm ci' in \\"$STOCKADE_HOME\\" first" >&2
  exit 1
fi
${clearShutdown}cd "$STOCKADE_HOME"
exec "$deno" task ${task} --kit "$kit_dir" "$@"
`;
}

/** `stop_fl.sh`: asks the running process to stop. */
export function stopScript(participant: string): string {
  return `#!/usr/bin/env sh
# Asks the running process of "${participant}" to stop: its launcher watches for <kit>/shutdown.fl.
set -eu
kit_dir="$(cd "$(dirname "$0")/.." && pwd)"
touch "$kit_dir/shutdown.fl"
echo "Shutdown requested: $kit_dir/shutdown.fl"
`;
}

/** `readme.txt` of a kit. */
export function readme(project: Project, type: string, name: string): string {
  const start = type === "admin" ? "startup/fl_admin.sh" : "startup/start.sh";
  return `Stockade startup kit
project:     ${project.name}
participant: ${name} (${type})

Keep this folder private: startup/ holds this participant's private key.

Start: export STOCKADE_HOME=<path of your Stockade checkout>, then run ${start}.
${
    type === "admin"
      ? ""
      : "Stop:  run startup/stop_fl.sh (creates shutdown.fl next to this file).\n"
  }
startup/   signed at provisioning; any edit, added or removed file stops the process at start
           (check it with: deno task kit verify <this folder>).
local/     site settings you may edit: copy <policy>.json.default to <policy>.json and change it;
           local/connection.json {"target": "<host>:<port>"} overrides the server address.
transfer/  files exchanged with the console.
`;
}

/** Client `resources.json.default`, with the project's capacity in the GPU manager. */
export function clientResources(templates: Templates, p: ClientParticipant): Uint8Array {
  if (p.capacity === undefined) return templates.clientResources;
  const doc = JSON.parse(new TextDecoder().decode(templates.clientResources)) as {
    components?: { path?: string; args?: Record<string, unknown> }[];
  };
  const gpu = doc.components?.find((c) => c.path === "stockade.resources.GPUResourceManager");
  if (gpu === undefined) {
    throw new Error("resources.json.default template lacks the GPU resource manager");
  }
  gpu.args = { ...gpu.args, ...p.capacity };
  return new TextEncoder().encode(json(doc));
}
