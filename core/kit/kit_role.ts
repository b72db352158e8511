/** The three kinds of startup kit; the console runs an `admin` kit. */
export type KitRole = "server" | "client" | "admin";

/** Connection file of each role, inside `startup/`. */
export const CONFIG_FILES: Readonly<Record<KitRole, string>> = {
  server: "fed_server.json",
  client: "fed_client.json",
  admin: "fed_admin.json",
};
