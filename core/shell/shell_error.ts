/** Codes of shell command refusals (`authorization.md` §6). */
export type ShellErrorCode = "BAD_COMMAND_ARGS" | "FILE_NOT_FOUND" | "TOO_LARGE";

/** A refused shell command: bad arguments (before authorization), a missing or too large file. */
export class ShellError extends Error {
  override name = "ShellError";
  constructor(readonly code: ShellErrorCode, message: string) {
    super(message);
  }
}
