// Template files copied into kits, read once per run. Reading them needs --allow-read of
// policies/defaults/ and provision/templates/ (granted by provision/launch.ts).

/** Bytes of every template a kit may receive. */
export interface Templates {
  authorization: Uint8Array;
  privacy: Uint8Array;
  clientResources: Uint8Array;
  serverResources: Uint8Array;
  adminResources: Uint8Array;
  logConfig: Uint8Array;
}

/** Folders the templates live in (for permission grants). */
export const TEMPLATE_DIRS = [
  new URL("../policies/defaults/", import.meta.url),
  new URL("./templates/", import.meta.url),
];

/** Reads the templates. */
export async function loadTemplates(): Promise<Templates> {
  const policy = (name: string) =>
    Deno.readFile(new URL(`../policies/defaults/${name}`, import.meta.url));
  const own = (name: string) => Deno.readFile(new URL(`./templates/${name}`, import.meta.url));
  const [authorization, privacy, clientResources, logConfig, serverResources, adminResources] =
    await Promise.all([
      policy("authorization.json.default"),
      policy("privacy.json.sample"),
      policy("resources.json.default"),
      policy("log_config.json.default"),
      own("server_resources.json.default"),
      own("admin_resources.json.default"),
    ]);
  return { authorization, privacy, clientResources, serverResources, adminResources, logConfig };
}
