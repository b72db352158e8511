import { decode, encode } from "../core/wire/mod.ts";
import { fingerprint, parseCertificate, type ScryptCost, scryptKey } from "../core/pki/mod.ts";
import { normalizeKitPassword } from "./kit_password.ts";
import { ProvisionError } from "./provision_error.ts";

/** Header of a `.stkit` archive (`provisioning.md` §8). */
export interface KitArchiveHeader {
  participant: string;
  project: string;
  root_fingerprint: string;
  created: string;
  kdf: { name: "scrypt"; N: number; r: number; p: number; salt: string };
  cipher: { name: "AES-256-GCM"; iv: string };
}

/** The spec's scrypt cost; tests may pass a cheaper one, which is then written in the header. */
export const ARCHIVE_SCRYPT: ScryptCost = { N: 131072, r: 8, p: 1 };

const MAGIC = new TextEncoder().encode("STKKIT01");
const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;
const MAX_ENTRIES = 10_000;

type Entry = KitArchiveEntry;

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
function unb64(s: unknown, length: number): Uint8Array | undefined {
  if (typeof s !== "string") return undefined;
  try {
    const bin = atob(s);
    if (bin.length !== length) return undefined;
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

async function aesKey(password: string, salt: Uint8Array, cost: ScryptCost): Promise<CryptoKey> {
  const raw = await scryptKey(normalizeKitPassword(password), salt, cost);
  return await crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, "AES-GCM", false, [
    "encrypt",
    "decrypt",
  ]);
}

async function collect(dir: string, prefix: string, out: Entry[]): Promise<void> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  names.sort();
  for (const name of names) {
    const path = `${dir}/${name}`;
    const rel = prefix ? `${prefix}/${name}` : name;
    const info = await Deno.lstat(path);
    const mode = (info.mode ?? 0o644) & 0o777;
    if (info.isDirectory) {
      out.push({ path: `${rel}/`, mode, data: new Uint8Array(0) });
      await collect(path, rel, out);
    } else if (info.isFile) {
      out.push({ path: rel, mode, data: await Deno.readFile(path) });
    } else {
      throw new TypeError(`Cannot archive "${path}": not a regular file or folder`);
    }
  }
}

/** Options of `writeKitArchive()`. */
export interface WriteKitArchiveOptions {
  participant: string;
  project: string;
  rootFingerprint: string;
  password: string;
  now?: Date;
  /** scrypt cost (default `ARCHIVE_SCRYPT`). */
  scrypt?: ScryptCost;
}

/** Entry of the archive plaintext. */
export interface KitArchiveEntry {
  /** Kit-relative path; folders end with "/". */
  path: string;
  mode: number;
  data: Uint8Array;
}

/**
 * Encrypts a list of entries into archive bytes. Exported for tests that need archives no kit
 * folder can produce (e.g. hostile paths); `writeKitArchive()` is the normal entry point.
 */
export async function sealKitEntries(
  entries: KitArchiveEntry[],
  options: WriteKitArchiveOptions,
): Promise<Uint8Array> {
  const cost = options.scrypt ?? ARCHIVE_SCRYPT;
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const header: KitArchiveHeader = {
    participant: options.participant,
    project: options.project,
    root_fingerprint: options.rootFingerprint,
    created: (options.now ?? new Date()).toISOString(),
    kdf: { name: "scrypt", N: cost.N, r: cost.r, p: cost.p, salt: b64(salt) },
    cipher: { name: "AES-256-GCM", iv: b64(iv) },
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const aad = new Uint8Array(12 + headerBytes.length);
  aad.set(MAGIC, 0);
  new DataView(aad.buffer).setUint32(8, headerBytes.length);
  aad.set(headerBytes, 12);
  const key = await aesKey(options.password, salt, cost);
  const plaintext = encode(entries.map((e) => ({ path: e.path, mode: e.mode, data: e.data })));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, plaintext),
  );
  const out = new Uint8Array(aad.length + sealed.length);
  out.set(aad, 0);
  out.set(sealed, aad.length);
  return out;
}

/**
 * Encrypts the kit folder `kitDir` into `archivePath` (`provisioning.md` §8): magic, header,
 * AES-256-GCM over the strict-CBOR list of `{path, mode, data}` with the header as AAD.
 */
