// A stand-in role process for the supervision tests. Arguments: <log file> <mode> [crashes].
// Appends "start" to the log on each start, then by mode:
//   crash <n>  exit 1 on the first n starts, afterwards run until SIGTERM
//   exit <c>   exit with status c at once
//   stubborn   run and ignore SIGTERM (only SIGKILL ends it)
// While running it logs "term" on SIGTERM and exits 0.
const [log, mode, n] = Deno.args;
if (log === undefined || mode === undefined) throw new TypeError("Usage: <log> <mode> [n]");
await Deno.writeTextFile(`${log}.pids`, `${Deno.pid}\n`, { append: true });
await Deno.writeTextFile(log, "start\n", { append: true });
const starts = (await Deno.readTextFile(log)).split("\n").filter((l) => l === "start").length;
if (mode === "crash" && starts <= Number(n)) Deno.exit(1);
if (mode === "exit") Deno.exit(Number(n));
Deno.addSignalListener("SIGTERM", () => {
  if (mode === "stubborn") return;
  Deno.writeTextFileSync(log, "term\n", { append: true });
  Deno.exit(0);
});
// Keeps the process alive; the signal listener alone would too, but be explicit.
setInterval(() => {}, 60_000);
