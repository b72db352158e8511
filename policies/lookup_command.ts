import { AuthorizationError } from "./authorization_error.ts";
import { COMMANDS, type ConsoleCommand } from "./commands.ts";

/**
 * The table entry of console command `name` (exact, case-sensitive). Throws `AuthorizationError`
 * `UNKNOWN_COMMAND` for a name outside `authorization.md` §6.
 */
export function lookupCommand(name: string): ConsoleCommand {
  const command = COMMANDS.get(name);
  if (command === undefined) {
    throw new AuthorizationError("UNKNOWN_COMMAND", `Unknown command "${name}": type "help"`);
  }
  return command;
}
