/** A running watch of one policy file; `close()` stops it and waits for the watch loop. */
export interface LocalFileWatch {
  close(): Promise<void>;
}

/**
 * Calls `onChange` once a `<dir>/<stem>.*` file has been quiet for `debounceMs` after changing
 * (editors write in several steps; a half-written file must not be loaded). Needs read access to
 * `dir`.
 */
export function watchLocalFile(
  dir: string,
  stem: string,
  onChange: () => void,
  options: { debounceMs?: number; log?: (level: "error", message: string) => void } = {},
): LocalFileWatch {
  const watcher = Deno.watchFs(dir, { recursive: false });
  const pattern = new RegExp(`[\\\\/]${stem}\\.[^\\\\/]*$`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const watching = (async () => {
    try {
      for await (const event of watcher) {
        if (closed) break;
        if (!event.paths.some((p) => pattern.test(p))) continue;
        clearTimeout(timer);
        timer = setTimeout(() => {
          timer = undefined;
          if (!closed) onChange();
        }, options.debounceMs ?? 1000);
      }
    } catch (err) {
      if (!closed) {
        options.log?.("error", `Watching ${dir}/${stem}.* stopped: ${(err as Error).message}`);
      }
    }
  })();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
      await watching;
    },
  };
}
