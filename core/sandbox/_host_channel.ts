// The output side shared by the job-process hosts: frames to stdout in call order, and console
// output of job code turned into log messages so it cannot corrupt the channel.
import { frame } from "./frame_channel.ts";

type Level = "debug" | "info" | "warn" | "error";

/** A sender of frames on stdout; `drain()` resolves once everything sent is written. */
export function hostChannel(
  makeLog: (level: Level, message: string) => unknown,
): { send: (message: unknown) => Promise<void>; drain: () => Promise<void> } {
  const out = Deno.stdout.writable.getWriter();
  let writing: Promise<void> = Promise.resolve();
  const send = (message: unknown): Promise<void> => {
    const bytes = frame(message);
    writing = writing.then(() => out.write(bytes));
    return writing;
  };
  const show = (args: unknown[]) =>
    args.map((a) => typeof a === "string" ? a : Deno.inspect(a, { depth: 4 })).join(" ")
      .slice(0, 16_000);
  const levels = [["log", "info"], ["info", "info"], ["debug", "debug"], ["warn", "warn"], [
    "error",
    "error",
  ]] as const;
  for (const [method, level] of levels) {
    console[method] = (...args: unknown[]) => void send(makeLog(level, show(args)));
  }
  return { send, drain: () => writing };
}
