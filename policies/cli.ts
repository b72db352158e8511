/**
 * `deno task policy`: tools for authorization policy authors (`authorization.md`).
 *
 * - `explain --policy <file> --site-org <org> --user name:org:role [--submitter name:org:role]
 *   --right <right> [--json]`: the decision and the entry that produced it.
 * - `check <file>... [--json]`: validates files, lists warnings; exit 1 if any does not load.
 * - `diff <old> <new> [--json]`: the decisions that change, over all roles, rights and relations.
 *
 * Requires read access to the files only (`-P=policy`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { AuthorizationError } from "./authorization_error.ts";
import { authorize, type Identity } from "./authorize.ts";
import type { AuthorizationDecision } from "./authorization_policy.ts";
import { diffPolicies } from "./diff_policies.ts";
import { PolicyError } from "./policy_error.ts";
import { describeGroup, summarizeChanges } from "./_summarize_changes.ts";
import { readAuthorizationPolicy } from "./read_authorization_policy.ts";
import { isRight } from "./rights.ts";

const USAGE = `Usage:
  deno task policy explain --policy <file> --site-org <org> --user <name:org:role>
                           [--submitter <name:org:role>] --right <right> [--json]
  deno task policy check <file>... [--json]
  deno task policy diff <old> <new> [--json]

explain  prints ALLOW or DENY, the policy entry that decided and why
check    validates policy files (JSON or YAML) and lists warnings; exit 1 if one does not load
diff     lists the decisions that change from <old> to <new> for every role, right and
         relation of the user to the site and to the job's submitter
Exit status: 0 done, 1 a policy does not load (or check found errors), 2 bad usage`;

/** Where the CLI writes: `console` in production, a recorder in tests. */
export interface CliOutput {
  log(line: string): void;
  error(line: string): void;
}

class UsageError extends Error {
  override name = "UsageError";
}

function parseIdentity(flag: string, value: string | undefined): Identity {
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  const parts = value.split(":");
  if (parts.length !== 3 || parts.some((p) => p.trim() === "")) {
    throw new UsageError(`--${flag} "${value}" must be name:org:role, each part non-empty`);
  }
  const [name, org, role] = parts as [string, string, string];
  return { name, org, role };
}

const warningCount = (n: number) => n === 0 ? "" : ` (${n} warning${n === 1 ? "" : "s"})`;
const verdict = (allowed: boolean) => allowed ? "ALLOW" : "DENY";
const why = (d: AuthorizationDecision) => `${d.rule ?? "no entry"}: ${d.reason}`;

async function explain(args: string[], out: CliOutput): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      policy: { type: "string" },
      "site-org": { type: "string" },
      user: { type: "string" },
      submitter: { type: "string" },
      right: { type: "string" },
      json: { type: "boolean" },
    },
    strict: true,
  });
  if (values.policy === undefined) throw new UsageError("--policy is required");
  if (values["site-org"] === undefined) throw new UsageError("--site-org is required");
  if (values.right === undefined) throw new UsageError("--right is required");
  const user = parseIdentity("user", values.user);
  const submitter = values.submitter === undefined
    ? null
    : parseIdentity("submitter", values.submitter);
  const { policy, file } = await readAuthorizationPolicy(values.policy);
  const right = values.right;
  const d = authorize(policy, { right, user, submitter, siteOrg: values["site-org"] });
  const notes = [...policy.warnings.map((w) => `${file}: ${w}`)];
  if (!isRight(right)) notes.push(`"${right}" is not a right of authorization.md §5`);
  const message = d.allowed
    ? undefined
    : AuthorizationError.notAuthorized(user.name, right).message;
  if (values.json) {
    out.log(JSON.stringify({ ...d, ...(message ? { message } : {}), warnings: notes }));
  } else {
    for (const n of notes) out.error(`warning: ${n}`);
    out.log(d.allowed ? "ALLOW" : `DENY: ${message}`);
    out.log(`rule: ${d.rule ?? "(none)"}`);
    out.log(`reason: ${d.reason}`);
  }
  return 0;
}

async function check(args: string[], out: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError("check needs at least one file");
  const results = [];
  for (const path of positionals) {
    try {
      const { policy, sha256 } = await readAuthorizationPolicy(path);
      results.push({ file: path, ok: true, sha256, warnings: policy.warnings });
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      results.push({ file: path, ok: false, error: { code: err.code, message: err.message } });
    }
  }
  if (values.json) out.log(JSON.stringify(results));
  else {
    for (const r of results) {
      if (r.error) out.log(`ERROR ${r.file}: ${r.error.message} [${r.error.code}]`);
      else {
        out.log(`OK ${r.file}${warningCount(r.warnings?.length ?? 0)}`);
        for (const w of r.warnings ?? []) out.log(`  warning: ${w}`);
      }
    }
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

async function diff(args: string[], out: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 2) throw new UsageError("diff needs exactly two files: <old> <new>");
  const [before, after] = await Promise.all([
    readAuthorizationPolicy(positionals[0]!),
    readAuthorizationPolicy(positionals[1]!),
  ]);
  const result = diffPolicies(before.policy, after.policy);
  if (values.json) {
    out.log(JSON.stringify(result));
    return 0;
  }
  if (result.entries.length === 0) out.log("No decision changes");
  for (const e of result.entries) {
    for (const g of summarizeChanges(result, e)) {
      out.log(
        `${e.role} ${e.right}: ${verdict(g.before.allowed)} -> ${verdict(g.after.allowed)} ` +
          `${describeGroup(g)} (was ${why(g.before)}; now ${why(g.after)})`,
      );
    }
  }
  return 0;
}

/** Runs the CLI with `args` (without the program name); resolves to the exit status. */
export async function policyCli(args: string[], out: CliOutput = console): Promise<number> {
  const [command, ...rest] = args;
  if (
    command === undefined || command === "--help" || command === "-h" || rest.includes("--help")
  ) {
    (command === undefined ? out.error : out.log)(USAGE);
    return command === undefined ? 2 : 0;
  }
  try {
    if (command === "explain") return await explain(rest, out);
    if (command === "check") return await check(rest, out);
    if (command === "diff") return await diff(rest, out);
    throw new UsageError(`unknown command "${command}"`);
  } catch (err) {
    if (err instanceof PolicyError) {
      out.error(`${err.message} [${err.code}]`);
      return 1;
    }
    if (err instanceof UsageError || (err instanceof TypeError && "code" in err)) {
      out.error(`${err.message}\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

if (import.meta.main) Deno.exit(await policyCli(Deno.args));
