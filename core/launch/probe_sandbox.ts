/** What `probeSandbox()` should try. */
export interface SandboxTargets {
  /** Files or folders to open for reading. */
  read?: string[];
  /** Files to create (then remove); an existing file reports `AlreadyExists`. */
  write?: string[];
  /** `host:port` addresses to connect to over TCP. */
  connect?: string[];
  /** `host:port` addresses to listen on (port 0 = any). */
  listen?: string[];
  /** Env vars to read. */
  env?: string[];
  /** Programs to start with `--version`. */
  run?: string[];
}

/** Per attempt: `"allowed"` or the class name of the error (`NotCapable` when denied). */
export interface SandboxReport {
  read: Record<string, string>;
  write: Record<string, string>;
  connect: Record<string, string>;
  listen: Record<string, string>;
  env: Record<string, string>;
  run: Record<string, string>;
}

function hostPort(address: string): { hostname: string; port: number } {
  const cut = address.lastIndexOf(":");
  const port = Number(address.slice(cut + 1));
  if (cut < 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot probe address "${address}": expected "<host>:<port>"`);
  }
  return { hostname: address.slice(0, cut).replace(/^\[(.*)\]$/, "$1"), port };
}

async function attempt(action: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await action();
    return "allowed";
  } catch (err) {
    return err instanceof Error ? err.name : typeof err;
  }
}

/**
 * Tries each target and reports what the running process may do, so an operator (and the
 * tests) can see its sandbox: role mains run it for `--check-sandbox`. Anything created is
 * removed again; connections and listeners are closed at once.
 */
export async function probeSandbox(targets: SandboxTargets): Promise<SandboxReport> {
  const report: SandboxReport = { read: {}, write: {}, connect: {}, listen: {}, env: {}, run: {} };
  for (const path of targets.read ?? []) {
    report.read[path] = await attempt(async () => (await Deno.open(path, { read: true })).close());
  }
  for (const path of targets.write ?? []) {
    report.write[path] = await attempt(async () => {
      await Deno.writeFile(path, new Uint8Array(), { createNew: true });
      await Deno.remove(path);
    });
  }
  for (const address of targets.connect ?? []) {
    const addr = hostPort(address);
    report.connect[address] = await attempt(async () => (await Deno.connect(addr)).close());
  }
  for (const address of targets.listen ?? []) {
    report.listen[address] = await attempt(() => Deno.listen(hostPort(address)).close());
  }
  for (const name of targets.env ?? []) {
    report.env[name] = await attempt(() => Deno.env.get(name));
  }
  for (const program of targets.run ?? []) {
    report.run[program] = await attempt(() =>
      new Deno.Command(program, { args: ["--version"], stdout: "null", stderr: "null" }).output()
    );
  }
  return report;
}
