// The package's node build reads LOG_TOKENS/LOG_STREAM through process.env, which needs env
// permission under Deno; its browser build is the same parser without that lookup. nodeModulesDir
// is "manual", so this file is always present where the package is installed.
// @ts-types="../../node_modules/yaml/dist/index.d.ts"
import { parse } from "../../node_modules/yaml/browser/dist/index.js";

/** Parses YAML with the core schema, refusing duplicate keys and alias bombs. */
export function parseYaml(text: string): unknown {
  return parse(text, { schema: "core", uniqueKeys: true, strict: true, maxAliasCount: 100 });
}
