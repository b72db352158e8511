// The main job in CI mode: `deno task poc --json` on a fresh workspace runs a whole federation
// to a finished job and leaves nothing running.
import assert from "node:assert/strict";
import { RUNTIME_DIR } from "../core/launch/mod.ts";

/** Processes whose command line mentions `text`. */
async function processesWith(text: string): Promise<string[]> {
  const out = await new Deno.Command("ps", { args: ["-eo", "pid=,args="] }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) =>
    l.includes(text) && !l.includes("ps -eo")
  );
}

Deno.test("deno task poc --json: the job finishes with ≥ 90% accuracy, audits verify, nothing left running", async () => {
  const ws = await Deno.makeTempDir({ prefix: "stockade_poc_" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "poc", "--json", "--workspace", ws],
      cwd: RUNTIME_DIR,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    const out = await child.output();
    clearTimeout(timer);
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, `${stdout}\n${new TextDecoder().decode(out.stderr)}`);
    const events = stdout.trim().split("\n").map((l) => JSON.parse(l));
    const finished = events.find((e) => e.event === "finished");
    assert.ok(finished && finished.accuracy >= 0.9, stdout);
    const audits = events.filter((e) => e.event === "audit");
    assert.equal(audits.length, 4);
    assert.ok(audits.every((a) => a.ok === true), stdout);
    // The private-scope site ran its filters on every result and audited each, with its spends.
    const site3 = await Deno.readTextFile(`${ws}/kits/poc/prod_00/site-3/audit.log`);
    assert.equal(
      site3.match(/\[S:private\][^\n]*applied filter: LocalGaussianDP@site on task_result/g)
        ?.length,
      5,
    );
    assert.equal(
      site3.match(/\[S:private\][^\n]*privacy spend: filter=LocalGaussianDP epsilon=1 /g)?.length,
      5,
    );
    // site-1 ran under its public scope without filters.
    assert.doesNotMatch(
      await Deno.readTextFile(`${ws}/kits/poc/prod_00/site-1/audit.log`),
      /applied filter/,
    );
    assert.ok(events.some((e) => e.event === "stopped"));
    assert.deepEqual(await processesWith(ws), []);
  } finally {
    for (const line of await processesWith(ws)) {
      Deno.kill(Number(line.trim().split(/\s+/)[0]), "SIGKILL");
    }
    await Deno.remove(ws, { recursive: true });
  }
});
