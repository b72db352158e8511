/**
 * The console's read-only shell commands (`authorization.md` §6), in TypeScript, jailed to a
 * workspace: `parseShellCommand()` checks the arguments before authorization, `runShellCommand()`
 * runs a checked command inside the workspace root.
 *
 * ```ts
 * import { parseShellCommand, runShellCommand } from "./mod.ts";
 * const command = parseShellCommand("grep", ["-n", "error", "audit.log"]); // BAD_COMMAND_ARGS?
 * // … authorize the user for the right `grep`, then:
 * console.log(await runShellCommand("workspace/site_a", command));
 * ```
 *
 * @module
 */
export {
  type CatFlag,
  type GrepFlag,
  hasReadableExtension,
  isShellCommand,
  type LsFlag,
  parseShellCommand,
  READABLE_EXTENSIONS,
  type ShellCommand,
} from "./parse_shell_command.ts";
export { runShellCommand } from "./run_shell_command.ts";
export { ShellError, type ShellErrorCode } from "./shell_error.ts";
