// The package's node build reads LOG_TOKENS/LOG_STREAM through process.env, which needs env
// permission under Deno; its browser build is the same parser without that lookup, so policy
// files load in processes without env access. nodeModulesDir is "manual": the file is present
// wherever the package is installed.
// @ts-types="../node_modules/yaml/dist/index.d.ts"
import { isScalar, parseAllDocuments, visit } from "../node_modules/yaml/browser/dist/index.js";

/** Why YAML text is refused: a repeated key, or anything else wrong with it. */
export class YamlProblem {
  constructor(readonly duplicateKey: boolean, readonly detail: string) {}
}

/**
 * Parses a YAML file of at most one document with the core schema. Throws `YamlProblem` for any error or warning
 * (an unknown tag is not silently read as a string), a repeated key, a non-scalar key or a bad
 * alias.
 */
export function parseYaml(text: string): unknown {
  const docs = parseAllDocuments(text, {
    schema: "core",
    uniqueKeys: true,
    strict: true,
    logLevel: "silent",
  });
  if (!Array.isArray(docs)) return null; // an empty stream: no document at all
  if (docs.length > 1) throw new YamlProblem(false, "the file holds more than one document");
  const doc = docs[0];
  if (doc === undefined) return null;
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first !== undefined) {
    const where = first.linePos?.[0];
    const at = where ? ` at line ${where.line}, column ${where.col}` : "";
    if (first.code === "DUPLICATE_KEY") {
      throw new YamlProblem(true, `a key is repeated${at}`);
    }
    throw new YamlProblem(false, `${first.message.split("\n")[0]!.replace(/:$/, "")}`);
  }
  let complexKey = false;
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        complexKey = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (complexKey) throw new YamlProblem(false, "a key is a list or a map; keys must be scalars");
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new YamlProblem(false, err instanceof Error ? err.message : String(err));
  }
}
