import type { JobFile } from "./job_file.ts";

/** Direct children of one folder of a job file list. */
export interface FolderNode {
  /** Folder path, `""` for the root. */
  path: string;
  files: Map<string, JobFile>;
  dirs: Set<string>;
}

/** Groups a (path-checked) file list by folder; deepest folders first, the root last. */
export function folderTree(files: readonly JobFile[]): FolderNode[] {
  const nodes = new Map<string, FolderNode>();
  const node = (path: string): FolderNode => {
    let n = nodes.get(path);
    if (n === undefined) {
      n = { path, files: new Map(), dirs: new Set() };
      nodes.set(path, n);
    }
    return n;
  };
  node("");
  for (const file of files) {
    const segments = file.path.split("/");
    for (let i = 0; i < segments.length - 1; i++) {
      node(segments.slice(0, i).join("/")).dirs.add(segments[i] as string);
      node(segments.slice(0, i + 1).join("/"));
    }
    node(segments.slice(0, -1).join("/")).files.set(segments.at(-1) as string, file);
  }
  const depth = (p: string) => p === "" ? 0 : p.split("/").length;
  return [...nodes.values()].sort((a, b) =>
    depth(b.path) - depth(a.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  );
}

/** `<folder>/<name>`, or `<name>` at the root. */
export function joinPath(folder: string, name: string): string {
  return folder === "" ? name : `${folder}/${name}`;
}

/** The bytes a subfolder entry is signed over: `dir:<name>\n` + SHA-256 of its listing. */
export async function folderEntryBytes(name: string, listing: Uint8Array): Promise<Uint8Array> {
  const head = new TextEncoder().encode(`dir:${name}\n`);
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", listing as Uint8Array<ArrayBuffer>),
  );
  const out = new Uint8Array(head.length + digest.length);
  out.set(head);
  out.set(digest, head.length);
  return out;
}
