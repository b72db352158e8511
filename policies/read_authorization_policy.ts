import { createHash } from "node:crypto";
import type { AuthorizationPolicy } from "./authorization_policy.ts";
import { parsePolicyText } from "./_parse_policy_text.ts";
import { parseAuthorizationPolicy } from "./parse_authorization_policy.ts";
import { PolicyError } from "./policy_error.ts";

/** A policy read from a file, with what its `_policy_load` audit event names. */
export interface LoadedAuthorizationPolicy {
  policy: AuthorizationPolicy;
  /** The file's name in messages, e.g. `local/authorization.json`. */
  file: string;
  /** Lowercase hex SHA-256 of the file bytes. */
  sha256: string;
}

/**
 * Reads and parses an authorization policy file: YAML when the name ends in `.yaml` or `.yml`,
 * else JSON (so `authorization.json.default` is JSON). Throws `PolicyError` whose message starts
 * `Cannot load policy "<file>"`: `AUTHZ_FILE` when it cannot be read, `AUTHZ_SYNTAX`,
 * `AUTHZ_DUPLICATE_KEY` for a key repeated in the file, or any code of
 * `parseAuthorizationPolicy()`. `options.file` names the file in messages (default: `path`).
 * Requires `--allow-read` of `path`.
 */
export async function readAuthorizationPolicy(
  path: string,
  options: { file?: string } = {},
): Promise<LoadedAuthorizationPolicy> {
  const file = options.file ?? path;
  const prefix = `Cannot load policy "${file}"`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "the file does not exist"
      : err instanceof Error
      ? err.message
      : String(err);
    throw new PolicyError("AUTHZ_FILE", `${prefix}: ${why}`, { cause: err });
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const value = parsePolicyText(bytes, path, prefix);
  return { policy: parseAuthorizationPolicy(value, { file }), file, sha256 };
}
