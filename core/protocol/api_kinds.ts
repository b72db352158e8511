import { encode, KindRegistry, s, type Schema, WireError } from "../wire/mod.ts";

/** Site names: the CN of a site certificate (`provisioning.md` §2.1). */
export const SITE_NAME = /^[A-Za-z0-9_-]{1,63}$/;
/** Admin names: the e-mail CN of an admin certificate. */
export const ADMIN_NAME = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

const siteName = s.text({ maxBytes: 63, pattern: SITE_NAME });
const userName = s.text({ maxBytes: 63, pattern: ADMIN_NAME });
const project = s.text({ minBytes: 1, maxBytes: 63 });
const nonce = s.bytes({ length: 32 });
const id16 = s.bytes({ length: 16 });
const der = s.bytes({ maxBytes: 16 * 1024 });
const signature = s.bytes({ maxBytes: 1024 });
const time = s.int({ min: 0 });
const pollMs = s.int({ min: 0, max: 3_600_000 });

/** A map of at most `max` encoded bytes (site_info, cc_info). */
function sizedMap(max: number): Schema<Record<string, unknown>> {
  const inner = s.record(s.any());
  return {
    describe: `a map of at most ${max} encoded bytes`,
    validate(v, path) {
      const m = inner.validate(v, path);
      if (encode(m).length > max) {
        throw new WireError("SCHEMA_VIOLATION", `Field ${path} exceeds ${max} encoded bytes`, {
          path,
        });
      }
      return m;
    },
  };
}

/** Every message of the HTTP API (`wire-and-auth.md` §2): requests with their routes, replies. */
export const API = new KindRegistry();

export const ROUTES = Object.freeze({
  regChallenge: "/v1/register/challenge",
  register: "/v1/register",
  heartbeat: "/v1/heartbeat",
  taskGet: "/v1/task/get",
  taskResult: "/v1/task/result",
  commandReply: "/v1/command/reply",
  adminChallenge: "/v1/admin/login/challenge",
  adminLogin: "/v1/admin/login",
  adminCommand: "/v1/admin/command",
  jobUpload: "/v1/admin/job",
  adminLogout: "/v1/admin/logout",
});

const challengeReply = {
  server_name: s.text({ minBytes: 1, maxBytes: 63 }),
  reg_id: id16,
  nonce_s: nonce,
  cert: der,
  sig_s: signature,
};
const session = {
  token: s.text({ maxBytes: 4096 }),
  sid: id16,
  expires_at: time,
  server_time: time,
};

