import type { AuditSink } from "../util/audit_sink.ts";
import { type LocalFileWatch, watchLocalFile } from "../util/watch_local_file.ts";
import { loadPrivacyPolicy, type PrivacyPolicy } from "./privacy_policy.ts";

type Loaded = Awaited<ReturnType<typeof loadPrivacyPolicy>>;

const message = (err: unknown) => err instanceof Error ? err.message : String(err);

/**
 * A site's current privacy policy with live reload (`privacy-and-filters.md` §1–2): a change to a
 * `local/privacy.*` file (debounced), SIGHUP or `reload()` re-reads it; jobs deployed later get the
 * new policy, running jobs keep the chains they deployed with. A policy that does not load leaves
 * the previous one in place, logged and audited as `_policy_reload` `failed: …`. Removing the file
 * is a change like any other: new jobs then run without site filters (`privacy=none`).
 */
export class PrivacyStore {
  #current: Loaded;
  readonly #kitDir: string;
  readonly #audit: Pick<AuditSink, "addEvent">;
  readonly #log: (level: "info" | "warn" | "error", message: string) => void;
  #queue: Promise<unknown> = Promise.resolve();
  #watch: LocalFileWatch | undefined;
  #hangup: (() => void) | undefined;
  #closed = false;

  private constructor(
    kitDir: string,
    loaded: Loaded,
    options: Pick<PrivacyStoreOptions, "audit" | "log">,
  ) {
    this.#kitDir = kitDir;
    this.#current = loaded;
    this.#audit = options.audit;
    this.#log = options.log ?? (() => {});
  }

  /**
   * Loads `local/privacy.*` and audits `_policy_load`; on failure audits it and rethrows, since
   * the site must not start (§1).
   */
  static async open(kitDir: string, options: PrivacyStoreOptions): Promise<PrivacyStore> {
    let loaded: Loaded;
    try {
      loaded = await loadPrivacyPolicy(kitDir);
    } catch (err) {
      await options.audit.addEvent({
        user: "system",
        action: "_policy_load",
        msg: `failed: ${message(err)}`,
      });
      throw err;
    }
    if (loaded) {
      await options.audit.addEvent({
        user: "system",
        action: "_policy_load",
        msg: `file=${loaded.file} sha256=${loaded.sha256}`,
      });
    }
    const store = new PrivacyStore(kitDir, loaded, options);
    if (options.watch ?? true) {
      store.#watch = watchLocalFile(`${kitDir}/local`, "privacy", () => void store.reload(), {
        ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
        log: store.#log,
      });
    }
    return store;
  }

  /** The current policy; undefined when the site has none. */
  get policy(): PrivacyPolicy | undefined {
    return this.#current?.policy;
  }

  /** Re-reads the policy; calls run one at a time. Never throws: false when it failed. */
  reload(): Promise<boolean> {
    const run = this.#queue.then(() => this.#reloadNow());
    this.#queue = run;
    return run;
  }

  /** Reloads on SIGHUP until `close()`. */
  listenForHangup(): void {
    if (this.#hangup !== undefined || this.#closed) return;
    this.#hangup = () => void this.reload();
    Deno.addSignalListener("SIGHUP", this.#hangup);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#hangup !== undefined) Deno.removeSignalListener("SIGHUP", this.#hangup);
    this.#hangup = undefined;
    await this.#watch?.close();
    await this.#queue;
  }

  async #reloadNow(): Promise<boolean> {
    if (this.#closed) return false;
    let loaded: Loaded;
    try {
      loaded = await loadPrivacyPolicy(this.#kitDir);
    } catch (err) {
      this.#log(
        "error",
        `Privacy policy reload failed, keeping "${this.#current?.file ?? "none"}": ${message(err)}`,
      );
      await this.#event(`failed: ${message(err)}`);
      return false;
    }
    if (loaded?.sha256 === this.#current?.sha256 && loaded?.file === this.#current?.file) {
      return true;
    }
    this.#current = loaded;
    await this.#event(
      loaded ? `file=${loaded.file} sha256=${loaded.sha256}` : "privacy policy removed",
    );
    this.#log("info", `privacy policy reloaded: ${loaded?.file ?? "none"} (new jobs only)`);
    return true;
  }

  async #event(msg: string): Promise<void> {
    try {
      await this.#audit.addEvent({ user: "system", action: "_policy_reload", msg });
    } catch (err) {
      this.#log("error", `Cannot audit privacy policy reload "${msg}": ${message(err)}`);
    }
  }
}

/** Options of `PrivacyStore.open()`. */
export interface PrivacyStoreOptions {
  audit: Pick<AuditSink, "addEvent">;
  log?: (level: "info" | "warn" | "error", message: string) => void;
  /** Reload when a `local/privacy.*` file changes. Default `true`. */
  watch?: boolean;
  debounceMs?: number;
}
