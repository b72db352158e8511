import { type JobFile, readJobFolder, signJobFiles } from "../core/jobs/mod.ts";
import type { LoadedKit } from "../core/kit/mod.ts";
import { parseCertificate, PrivateKey } from "../core/pki/mod.ts";
import type { ApiClient } from "../core/protocol/api_client.ts";
import { apiClientForKit } from "../core/protocol/api_client_for_kit.ts";
import { ApiError } from "../core/protocol/api_error.ts";
import { K, ROUTES } from "../core/protocol/api_kinds.ts";
import { establishSession, type Session } from "../core/protocol/establish_session.ts";

/** A server's answer to a console command or upload. */
export interface AdminReply {
  ok: boolean;
  message: string;
  code?: string;
  data?: unknown;
}

/**
 * A logged-in console (`wire-and-auth.md` §6): certificate login with the admin kit, then signed
 * commands and job uploads over the kit's connection. Every reply is verified against the server
 * certificate seen at login. Close it when done (logs out).
 */
export class AdminSession {
  readonly kit: LoadedKit;
  readonly #api: ApiClient;
  readonly #session: Session;
  readonly #key: PrivateKey;

  private constructor(kit: LoadedKit, api: ApiClient, session: Session, key: PrivateKey) {
    this.kit = kit;
    this.#api = api;
    this.#session = session;
    this.#key = key;
  }

  /** Logs in with an admin kit; `target` overrides the kit's `host:port` (tests). */
  static async login(kit: LoadedKit, options: { target?: string } = {}): Promise<AdminSession> {
    if (kit.role !== "admin") throw new TypeError(`Kit "${kit.kitDir}" is not an admin kit`);
    const api = apiClientForKit(kit, options.target);
    const key = PrivateKey.fromPem(kit.keyPem);
    try {
      const session = await establishSession(api, {
        role: "admin",
        name: kit.name,
        project: kit.project,
        serverIdentity: kit.serverIdentity,
        certificate: parseCertificate(kit.certificatePem),
        key,
        rootCa: parseCertificate(kit.rootCaPem),
      });
      return new AdminSession(kit, api, session, key);
    } catch (err) {
      api.close();
      throw err;
    }
  }

  get user(): { name: string; org: string; role: string } {
    return { name: this.kit.name, org: this.#session.org ?? "", role: this.#session.role ?? "" };
  }

  /** Runs a server command; refusals come back as `ok: false` with a code, never thrown. */
  async command(command: string, args: string[] = []): Promise<AdminReply> {
    return await this.#call(
      ROUTES.adminCommand,
      K.adminCommand.make({ user_name: this.kit.name, command, args }),
    );
  }

  /** Signs a job folder with this admin's key (`jobs.md` §4) and submits it. */
  async submitFolder(dir: string, options: { cloneOf?: string } = {}): Promise<AdminReply> {
    const files = await readJobFolder(dir);
    const name = dir.replace(/\/+$/, "").split("/").at(-1) ?? "job";
    return await this.submitFiles(name, await this.sign(files), options);
  }

  /** Signs files in transfer form with this admin's key. */
  sign(files: readonly JobFile[]): Promise<JobFile[]> {
    return signJobFiles(files, { certificatePem: this.kit.certificatePem, key: this.#key });
  }

  /** Uploads already signed files (`job.upload`). */
  async submitFiles(
    name: string,
    files: readonly JobFile[],
    options: { cloneOf?: string } = {},
  ): Promise<AdminReply> {
    return await this.#call(
      ROUTES.jobUpload,
      K.jobUpload.make({
        user_name: this.kit.name,
        name,
        files: files.map((f) => ({ path: f.path, mode: f.mode, data: f.data })),
        ...(options.cloneOf ? { clone_of: options.cloneOf } : {}),
      }),
    );
  }

  async #call(route: string, message: unknown): Promise<AdminReply> {
    try {
      const r = await this.#api.call(route, message, ["admin.reply"], this.#session);
      return {
        ok: r.ok as boolean,
        message: r.message as string,
        ...(typeof r.code === "string" ? { code: r.code } : {}),
        ...(r.data !== undefined ? { data: r.data } : {}),
      };
    } catch (err) {
      if (err instanceof ApiError && err.reason === undefined) {
        return { ok: false, code: err.code, message: err.message };
      }
      throw err;
    }
  }

  /** Logs out and closes the connection. */
  async close(): Promise<void> {
    try {
      await this.#api.call(
        ROUTES.adminLogout,
        K.adminLogout.make({ user_name: this.kit.name }),
        ["ack"],
        this.#session,
      );
    } catch {
      // The session may already have ended; closing the connection is what matters.
    } finally {
      this.#api.close();
    }
  }
}