export const K = {
  regChallenge: API.define("reg.challenge", { client_name: siteName, project, nonce_c: nonce }, {
    route: ROUTES.regChallenge,
  }),
  regChallengeReply: API.define("reg.challenge_reply", challengeReply),
  regRegister: API.define("reg.register", {
    reg_id: id16,
    client_name: siteName,
    cert: der,
    sig_c: signature,
    site_info: s.optional(sizedMap(64 * 1024)),
    cc_info: s.optional(sizedMap(64 * 1024)),
  }, { route: ROUTES.register }),
  regSession: API.define("reg.session", session),
  heartbeat: API.define("site.heartbeat", {
    client_name: siteName,
    /** Head hash and line count of the site's audit.log, for anchoring (`audit.md` §3). */
    audit_head: s.optional(s.object({ hash: s.text({ maxBytes: 64 }), lines: s.int({ min: 0 }) })),
  }, { route: ROUTES.heartbeat }),
  heartbeatReply: API.define("site.heartbeat_reply", {
    server_time: time,
    token: s.optional(s.text({ maxBytes: 4096 })),
    expires_at: s.optional(time),
  }),
  /**
   * `wait_ms` asks the server to hold the poll until work arrives (at most 30 s): a long poll, so
   * tasks and commands reach an idle site at once without it polling fast.
   */
  taskGet: API.define("task.get", {
    client_name: siteName,
    wait_ms: s.optional(s.int({ min: 0, max: 30_000 })),
  }, { route: ROUTES.taskGet }),
  taskNone: API.define("task.none", { poll_ms: pollMs }),
  /** `payload` first: it is the task data encoded once, and first-key placement keeps it aligned. */
  taskAssign: API.define("task.assign", {
    payload: s.bytes(),
    job_id: s.text({ minBytes: 1, maxBytes: 64 }),
    task_id: s.text({ minBytes: 1, maxBytes: 64 }),
    task_name: s.text({ minBytes: 1, maxBytes: 128 }),
    /** The server's audit event id for sending this task (`audit.md` §5). */
    ref: s.text({ maxBytes: 64 }),
    poll_ms: pollMs,
  }),
  taskResult: API.define("task.result", {
    payload: s.optional(s.bytes()),
    client_name: siteName,
    job_id: s.text({ minBytes: 1, maxBytes: 64 }),
    task_id: s.text({ minBytes: 1, maxBytes: 64 }),
    /** The site's audit event id for submitting this result. */
    ref: s.text({ maxBytes: 64 }),
    /** Why there is no payload: the site's refusal or failure, for people. */
    error: s.optional(s.text({ maxBytes: 4096 })),
  }, { route: ROUTES.taskResult }),
  /** A command for a site (deployment, reservations, job end, console commands it answers). */
  siteCommand: API.define("site.command", {
    command: s.text({ minBytes: 1, maxBytes: 64 }),
    command_id: s.text({ minBytes: 1, maxBytes: 64 }),
    job_id: s.optional(s.text({ minBytes: 1, maxBytes: 64 })),
    args: s.record(s.any()),
    /** The server's audit event id for sending this command (`audit.md` §5). */
    ref: s.text({ maxBytes: 64 }),
    poll_ms: pollMs,
  }),
  siteCommandReply: API.define("site.command_reply", {
    client_name: siteName,
    command_id: s.text({ minBytes: 1, maxBytes: 64 }),
    /** The site's audit event id for its decision. */
    ref: s.text({ maxBytes: 64 }),
    ok: s.bool(),
    /** Refusal code (`DEPLOY_REFUSED`, `RESOURCES_BUSY`, …) when not ok. */
    code: s.optional(s.text({ maxBytes: 64 })),
    message: s.optional(s.text({ maxBytes: 8192 })),
    data: s.optional(s.record(s.any())),
  }, { route: ROUTES.commandReply }),
  /** `submit_job`: a signed job folder in transfer form (`jobs.md` §3). */
  jobUpload: API.define("job.upload", {
    user_name: userName,
    name: s.text({ minBytes: 1, maxBytes: 255 }),
    files: s.array(
      s.object({
        path: s.text({ minBytes: 1, maxBytes: 4096 }),
        mode: s.int({ min: 0, max: 0o7777 }),
        data: s.bytes(),
      }),
      { max: 20_000 },
    ),
    clone_of: s.optional(s.text({ minBytes: 1, maxBytes: 64 })),
  }, { route: ROUTES.jobUpload }),
  adminCommand: API.define("admin.command", {
    user_name: userName,
    command: s.text({ minBytes: 1, maxBytes: 64 }),
    args: s.array(s.text({ maxBytes: 4096 }), { max: 64 }),
  }, { route: ROUTES.adminCommand }),
  /** The answer to a console command or upload: `data` for scripts, `message` for people. */
  adminReply: API.define("admin.reply", {
    ok: s.bool(),
    message: s.text({ maxBytes: 1024 * 1024 }),
    code: s.optional(s.text({ maxBytes: 64 })),
    data: s.optional(s.any()),
  }),
  adminChallenge: API.define("admin.challenge", { user_name: userName, project, nonce_c: nonce }, {
    route: ROUTES.adminChallenge,
  }),
  adminChallengeReply: API.define("admin.challenge_reply", challengeReply),
  adminLogin: API.define("admin.login", {
    reg_id: id16,
    user_name: userName,
    cert: der,
    sig_c: signature,
  }, { route: ROUTES.adminLogin }),
  adminSession: API.define("admin.session", {
    ...session,
    org: s.text({ maxBytes: 63 }),
    role: s.text({ maxBytes: 63 }),
  }),
  adminLogout: API.define("admin.logout", { user_name: userName }, { route: ROUTES.adminLogout }),
  ack: API.define("ack", { ref: s.optional(s.text({ maxBytes: 64 })) }),
  error: API.define("error", {
    code: s.text({ maxBytes: 64 }),
    message: s.text({ maxBytes: 4096 }),
    reason: s.optional(s.text({ maxBytes: 64 })),
  }),
} as const;
