/** Options of one broadcast. */
export interface BroadcastOptions {
  /** Sites to send to (default: every site of the job). */
  targets?: string[];
  /** Answers needed for the task to count (default: every target). */
  minResponses?: number;
  /** How long to wait for answers. */
  timeoutMs: number;
  /** Once `minResponses` answered, how much longer to wait for the rest (default 0). */
  waitAfterMinMs?: number;
}

/** What the controller sees of a broadcast once it stopped waiting. */
export interface BroadcastOutcome {
  responded: string[];
  /** Targets that did not answer in time, or answered with an error. */
  missing: { site: string; reason: string }[];
}

/**
 * What a controller (e.g. ScatterAndGather) gets to drive a job: the job's sites and arguments,
 * task broadcasts whose answers arrive one by one, progress reports and audit events. Controllers
 * run in the server job process and hold no credentials.
 */
export interface ControllerContext {
  jobId: string;
  sites: string[];
  args: Record<string, unknown>;
  /** Aborted when the job is aborted. */
  signal: AbortSignal;
  broadcast(
    taskName: string,
    data: unknown,
    options: BroadcastOptions,
    onResult: (site: string, data: unknown) => void,
  ): Promise<BroadcastOutcome>;
  progress(round: number, totalRounds: number, metrics?: Record<string, number>): void;
  log(level: "debug" | "info" | "warn" | "error", message: string): void;
  audit(message: string, task?: { name: string; id: string }): void;
}

/** A controller module's default export. Its return value is the job's result. */
export type Controller = (ctx: ControllerContext) => Promise<unknown>;
