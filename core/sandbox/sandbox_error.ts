/** Why a job process failed or was stopped. */
export type SandboxErrorCode =
  | "EXECUTION_TIMEOUT"
  | "TASK_FAILED"
  | "PROCESS_EXITED"
  | "HEAP_EXCEEDED"
  | "PROTOCOL_VIOLATION";

/** A job process failed its task, broke the channel protocol, or died. */
export class SandboxError extends Error {
  override name = "SandboxError";
  readonly code: SandboxErrorCode;

  constructor(code: SandboxErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