export async function writeKitArchive(
  kitDir: string,
  archivePath: string,
  options: WriteKitArchiveOptions,
): Promise<void> {
  const entries: Entry[] = [];
  await collect(kitDir, "", entries);
  const out = await sealKitEntries(entries, options);
  await Deno.writeFile(archivePath, out, { mode: 0o600, createNew: true });
}

const damaged = (what: string): never => {
  throw new ProvisionError("KIT_ARCHIVE_DECRYPT_FAILED", `Cannot open kit archive: ${what}`);
};

/** Reads and checks the header of archive bytes; throws `KIT_ARCHIVE_DECRYPT_FAILED` if damaged. */
export function readKitArchiveHeader(
  bytes: Uint8Array,
): { header: KitArchiveHeader; aad: Uint8Array } {
  if (bytes.length < 12 || !MAGIC.every((b, i) => bytes[i] === b)) {
    damaged("not a Stockade kit archive (bad magic) or truncated");
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8);
  if (length > 65536 || 12 + length + 16 > bytes.length) damaged("the file is truncated");
  let h: unknown;
  try {
    h = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + length)),
    );
  } catch {
    h = undefined;
  }
  const header = h as KitArchiveHeader;
  const ok = typeof h === "object" && h !== null &&
    typeof header.participant === "string" && typeof header.project === "string" &&
    typeof header.root_fingerprint === "string" && typeof header.created === "string" &&
    header.kdf?.name === "scrypt" && header.cipher?.name === "AES-256-GCM";
  if (!ok) damaged("the header is damaged");
  const { N, r, p } = header.kdf;
  const pow2 = Number.isInteger(N) && N >= 1024 && N <= 1 << 20 && (N & (N - 1)) === 0;
  if (!pow2 || !Number.isInteger(r) || r < 1 || r > 16 || !Number.isInteger(p) || p < 1 || p > 4) {
    damaged("the header's scrypt parameters are out of range");
  }
  if (!unb64(header.kdf.salt, 16) || !unb64(header.cipher.iv, 12)) {
    damaged("the header's salt or iv is damaged");
  }
  return { header, aad: bytes.subarray(0, 12 + length) };
}

/** Options of `unpackKitArchive()`. */
export interface UnpackKitArchiveOptions {
  /** Destination folder: must not exist, or be empty. */
  dest: string;
  password: string;
  /** Refuse unless the kit's root has this SHA-256 fingerprint (hex, colons allowed). */
  expectRootFingerprint?: string;
}

function checkPath(path: unknown): string {
  const bad = (why: string): never => {
    throw new ProvisionError(
      "KIT_ARCHIVE_PATH",
      `Kit archive entry "${String(path)}" is refused: ${why}`,
    );
  };
  if (typeof path !== "string" || path.length === 0 || path.length > 1024) return bad("not a path");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) bad("absolute path");
  if (path.includes("\\") || path.includes("\0")) bad("backslash or NUL");
  const segments = (path.endsWith("/") ? path.slice(0, -1) : path).split("/");
  if (segments.some((s) => s === "..")) bad("contains ..");
  if (segments.some((s) => s === "" || s === ".")) bad("empty or . segment");
  return path;
}

/**
 * Decrypts a `.stkit` archive and writes the kit into `dest`, refusing (before writing anything)
 * a wrong password or damage (`KIT_ARCHIVE_DECRYPT_FAILED`), absolute, `..` or duplicate paths
 * (`KIT_ARCHIVE_PATH`), a root other than `expectRootFingerprint` (`KIT_ROOT_MISMATCH`) and a
 * non-empty destination (`KIT_ARCHIVE_DEST`). Run `verifyKit()` on `dest` afterwards.
 */
