/**
 * A console command refused with the code the console shows (`JOB_NOT_FOUND`, `BAD_COMMAND_ARGS`,
 * …), on the server and at a site alike; the caller audits it and answers `ok: false`.
 */
export class CommandRefusal extends Error {
  override name = "CommandRefusal";
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
