/**
 * The console's read-only shell commands (`authorization.md` §6), in TypeScript, jailed to a
 * workspace: `parseShellCommand()` checks the arguments before authorization, `runShellCommand()`
 * runs a checked command inside the workspace root.
 *
 * @module
 */
export { parseShellCommand, type ShellCommand } from "./parse_shell_command.ts";
export { runShellCommand } from "./run_shell_command.ts";
export { ShellError, type ShellErrorCode } from "./shell_error.ts";
