import { findDuplicateJsonKey } from "./_json_duplicate_key.ts";
import { parseYaml, YamlProblem } from "./_yaml.ts";
import { PolicyError } from "./policy_error.ts";

/**
 * Decodes policy file bytes (UTF-8) as JSON or YAML by the file's extension. Throws `PolicyError`
 * `AUTHZ_SYNTAX`, or `AUTHZ_DUPLICATE_KEY` for a key repeated in the file. `prefix` begins every
 * message, e.g. `Cannot load policy "local/authorization.json"`.
 */
export function parsePolicyText(bytes: Uint8Array, path: string, prefix: string): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (err) {
    throw new PolicyError("AUTHZ_SYNTAX", `${prefix}: the file is not UTF-8 text`, { cause: err });
  }
  if (/\.ya?ml$/i.test(path)) {
    try {
      return parseYaml(text);
    } catch (err) {
      if (!(err instanceof YamlProblem)) throw err;
      throw new PolicyError(
        err.duplicateKey ? "AUTHZ_DUPLICATE_KEY" : "AUTHZ_SYNTAX",
        `${prefix}: ${err.duplicateKey ? "" : "bad YAML: "}${err.detail}`,
      );
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PolicyError(
      "AUTHZ_SYNTAX",
      `${prefix}: bad JSON: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  let duplicate;
  try {
    duplicate = findDuplicateJsonKey(text);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new PolicyError("AUTHZ_SYNTAX", `${prefix}: bad JSON: ${err.message}`);
  }
  if (duplicate !== undefined) {
    throw new PolicyError(
      "AUTHZ_DUPLICATE_KEY",
      `${prefix}: key "${duplicate.key}" is repeated at ${duplicate.path}; keep one`,
    );
  }
  return value;
}
