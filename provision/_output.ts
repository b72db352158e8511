// Small output helpers for the CLIs (stdout for results, stderr for diagnostics).
const enc = new TextEncoder();

/** Writes a line to stdout. */
export function out(line = ""): void {
  Deno.stdout.writeSync(enc.encode(line + "\n"));
}

/** Writes a line to stderr. */
export function err(line: string): void {
  Deno.stderr.writeSync(enc.encode(line + "\n"));
}

/** Code and message of any thrown value. */
export function describeError(e: unknown): { code: string; message: string } {
  if (e instanceof Deno.errors.NotCapable) {
    return { code: "PERMISSION_DENIED", message: `${e.message} (run through "deno task")` };
  }
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === "string" ? code : e.name, message: e.message };
  }
  return { code: "ERROR", message: String(e) };
}

/** Reads a secret file: its content without one trailing newline. */
export async function readSecretFile(path: string): Promise<string> {
  return (await Deno.readTextFile(path)).replace(/\r?\n$/, "");
}
