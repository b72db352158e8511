import { type Category, categoryOf, JOB_SCOPED_RIGHTS, type Right } from "./rights.ts";

/**
 * Where a command is authorized (`authorization.md` §6):
 * - `S`: against the server's policy only;
 * - `S/C`: the server's policy for the server target, each targeted client's own policy for it;
 * - `S+C`: the server's policy first, then each targeted client's own policy as well.
 */
export type CheckedAt = "S" | "S/C" | "S+C";

/** One console command and the right it needs. */
export interface ConsoleCommand {
  name: string;
  /** Console usage line; empty for hidden commands. */
  usage: string;
  right: Right;
  /** Category of `right`, `undefined` when only an explicit or role-wide entry grants it. */
  category: Category | undefined;
  checkedAt: CheckedAt;
  /** Other rights the command needs in some cases (see `note`). */
  alsoRights: readonly Right[];
  /** Whether the command passes the job's submitter to `authorize()`. */
  jobScoped: boolean;
  /** Not listed by `help` (protocol and maintenance commands). */
  hidden: boolean;
  /** The spec's words on where the command is checked, when more than `checkedAt` says. */
  note?: string;
}

type Row = [
  names: string[],
  usage: string,
  checkedAt: CheckedAt,
  extra?: { alsoRights?: Right[]; note?: string; hidden?: boolean },
];

// The rows of §6, in its order; `<cmd>` stands for each name of a row.
const ROWS: Row[] = [
  [["check_status"], "check_status server|client [sites...]", "S/C", {
    note: "S for server; C per client",
  }],
  [["show_scopes"], "show_scopes server|client|all [sites...]", "S/C"],
  [["list_jobs"], "list_jobs [-n prefix] [-d] [-u] [-r] [-m num] [id_prefix]", "S"],
  [["get_job_meta"], "get_job_meta <job_id>", "S"],
  [["show_stats", "show_errors", "reset_errors"], "<cmd> <job_id> server|client [sites...]", "S+C"],
  [["list_job"], "list_job <job_id>", "S"],
  [["submit_job"], "submit_job <folder>", "S+C", {
    alsoRights: ["byoc"],
    note: "S at submission; C at deployment; byoc at every site that deploys an app with custom/",
  }],
  [["clone_job"], "clone_job <job_id>", "S", {
    alsoRights: ["submit_job"],
    note: "the console re-signs the copy and submits it, so submit_job applies too",
  }],
  [["abort_job", "delete_job", "delete_workspace"], "<cmd> <job_id>", "S"],
  [["configure_job_log"], "configure_job_log <job_id> server|client [sites...] <config>", "S+C"],
  [["download_job"], "download_job <job_id> [dest]", "S"],
  [["download_job_file", "download_job_components"], "<cmd> <job_id> [file]", "S"],
  [["app_command"], "app_command <job_id> <topic> [data]", "S"],
  [["sys_info", "report_resources"], "<cmd> server|client [sites...]", "S/C"],
  [["report_env"], "report_env <site>", "S+C"],
  [["configure_site_log"], "configure_site_log server|client [sites...] <config>", "S/C"],
  [["shutdown", "restart"], "<cmd> server|client|all [sites...]", "S/C", {
    note: "S for server/all; C per client",
  }],
  [["remove_client", "disable_client", "enable_client"], "<cmd> <site>", "S"],
  [["pwd", "ls", "cat", "head", "tail", "grep"], "<cmd> <server|site> [options] [file]", "S/C", {
    note: "S if the target is the server, else C at that site only",
  }],
  [["admin_check_status", "dead", "list_sessions"], "", "S", { hidden: true }],
];

/**
 * The console command table of `authorization.md` §6: command name → right, category, where it
 * is checked and its usage. Every command's right is the command's own name.
 */
export const COMMANDS: ReadonlyMap<string, ConsoleCommand> = new Map(
  ROWS.flatMap(([names, usage, checkedAt, extra]) =>
    names.map((name): [string, ConsoleCommand] => {
      const right = name as Right;
      const command: ConsoleCommand = {
        name,
        usage: usage.replace("<cmd>", name),
        right,
        category: categoryOf(right),
        checkedAt,
        alsoRights: extra?.alsoRights ?? [],
        jobScoped: JOB_SCOPED_RIGHTS.has(right),
        hidden: extra?.hidden ?? false,
        ...(extra?.note === undefined ? {} : { note: extra.note }),
      };
      return [name, Object.freeze(command)];
    })
  ),
);
