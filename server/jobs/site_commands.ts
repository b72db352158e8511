import type { Doorbell } from "./doorbell.ts";

/** A command waiting for, or out at, one site. */
export interface SiteCommand {
  commandId: string;
  command: string;
  jobId?: string;
  args: Record<string, unknown>;
}

/** A site's answer to a command. */
export type SiteCommandReply =
  | { ok: true; data: Record<string, unknown>; ref: string }
  | { ok: false; code: string; message: string; ref?: string };

interface Pending {
  site: string;
  command: SiteCommand;
  resolve: (r: SiteCommandReply) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Commands from the server to sites (`transport.md` §5: sites pull, never listen). `send()` queues
 * a command for a site and resolves with its `site.command_reply`, or with a `NO_REPLY` refusal
 * when the site does not answer in time (offline, or gone mid-command).
 */
export class SiteCommands {
  readonly #queued = new Map<string, Pending[]>();
  readonly #pending = new Map<string, Pending>();
  readonly #doorbell: Doorbell;

  constructor(doorbell: Doorbell) {
    this.#doorbell = doorbell;
  }

  send(
    site: string,
    command: Omit<SiteCommand, "commandId">,
    timeoutMs: number,
  ): Promise<SiteCommandReply> {
    const commandId = crypto.randomUUID();
    return new Promise((resolve) => {
      const p: Pending = {
        site,
        command: { ...command, commandId },
        resolve,
        timer: setTimeout(() => {
          this.#drop(p);
          resolve({
            ok: false,
            code: "NO_REPLY",
            message: `site "${site}" did not answer "${command.command}" within ${
              Math.round(timeoutMs / 1000)
            } s`,
          });
        }, timeoutMs),
      };
      this.#pending.set(commandId, p);
      const q = this.#queued.get(site) ?? [];
      q.push(p);
      this.#queued.set(site, q);
      this.#doorbell.ring(site);
    });
  }

  /** The next command for `site`, now out; undefined when there is none. */
  take(site: string): SiteCommand | undefined {
    return this.#queued.get(site)?.shift()?.command;
  }

  /**
   * A site's reply; returns the command it answers, undefined when the command is unknown,
   * answered already or not that site's.
   */
  reply(site: string, commandId: string, reply: SiteCommandReply): SiteCommand | undefined {
    const p = this.#pending.get(commandId);
    if (!p || p.site !== site) return undefined;
    this.#drop(p);
    p.resolve(reply);
    return p.command;
  }

  #drop(p: Pending): void {
    clearTimeout(p.timer);
    this.#pending.delete(p.command.commandId);
    const q = this.#queued.get(p.site);
    const i = q?.indexOf(p) ?? -1;
    if (i >= 0) q!.splice(i, 1);
  }

  /** Answers every pending command with `NO_REPLY` (server shutting down). */
  close(): void {
    for (const p of [...this.#pending.values()]) {
      this.#drop(p);
      p.resolve({ ok: false, code: "NO_REPLY", message: "the server is shutting down" });
    }
  }
}
