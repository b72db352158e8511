import { parseYaml } from "./_yaml.ts";
import { APP_NAME, isClientName, isObject } from "./_names.ts";
import { checkJobPaths } from "./check_job_paths.ts";
import {
  CERT_FILE,
  DEFAULT_MAX_JOB_BYTES,
  type JobFile,
  MAX_JOB_FILES,
  SIG_FILE,
} from "./job_file.ts";
import { JobValidationError } from "./job_validation_error.ts";
import { type AppConfig, validateAppConfig } from "./validate_app_config.ts";

/** The job-controlled part of `meta` after validation (system keys removed). */
export interface JobMeta {
  name: string;
  deploy_map: Record<string, string[]>;
  min_clients?: number;
  mandatory_clients?: string[];
  resource_spec?: Record<string, Record<string, unknown>>;
  scope?: string;
  sandbox?: Record<string, unknown>;
  /** Unknown keys, kept as given (each also listed in `warnings`). */
  [key: string]: unknown;
}

/** One app of a validated job. */
export interface JobApp {
  name: string;
  /** Sites as listed; `["@ALL"]` (normalized case) for the all-sites app. */
  sites: readonly string[];
  /** True when the app has a `custom/` folder. */
  byoc: boolean;
  /** Parsed `config/config_fed_server.json`, when present and validated. */
  serverConfig?: AppConfig;
  /** Parsed `config/config_fed_client.json`, when present and validated. */
  clientConfig?: AppConfig;
}

/** A job that passed `validateJob()`. */
export interface ValidatedJob {
  /** `meta.name`, else the folder name. */
  name: string;
  /** Meta with system keys removed. */
  meta: JobMeta;
  /** Apps with a non-empty site list, in deploy_map order. */
  apps: ReadonlyMap<string, JobApp>;
  /** True when one app is deployed to `@ALL`. */
  deploysToAll: boolean;
  /** Sites listed for `app` (`["@ALL"]` for the all-sites app, `[]` if unknown). */
  sitesFor(app: string): readonly string[];
  /** The app deployed to `site` (`server` or a client name), if any. */
  appFor(site: string): string | undefined;
  /** Ignored system keys and kept unknown keys of meta, for the submit reply. */
  warnings: string[];
}

/** Options of `validateJob()`. */
export interface ValidateJobOptions {
  /** Name of the job folder (used in messages and as the default name). */
  folderName: string;
  /** Server `max_job_bytes` (default 512 MiB). */
  maxJobBytes?: number;
  /**
   * Validate as this site (`server` or a client name): only the app deployed here must be present
   * and only its config for this side is checked (`jobs.md` §6 step 9). Omit at submission.
   */
  site?: string;
}

const META_FILES = ["meta.json", "meta.yml", "meta.yaml"];
const SYSTEM_KEYS = new Set([
  "job_id",
  "status",
  "start_time",
  "duration",
  "byoc",
  "cloned_from",
  "approvals",
  "job_folder_name",
  "job_deploy_detail",
]);
const SYSTEM_PREFIXES = ["submitter_", "submit_time", "schedule_"];
const KNOWN_KEYS = new Set([
  "name",
  "deploy_map",
  "min_clients",
  "mandatory_clients",
  "resource_spec",
  "scope",
  "sandbox",
]);
const SERVER_CONFIG = "config_fed_server.json";
const CLIENT_CONFIG = "config_fed_client.json";

function isSystemKey(key: string): boolean {
  return SYSTEM_KEYS.has(key) || SYSTEM_PREFIXES.some((p) => key.startsWith(p));
}

/**
 * Validates a job in transfer form (`jobs.md` §1–3): paths, the 10,000-file cap (signature files
 * not counted) and `max_job_bytes`, exactly one meta file (JSON or YAML, core schema), every meta
 * rule, the deploy_map, app folders and their configs. Throws `JobValidationError` with the spec's
 * code and message for the first failure.
 */
