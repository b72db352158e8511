/** App folder names (`jobs.md` §1). */
export const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Client names (`provisioning.md` §2.1): at most 63 characters, never `server`. */
export function isClientName(s: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(s) && s.length <= 63 && s !== "server";
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
