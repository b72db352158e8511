import type { AuditSink } from "../core/util/audit_sink.ts";
import { type LocalFileWatch, watchLocalFile } from "../core/util/watch_local_file.ts";
import type { AuthorizationDecision, AuthorizationPolicy } from "./authorization_policy.ts";
import { type AuthorizationRequest, authorize } from "./authorize.ts";
import { loadAuthorizationPolicy } from "./load_authorization_policy.ts";
import type { LoadedAuthorizationPolicy } from "./read_authorization_policy.ts";

/** Options of `PolicyStore.open()`. */
export interface PolicyStoreOptions {
  /** Where `_policy_load` and `_policy_reload` events go (`audit.md` §4). */
  audit: Pick<AuditSink, "addEvent">;
  /** Receives parse warnings and reload failures. */
  log?: (level: "info" | "warn" | "error", message: string) => void;
  /** Reload when a `local/authorization.*` file changes. Default `true`. */
  watch?: boolean;
  /** Quiet time after the last file change before reloading, in ms. Default 1000. */
  debounceMs?: number;
}

/** The outcome of `PolicyStore.reload()`. */
export type PolicyReloadResult =
  | { ok: true; changed: boolean; file: string; sha256: string }
  | { ok: false; error: Error };

const message = (err: unknown) => err instanceof Error ? err.message : String(err);

/**
 * A site's current authorization policy with live reload (`authorization.md` §1): a change to a
 * `local/authorization.*` file (debounced, 1 s by default), SIGHUP (see `listenForHangup()`) or
 * `reload()` re-reads it. The new policy replaces the old one in a single assignment, and only
 * after it fully parsed; if it fails, the old one stays, the error is logged and audited as
 * `_policy_reload` `failed: <detail>`. Requires `--allow-read` of the kit. Close it when done.
 */
export class PolicyStore {
  #current: LoadedAuthorizationPolicy;
  readonly #kitDir: string;
  readonly #options: PolicyStoreOptions;
  #queue: Promise<unknown> = Promise.resolve();
  #watch: LocalFileWatch | undefined;
  #hangup: (() => void) | undefined;
  #closed = false;

  private constructor(
    kitDir: string,
    loaded: LoadedAuthorizationPolicy,
    options: PolicyStoreOptions,
  ) {
    this.#kitDir = kitDir;
    this.#current = loaded;
    this.#options = options;
  }

  /**
   * Loads the kit's policy and audits `_policy_load` with the file and its SHA-256. On failure it
   * audits `_policy_load` `failed: <detail>` and rethrows: the site must not start (exit 1).
   */
  static async open(kitDir: string, options: PolicyStoreOptions): Promise<PolicyStore> {
    let loaded: LoadedAuthorizationPolicy;
    try {
      loaded = await loadAuthorizationPolicy(kitDir);
    } catch (err) {
      await options.audit.addEvent({
        user: "system",
        action: "_policy_load",
        msg: `failed: ${message(err)}`,
      });
      throw err;
    }
    await options.audit.addEvent({
      user: "system",
      action: "_policy_load",
      msg: `file=${loaded.file} sha256=${loaded.sha256}`,
    });
    const store = new PolicyStore(kitDir, loaded, options);
    store.#logWarnings(loaded);
    if (options.watch ?? true) {
      store.#watch = watchLocalFile(`${kitDir}/local`, "authorization", () => {
        if (!store.#closed) void store.#enqueue(true);
      }, {
        ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
        ...(options.log ? { log: options.log } : {}),
      });
    }
    return store;
  }

  /** The current policy. */
  get policy(): AuthorizationPolicy {
    return this.#current.policy;
  }

  /** The current policy's file, relative to the kit. */
  get file(): string {
    return this.#current.file;
  }

  /** SHA-256 (hex) of the current policy's file bytes. */
  get sha256(): string {
    return this.#current.sha256;
  }

  /** `authorize()` under the current policy. */
  authorize(request: AuthorizationRequest): AuthorizationDecision {
    return authorize(this.#current.policy, request);
  }

  /**
   * Re-reads the policy now and audits `_policy_reload` either way. Calls run one at a time in
   * call order. Never throws: a failure is in the result.
   */
  reload(): Promise<PolicyReloadResult> {
    return this.#enqueue(false);
  }

  /** Reloads on SIGHUP until `close()`; for the site process's main, not for libraries. */
  listenForHangup(): void {
    if (this.#hangup !== undefined || this.#closed) return;
    this.#hangup = () => void this.reload();
    Deno.addSignalListener("SIGHUP", this.#hangup);
  }

  /** Stops watching and listening for SIGHUP, and waits for a reload in progress. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#hangup !== undefined) Deno.removeSignalListener("SIGHUP", this.#hangup);
    this.#hangup = undefined;
    await this.#watch?.close();
    await this.#queue;
  }

  #enqueue(onlyIfChanged: boolean): Promise<PolicyReloadResult> {
    const run = this.#queue.then(() => this.#reloadNow(onlyIfChanged));
    this.#queue = run;
    return run;
  }

  async #reloadNow(onlyIfChanged: boolean): Promise<PolicyReloadResult> {
    const log = this.#options.log ?? (() => {});
    let loaded: LoadedAuthorizationPolicy;
    try {
      loaded = await loadAuthorizationPolicy(this.#kitDir);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      log("error", `Policy reload failed, keeping "${this.#current.file}": ${error.message}`);
      await this.#audit(`failed: ${error.message}`);
      return { ok: false, error };
    }
    const changed = loaded.file !== this.#current.file || loaded.sha256 !== this.#current.sha256;
    if (changed || !onlyIfChanged) {
      this.#current = loaded;
      this.#logWarnings(loaded);
      await this.#audit(`file=${loaded.file} sha256=${loaded.sha256}`);
    }
    return { ok: true, changed, file: loaded.file, sha256: loaded.sha256 };
  }

  async #audit(msg: string): Promise<void> {
    try {
      await this.#options.audit.addEvent({ user: "system", action: "_policy_reload", msg });
    } catch (err) {
      this.#options.log?.("error", `Cannot audit policy reload "${msg}": ${message(err)}`);
    }
  }

  #logWarnings(loaded: LoadedAuthorizationPolicy): void {
    for (const w of loaded.policy.warnings) this.#options.log?.("warn", `${loaded.file}: ${w}`);
  }
}