export function validateJob(files: readonly JobFile[], options: ValidateJobOptions): ValidatedJob {
  checkJobPaths(files);
  const folder = options.folderName;
  const isSig = (p: string) => {
    const base = p.slice(p.lastIndexOf("/") + 1);
    return base === SIG_FILE || base === CERT_FILE;
  };
  const content = files.filter((f) => !isSig(f.path));
  if (content.length > MAX_JOB_FILES) {
    throw new JobValidationError(
      "JOB_TOO_LARGE",
      `job "${folder}" has ${content.length} files, more than ${MAX_JOB_FILES}`,
    );
  }
  const maxBytes = options.maxJobBytes ?? DEFAULT_MAX_JOB_BYTES;
  const total = files.reduce((n, f) => n + f.data.length, 0);
  if (total > maxBytes) {
    throw new JobValidationError(
      "JOB_TOO_LARGE",
      `job "${folder}" has ${total} bytes, more than max_job_bytes ${maxBytes}`,
    );
  }
  const byPath = new Map(files.map((f) => [f.path, f]));

  const metaFiles = META_FILES.filter((m) => byPath.has(m));
  if (metaFiles.length === 0) {
    throw new JobValidationError(
      "JOB_META_MISSING",
      `job "${folder}" has no meta.json, meta.yml or meta.yaml`,
    );
  }
  if (metaFiles.length > 1) {
    throw new JobValidationError(
      "JOB_META_AMBIGUOUS",
      `job "${folder}" has more than one meta file`,
    );
  }
  const metaPath = metaFiles[0] as string;
  const metaInvalid = (n: string, detail: string) =>
    new JobValidationError("JOB_META_INVALID", `meta of job "${n}" is invalid: ${detail}`, {
      path: metaPath,
    });
  let raw: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(byPath.get(metaPath)?.data);
    raw = metaPath === "meta.json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw metaInvalid(
      folder,
      err instanceof Error ? err.message.split("\n")[0] ?? "" : String(err),
    );
  }
  if (!isObject(raw)) throw metaInvalid(folder, "not an object");

  const warnings: string[] = [];
  // Null prototypes: a key or app named "__proto__" stays data instead of becoming a prototype.
  const kept: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(raw)) {
    if (isSystemKey(key)) {
      warnings.push(`meta key "${key}" is set by the system and was ignored`);
      continue;
    }
    if (!KNOWN_KEYS.has(key)) warnings.push(`meta key "${key}" is unknown and was kept`);
    kept[key] = value;
  }

  if (kept.name !== undefined) {
    if (typeof kept.name !== "string" || kept.name === "" || kept.name.length > 255) {
      throw metaInvalid(folder, `"name" must be a string of 1 to 255 characters`);
    }
  }
  const name = (kept.name as string | undefined) ?? folder;

  // deploy_map (§2 table).
  const dm = kept.deploy_map;
  const emptyMap = () =>
    new JobValidationError("DEPLOY_MAP_EMPTY", `deploy_map of job "${name}" names no site`);
  if (dm === undefined) throw emptyMap();
  if (!isObject(dm)) throw metaInvalid(name, `"deploy_map" must be an object`);
  const deployMap: Record<string, string[]> = Object.create(null);
  for (const [app, list] of Object.entries(dm)) {
    if (!Array.isArray(list) || list.some((s) => typeof s !== "string")) {
      throw metaInvalid(name, `deploy_map entry of app "${app}" must be a list of strings`);
    }
    deployMap[app] = list as string[];
  }
  for (const app of Object.keys(deployMap)) {
    if (!APP_NAME.test(app)) {
      throw new JobValidationError("APP_NAME_INVALID", `app name "${app}" is invalid`);
    }
  }
  for (const list of Object.values(deployMap)) {
    for (const s of list) {
      if (s.toUpperCase() !== "@ALL" && s !== "server" && !isClientName(s)) {
        throw new JobValidationError(
          "DEPLOY_MAP_SITE_INVALID",
          `deploy_map entry "${s}" is not a site name`,
        );
      }
    }
  }
  const used = Object.entries(deployMap).filter(([, list]) => list.length > 0);
  if (used.length === 0) throw emptyMap();
  const allApps = used.filter(([, list]) => list.some((s) => s.toUpperCase() === "@ALL"));
  if (allApps.length > 1 || allApps.some(([, list]) => list.length > 1)) {
    throw new JobValidationError(
      "DEPLOY_MAP_ALL_MIXED",
      `@ALL must be the only entry of a single app in job "${name}"`,
    );
  }
  const deploysToAll = allApps.length === 1;
  if (!deploysToAll && !used.some(([, list]) => list.includes("server"))) {
    throw new JobValidationError(
      "DEPLOY_MAP_NO_SERVER",
      `deploy_map of job "${name}" deploys nothing to the server`,
    );
  }
  const siteApp = new Map<string, string>();
  const dups = new Set<string>();
  for (const [app, list] of used) {
    for (const s of new Set(list)) {
      if (s.toUpperCase() === "@ALL") continue;
      if (siteApp.has(s)) dups.add(s);
      else siteApp.set(s, app);
    }
  }
  if (dups.size > 0) {
    throw new JobValidationError(
      "DEPLOY_MAP_DUPLICATE_SITE",
      `sites ${
        JSON.stringify([...dups].sort())
      } are targeted by more than one app in job "${name}"`,
    );
  }
  const clients = [...siteApp.keys()].filter((s) => s !== "server");

  if (kept.min_clients !== undefined) {
    const v = kept.min_clients;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 1_000_000) {
      throw new JobValidationError(
        "MIN_CLIENTS_INVALID",
        `min_clients ${JSON.stringify(v)} of job "${name}" must be an integer from 1 to 1000000`,
      );
    }
    if (!deploysToAll && v > clients.length) {
      throw new JobValidationError(
        "MIN_CLIENTS_TOO_MANY",
        `job "${name}" needs ${v} clients but deploy_map lists ${clients.length}`,
      );
    }
  }
  if (kept.mandatory_clients !== undefined) {
    const v = kept.mandatory_clients;
    if (!Array.isArray(v) || v.some((c) => typeof c !== "string" || !isClientName(c))) {
      throw metaInvalid(name, `"mandatory_clients" must be a list of client names`);
    }
    const missing = deploysToAll ? [] : (v as string[]).filter((c) => !siteApp.has(c));
    if (missing.length > 0) {
      throw new JobValidationError(
        "MANDATORY_CLIENT_MISSING",
        `mandatory clients ${
          JSON.stringify([...new Set(missing)])
        } are not in deploy_map of job "${name}"`,
      );
    }
  }
  if (kept.resource_spec !== undefined) {
    const v = kept.resource_spec;
    if (!isObject(v)) {
      throw new JobValidationError(
        "RESOURCE_SPEC_INVALID",
        `resource_spec of job "${name}" must be an object`,
      );
    }
    for (const [site, spec] of Object.entries(v)) {
      if (!isObject(spec)) {
        throw new JobValidationError(
          "RESOURCE_SPEC_INVALID",
          `resource_spec for "${site}" in job "${name}" must be an object`,
        );
      }
    }
  }
  if (kept.scope !== undefined && (typeof kept.scope !== "string" || kept.scope === "")) {
    throw new JobValidationError(
      "SCOPE_INVALID",
      `scope of job "${name}" must be a non-empty string`,
    );
  }
  // Sandbox keys and limits are judged by each site (§7.4); only the shape is checked here.
  if (kept.sandbox !== undefined && !isObject(kept.sandbox)) {
    throw metaInvalid(name, `"sandbox" must be an object`);
  }

  // Apps: folder, configs, BYOC.
  const site = options.site;
  const apps = new Map<string, JobApp>();
  for (const [app, list] of used) {
    const sites = deploysToAll && allApps[0]?.[0] === app ? ["@ALL"] : [...list];
    const toAll = sites[0] === "@ALL";
    let toServer = toAll || list.includes("server");
    let toClients = toAll || list.some((s) => s !== "server");
    if (site !== undefined) {
      const here = toAll || list.includes(site);
      toServer &&= here && site === "server";
      toClients &&= here && site !== "server";
      if (!here) {
        apps.set(app, { name: app, sites, byoc: false });
        continue;
      }
    }
    const prefix = `${app}/`;
    if (!files.some((f) => f.path.startsWith(prefix))) {
      throw new JobValidationError(
        "APP_MISSING",
        `app "${app}" in deploy_map does not exist in job "${name}"`,
      );
    }
    const entry: JobApp = {
      name: app,
      sites,
      byoc: files.some((f) => f.path.startsWith(`${prefix}custom/`)),
    };
    const serverFile = byPath.get(`${prefix}config/${SERVER_CONFIG}`);
    const clientFile = byPath.get(`${prefix}config/${CLIENT_CONFIG}`);
    if (toServer) {
      if (serverFile === undefined) {
        throw new JobValidationError(
          "APP_SERVER_CONFIG_MISSING",
          `app "${app}" is deployed to the server but has no server config`,
        );
      }
      entry.serverConfig = validateAppConfig(serverFile.data, {
        app,
        file: SERVER_CONFIG,
        side: "server",
      });
    }
    if (toClients) {
      if (clientFile === undefined) {
        throw new JobValidationError(
          "APP_CLIENT_CONFIG_MISSING",
          `app "${app}" is deployed to clients but has no client config`,
        );
      }
      entry.clientConfig = validateAppConfig(clientFile.data, {
        app,
        file: CLIENT_CONFIG,
        side: "client",
      });
    }
    apps.set(app, entry);
  }

  const meta = { ...kept, name, deploy_map: deployMap } as JobMeta;
  const allApp = deploysToAll ? allApps[0]?.[0] : undefined;
  return {
    name,
    meta,
    apps,
    deploysToAll,
    warnings,
    sitesFor: (app) => apps.get(app)?.sites ?? [],
    appFor: (s) => siteApp.get(s) ?? allApp,
  };
}
