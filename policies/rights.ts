/** Right categories of `authorization.md` §5: a policy key naming one covers all its member rights. */
export const CATEGORIES = {
  manage_job: ["abort", "abort_job", "delete_job", "delete_workspace", "configure_job_log"],
  view: [
    "check_status",
    "show_scopes",
    "show_stats",
    "reset_errors",
    "show_errors",
    "list_jobs",
    "get_job_meta",
  ],
  operate: [
    "sys_info",
    "report_resources",
    "report_env",
    "restart",
    "shutdown",
    "remove_client",
    "disable_client",
    "enable_client",
    "set_timeout",
    "call",
    "configure_site_log",
  ],
  shell_commands: ["cat", "grep", "head", "ls", "pwd", "tail"],
  download_job: ["download_job", "download_job_file", "download_job_components"],
} as const;

/** A category name. */
export type Category = keyof typeof CATEGORIES;

/** Rights that belong to no category: only an explicit or a role-wide entry grants them. */
const UNCATEGORIZED = [
  "submit_job",
  "clone_job",
  "byoc",
  "list_job",
  "app_command",
  "admin_check_status",
  "dead",
  "list_sessions",
] as const;

/** A canonical (lowercase) right name. */
export type Right = (typeof CATEGORIES)[Category][number] | (typeof UNCATEGORIZED)[number];

/** Every right, in the order of §5. */
export const RIGHTS: readonly Right[] = [
  ...Object.values(CATEGORIES).flat(),
  ...UNCATEGORIZED,
];

const CATEGORY_OF = new Map<string, Category>(
  (Object.entries(CATEGORIES) as [Category, readonly Right[]][]).flatMap(([c, rights]) =>
    rights.map((r) => [r, c] as const)
  ),
);

/** The category of `right`, or `undefined` when it has none or is not a right. */
export function categoryOf(right: string): Category | undefined {
  return CATEGORY_OF.get(right);
}

/** Whether `name` is a canonical right name. */
export function isRight(name: string): name is Right {
  return CATEGORY_OF.has(name) || (UNCATEGORIZED as readonly string[]).includes(name);
}

/** Whether `name` is a category name. */
export function isCategory(name: string): name is Category {
  return Object.hasOwn(CATEGORIES, name);
}

/**
 * Rights whose commands always pass the job's submitter to `authorize()` (`authorization.md` §4):
 * the submitting user at submission, the job's recorded submitter afterwards.
 */
export const JOB_SCOPED_RIGHTS: ReadonlySet<Right> = new Set<Right>([
  "submit_job",
  "byoc",
  "clone_job",
  "list_job",
  "app_command",
  ...CATEGORIES.manage_job,
  ...CATEGORIES.download_job,
  "get_job_meta",
  "show_stats",
  "show_errors",
  "reset_errors",
]);
