import type { KitRole } from "./kit_role.ts";

/** Status of one problem found by `verifyKit()` (`provisioning.md` §5). */
export type KitStatus =
  | "NO_SIGNATURE_FILE"
  | "BAD_SIGNATURE_FILE"
  | "NO_ROOT_CA"
  | "MISSING"
  | "NOT_SIGNED"
  | "INVALID_SIGNATURE"
  | "NOT_REGULAR_FILE"
  | "CERT_INVALID"
  | "KEY_MISMATCH";

/** One problem: its status, the kit-relative file, and for some statuses a reason. */
export interface KitProblem {
  status: KitStatus;
  /** Path relative to the kit, e.g. `startup/fed_client.json`. */
  file: string;
  detail?: string;
}

/** Result of `verifyKit()`. */
export interface KitReport {
  ok: boolean;
  kitDir: string;
  /** Role found from the connection file, when one was readable. */
  role?: KitRole;
  /** Participant name from the connection file (admin: email), when readable. */
  participant?: string;
  problems: KitProblem[];
}
