import { Hono } from "hono";
import { AuthenticationError } from "../core/protocol/authentication_error.ts";
import { API, K, ROUTES } from "../core/protocol/api_kinds.ts";
import {
  authenticateBody,
  authenticateHeaders,
  type IncomingRequest,
  requireName,
} from "./auth/authenticate_request.ts";
import type { LiveSession } from "./sessions/session_registry.ts";
import {
  completeChallenge,
  openChallenge,
  renewSession,
  startSession,
} from "./routes/establish.ts";
import { readBody, refusal, reply } from "./routes/_reply.ts";
import { ApiRefusal } from "./routes/api_refusal.ts";
import type { ConnectionInfo, ServerContext } from "./server_context.ts";
import { type JobUpload, submitJob } from "./jobs/submit_job.ts";
import { toHex } from "../core/util/to_hex.ts";

type Env = { Bindings: ConnectionInfo };
type Handler = (
  req: IncomingRequest,
  msg: Record<string, unknown>,
  session: LiveSession,
) => Promise<unknown>;

const ADMIN_ROUTES = new Set<string>([
  ROUTES.adminChallenge,
  ROUTES.adminLogin,
  ROUTES.adminCommand,
  ROUTES.jobUpload,
  ROUTES.adminLogout,
]);

/**
 * The server's HTTP API as one Hono app, whatever the transport (`transport.md`): every body is a
 * CBOR message of the route's kind, every reply is signed, every refusal carries its reason.
 */