export async function unpackKitArchive(
  archivePath: string,
  options: UnpackKitArchiveOptions,
): Promise<{ header: KitArchiveHeader; files: number }> {
  const info = await Deno.stat(archivePath);
  if (info.size > MAX_ARCHIVE_BYTES) damaged("the file is larger than any kit");
  const bytes = await Deno.readFile(archivePath);
  const { header, aad } = readKitArchiveHeader(bytes);
  const expected = options.expectRootFingerprint?.toLowerCase().replace(/:/g, "");
  const mismatch = (actual: string): never => {
    throw new ProvisionError(
      "KIT_ROOT_MISMATCH",
      `Kit archive root fingerprint "${actual}" differs from the expected "${expected}"`,
    );
  };
  if (expected !== undefined && header.root_fingerprint !== expected) {
    mismatch(header.root_fingerprint);
  }

  const key = await aesKey(options.password, unb64(header.kdf.salt, 16)!, header.kdf);
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: unb64(header.cipher.iv, 12)! as Uint8Array<ArrayBuffer>,
          additionalData: aad as Uint8Array<ArrayBuffer>,
        },
        key,
        bytes.subarray(aad.length),
      ),
    );
  } catch {
    return damaged("wrong password, or the file is damaged");
  }
  let list: unknown;
  try {
    list = decode(plain);
  } catch {
    return damaged("the content is not a kit");
  }
  if (!Array.isArray(list) || list.length > MAX_ENTRIES) return damaged("the content is not a kit");
  const entries: Entry[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const e = item as Record<string, unknown>;
    if (typeof e !== "object" || e === null || Object.keys(e).sort().join() !== "data,mode,path") {
      damaged("an entry is not {path, mode, data}");
    }
    const path = checkPath(e.path);
    const norm = path.endsWith("/") ? path.slice(0, -1) : path;
    if (seen.has(norm)) {
      throw new ProvisionError("KIT_ARCHIVE_PATH", `Kit archive entry "${path}" appears twice`);
    }
    seen.add(norm);
    if (typeof e.mode !== "number" || !Number.isInteger(e.mode) || e.mode < 0 || e.mode > 0o777) {
      damaged(`entry "${path}" has a bad mode`);
    }
    if (!(e.data instanceof Uint8Array) || (path.endsWith("/") && e.data.length > 0)) {
      damaged(`entry "${path}" has bad data`);
    }
    entries.push({ path, mode: e.mode as number, data: e.data as Uint8Array });
  }
  // Every parent of an entry must be a folder entry of the archive, never a file.
  for (const e of entries) {
    const parts = e.path.replace(/\/$/, "").split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (!entries.some((x) => x.path === `${parent}/`)) {
        throw new ProvisionError(
          "KIT_ARCHIVE_PATH",
          `Kit archive entry "${e.path}" has no folder entry "${parent}/"`,
        );
      }
    }
  }
  const root = entries.find((e) => e.path === "startup/rootCA.pem");
  if (root === undefined) return damaged("the kit has no startup/rootCA.pem");
  let actual: string;
  try {
    actual = fingerprint(parseCertificate(new TextDecoder().decode(root.data)));
  } catch {
    return damaged("startup/rootCA.pem is not a certificate");
  }
  if (actual !== header.root_fingerprint) {
    throw new ProvisionError(
      "KIT_ROOT_MISMATCH",
      `Kit archive header names root "${header.root_fingerprint}" but the kit holds "${actual}"`,
    );
  }
  if (expected !== undefined && actual !== expected) mismatch(actual);

  try {
    const existing = [];
    for await (const x of Deno.readDir(options.dest)) existing.push(x.name);
    if (existing.length > 0) {
      throw new ProvisionError(
        "KIT_ARCHIVE_DEST",
        `Cannot unpack into "${options.dest}": it is not empty`,
      );
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) await Deno.mkdir(options.dest, { mode: 0o755 });
    else if (err instanceof Deno.errors.NotADirectory) {
      throw new ProvisionError(
        "KIT_ARCHIVE_DEST",
        `Cannot unpack into "${options.dest}": not a folder`,
      );
    } else throw err;
  }
  const dirs = entries.filter((e) => e.path.endsWith("/")).sort((a, b) =>
    a.path.length - b.path.length
  );
  for (const d of dirs) await Deno.mkdir(`${options.dest}/${d.path}`, { mode: 0o700 });
  for (const f of entries.filter((e) => !e.path.endsWith("/"))) {
    const target = `${options.dest}/${f.path}`;
    await Deno.writeFile(target, f.data, { mode: f.mode, createNew: true });
    await Deno.chmod(target, f.mode);
  }
  // Folder modes last, so a 0500 folder does not block writing its files.
  for (const d of dirs.reverse()) await Deno.chmod(`${options.dest}/${d.path}`, d.mode);
  return { header, files: entries.length - dirs.length };
}