export function createApp(ctx: ServerContext): Hono<Env> {
  const app = new Hono<Env>();

  /**
   * One API route. `auth` names the session type the route needs (null for the challenge and
   * registration kinds): its header checks run before the body is read.
   */
  const route = (path: string, auth: "site" | "admin" | null, handler: Handler) => {
    app.post(path, async (c) => {
      const conn = c.env;
      const headers = c.req.raw.headers;
      try {
        const pending = auth ? await authenticateHeaders(ctx, headers, conn, auth) : undefined;
        const body = await readBody(c.req.raw, ctx.settings.limits.maxMessageBytes);
        const url = new URL(c.req.url);
        const req: IncomingRequest = {
          method: "POST",
          target: url.pathname + url.search,
          headers,
          body,
          conn,
          signal: c.req.raw.signal,
        };
        const session = pending ? await authenticateBody(ctx, req, pending, auth!) : undefined;
        const msg = API.decodeMessage(body, { route: path, limits: ctx.settings.limits });
        if (session) requireName(session, auth === "site" ? msg.client_name : msg.user_name);
        return await reply(ctx, headers, 200, await handler(req, msg, session!));
      } catch (err) {
        return await refusal(ctx, headers, err, path, conn);
      }
    });
  };

  // A separate admin listener serves only console routes, the site listener only site routes.
  app.use("*", async (c, next) => {
    const admin = ADMIN_ROUTES.has(c.req.path);
    const serves = c.env.serves;
    if ((serves === "site" && admin) || (serves === "admin" && !admin)) {
      return await reply(ctx, c.req.raw.headers, 404, {
        kind: "error",
        v: 1,
        code: "NOT_FOUND",
        message: `No route "${c.req.path}" on this listener`,
      });
    }
    return await next();
  });

  route(
    ROUTES.regChallenge,
    null,
    (_req, m) =>
      openChallenge(
        ctx,
        "site",
        m.client_name as string,
        m.project as string,
        m.nonce_c as Uint8Array,
      ),
  );

  route(ROUTES.register, null, async (req, m) => {
    const claimed = m.client_name as string;
    const id = await completeChallenge(ctx, "site", {
      reg_id: m.reg_id as Uint8Array,
      name: claimed,
      cert: m.cert as Uint8Array,
      sig_c: m.sig_c as Uint8Array,
    }, req.conn);
    if (ctx.sessions.isDisabled(id.name)) {
      throw new AuthenticationError("client_disabled", `Site "${id.name}" is disabled`, {
        claimed,
      });
    }
    const known = ctx.sessions.get("site", id.name) !== undefined;
    if (!known && ctx.sessions.sites().length >= ctx.settings.maxNumClients) {
      throw new AuthenticationError(
        "too_many_clients",
        `The server already has ${ctx.settings.maxNumClients} sites connected`,
        { claimed },
      );
    }
    const session = await startSession(ctx, "site", id, req.conn);
    await ctx.audit.addEvent({
      user: id.name,
      action: "_register",
      msg: `fingerprint=${toHex(id.fingerprint)}`,
    });
    ctx.log("info", `site "${id.name}" registered from ${req.conn.remote}`);
    return K.regSession.make(session);
  });

  // Site audit heads recorded here, at most every 600 s per site (audit.md §3): truncating a
  // site's log is then detectable against the server's own chain.
  const anchored = new Map<string, number>();
  route(ROUTES.heartbeat, "site", async (_req, m, s) => {
    const head = m.audit_head as { hash: string; lines: number } | undefined;
    if (head && Date.now() - (anchored.get(s.name) ?? -Infinity) >= 600_000) {
      anchored.set(s.name, Date.now());
      await ctx.audit.addEvent({
        user: "system",
        action: "_audit_anchor",
        msg: `site=${s.name} head=${head.hash} lines=${head.lines}`,
      });
    }
    const now = Date.now();
    const remaining = s.expiresAt - now;
    // Renew once less than half of the lifetime remains (wire-and-auth.md §4).
    if (remaining < (ctx.settings.tokenTtlS * 1000) / 2) {
      return K.heartbeatReply.make(await renewSession(ctx, s, now));
    }
    return K.heartbeatReply.make({ server_time: Math.floor(now / 1000) });
  });

  route(ROUTES.taskGet, "site", async (req, m, s) => {
    const wait = typeof m.wait_ms === "number" ? m.wait_ms : 0;
    const next = await ctx.jobs.next(s.name, wait, req.signal);
    if (next === undefined) {
      return K.taskNone.make({ poll_ms: wait > 0 ? 0 : ctx.settings.idlePollMs });
    }
    if ("command" in next) {
      const { command, ref } = next;
      return K.siteCommand.make({
        command: command.command,
        command_id: command.commandId,
        ...(command.jobId ? { job_id: command.jobId } : {}),
        args: command.args,
        ref,
        poll_ms: 0,
      });
    }
    const { task, ref } = next;
    return K.taskAssign.make({
      payload: task.payload,
      job_id: task.jobId,
      task_id: task.taskId,
      task_name: task.taskName,
      ref,
      poll_ms: 0,
    });
  });

  route(ROUTES.commandReply, "site", async (_req, m, s) => {
    const reply = m.ok === true
      ? { ok: true as const, data: (m.data ?? {}) as Record<string, unknown>, ref: m.ref as string }
      : {
        ok: false as const,
        code: (m.code as string | undefined) ?? "REFUSED",
        message: (m.message as string | undefined) ?? "no reason given",
        ref: m.ref as string,
      };
    const command = ctx.jobs.commands.reply(s.name, m.command_id as string, reply);
    if (!command) {
      throw new ApiRefusal(
        "COMMAND_NOT_OUT",
        `Command "${m.command_id}" is not out at site "${s.name}" (late or unknown)`,
        409,
      );
    }
    const msg = `received reply to "${command.command}" from client "${s.name}": ${
      reply.ok ? "ok" : `${reply.code} ${reply.message}`
    }`;
    const ref = reply.ref ? { ref: reply.ref } : {};
    const id = command.jobId
      ? await ctx.audit.addJobEvent({ jobId: command.jobId, ...ref, msg })
      : await ctx.audit.addEvent({ user: s.name, action: command.command, ...ref, msg });
    return K.ack.make({ ref: id });
  });

  route(ROUTES.taskResult, "site", async (_req, m, s) => {
    const id = await ctx.jobs.result(s.name, {
      jobId: m.job_id as string,
      taskId: m.task_id as string,
      ref: m.ref as string,
      ...(m.payload instanceof Uint8Array ? { payload: m.payload } : {}),
      ...(typeof m.error === "string" ? { error: m.error } : {}),
    });
    if (id === undefined) {
      throw new ApiRefusal(
        "TASK_NOT_OUT",
        `Task "${m.task_id}" of job "${m.job_id}" is not out at site "${s.name}" (late or cancelled)`,
        409,
      );
    }
    return K.ack.make({ ref: id });
  });

  route(
    ROUTES.adminChallenge,
    null,
    (_req, m) =>
      openChallenge(
        ctx,
        "admin",
        m.user_name as string,
        m.project as string,
        m.nonce_c as Uint8Array,
      ),
  );

  route(ROUTES.adminLogin, null, async (req, m) => {
    const claimed = m.user_name as string;
    try {
      const id = await completeChallenge(ctx, "admin", {
        reg_id: m.reg_id as Uint8Array,
        name: claimed,
        cert: m.cert as Uint8Array,
        sig_c: m.sig_c as Uint8Array,
      }, req.conn);
      const session = await startSession(ctx, "admin", id, req.conn);
      await ctx.audit.addEvent({ user: "?", action: `_cert_login ${id.name}` });
      return K.adminSession.make({ ...session, org: id.org, role: id.role! });
    } catch (err) {
      if (err instanceof AuthenticationError) {
        await ctx.audit.addEvent({
          user: "?",
          action: `_login_failed ${claimed}`,
          msg: `reason=${err.reason}`,
        });
      }
      throw err;
    }
  });

  route(ROUTES.jobUpload, "admin", async (_req, m, s) => {
    const { record, warnings } = await submitJob(ctx.submit, s, {
      name: m.name as string,
      files: m.files as JobUpload["files"],
      ...(typeof m.clone_of === "string" ? { clone_of: m.clone_of } : {}),
    });
    ctx.scheduler.poke();
    return K.adminReply.make({
      ok: true,
      message: `Submitted job "${record.name}": ${record.job_id}`,
      data: { job_id: record.job_id, warnings },
    });
  });

  route(ROUTES.adminCommand, "admin", async (_req, m, s) => {
    return K.adminReply.make(
      await ctx.console.run(s, m.command as string, m.args as string[]),
    );
  });

  route(ROUTES.adminLogout, "admin", async (_req, _m, s) => {
    ctx.sessions.end("admin", s.name);
    ctx.replay.drop(s.sidHex);
    await ctx.audit.addEvent({ user: s.name, action: "_logout" });
    return K.ack.make({});
  });

  app.notFound(async (c) =>
    await reply(ctx, c.req.raw.headers, 404, {
      kind: "error",
      v: 1,
      code: "NOT_FOUND",
      message: `No route "${c.req.method} ${c.req.path}"`,
    })
  );
  app.onError(async (err, c) => await refusal(ctx, c.req.raw.headers, err, c.req.path, c.env));
  return app;
}
