// Needs `--unstable-worker-options` (Deno exits with code 70 without it when a worker gets
// permissions): deno test -P=test --unstable-worker-options core/filters/sandboxed_filter_test.ts
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { Tensor } from "../wire/mod.ts";
import { BudgetLedger } from "./budget_ledger.ts";
import { createFilter } from "./create_filter.ts";
import type { Dxo } from "./dxo.ts";
import { FilterError } from "./filter_error.ts";
import type { FilterContext, FilterOutcome } from "./filter.ts";
import { runFilterChain } from "./run_filter_chain.ts";
import { createSandboxedFilter, type SandboxedFilterOptions } from "./sandboxed_filter.ts";
import { constNoise, testContext } from "./_test_util.ts";

// The job modules of the tests, written into a temporary `<tmp>/app/custom/`.
const MODULES: Record<string, string> = {
  "scale.ts": `
    export class Scale {
      factor: number;
      constructor(args: Record<string, unknown>) {
        if (typeof args.factor !== "number") throw new TypeError("factor must be a number");
        this.factor = args.factor;
      }
      process(p: any, info: Record<string, unknown>) {
        if (p.meta.fail) throw new Error("boom " + "x".repeat(2000));
        const data: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(p.data)) {
          data[k] = ArrayBuffer.isView(v) ? (v as Float64Array).map((x) => x * this.factor)
            : typeof v === "number" ? v * this.factor : v;
        }
        // Tries to rewrite the provenance; the site keeps the input's.
        return { kind: p.kind, data, meta: { ...p.meta, info, _filter_provenance: [] } };
      }
    }
  `,
  "lib/math.ts": `export const double = (x: number): number => 2 * x;`,
  "lib/unused.ts": `export const unused = 1;`,
  "uses_helper.ts": `
    import { double } from "./lib/math.ts";
    export class Doubler {
      process(p: any) {
        return { ...p, data: { w: (p.data.w as Float64Array).map(double) } };
      }
    }
  `,
  "probe.ts": `
    interface ProbeArgs {
      secret: string;
      written: string;
      url: string;
      exec: string;
      outsideModule: string;
      customModule: string;
    }
    async function attempt(f: () => unknown): Promise<string> {
      try {
        await f();
        return "allowed";
      } catch (err) {
        return (err as Error).constructor.name + ": " + (err as Error).message;
      }
    }
    export class Probe {
      constructor(readonly a: ProbeArgs) {}
      async process(p: any) {
        const a = this.a;
        const probe = {
          read: await attempt(() => Deno.readTextFile(a.secret)),
          write: await attempt(() => Deno.writeTextFile(a.written, "x")),
          net: await attempt(async () => (await fetch(a.url)).text()),
          env: await attempt(() => Deno.env.get("PATH")),
          run: await attempt(() => new Deno.Command(a.exec, { args: ["--version"] }).output()),
          sys: await attempt(() => Deno.hostname()),
          importOutside: await attempt(() => import(a.outsideModule)),
          importCustomComputed: await attempt(() => import(a.customModule)),
          importRemote: await attempt(() => import(a.url + "mod.ts")),
          // Literal specifiers join the static graph: confined to custom/ like static imports.
          importOutsideLiteral: await attempt(() => import("../outside.ts")),
          importCustomLiteral: await attempt(() => import("./lib/math.ts")),
          nodeProcess: await attempt(async () => {
            const m = await import("node:" + "process");
            return m.default.kill(m.default.pid, "SIGCONT");
          }),
          removed: [
            typeof (globalThis as any).caches,
            typeof (globalThis as any).BroadcastChannel,
            typeof (globalThis as any).Worker,
            typeof (Deno as any).kill,
            typeof (Deno as any).addSignalListener,
            typeof (Deno as any).stdout,
            typeof (Deno as any).cwd,
            typeof (Deno as any)[(Deno as any).internal],
          ],
          args: Deno.args.length,
        };
        return { ...p, meta: { ...p.meta, probe } };
      }
    }
  `,
  "faulty.ts": `
    export class Hang { process() { while (true) { /* spin */ } } }
    export class Slow {
      active = 0;
      max = 0;
      async process(p: any) {
        this.max = Math.max(this.max, ++this.active);
        await new Promise((r) => setTimeout(r, 20));
        this.active--;
        return { ...p, meta: { max: this.max } };
      }
    }
    export class Skipper { process() { return { skip: "not\\nmine" }; } }
    export class NotDxo { process() { return "plain text"; } }
    export class BadValue { process(p: any) { return { ...p, data: { s: "text" } }; } }
    export class Shared {
      process(p: any) {
        return { ...p, data: { w: new Float64Array(new SharedArrayBuffer(8)) } };
      }
    }
    export class Unsendable { process() { return { kind: "K", data: {}, meta: { f: () => 1 } }; } }
    export class NoProcess {}
    export const NotAClass = 42;
    export const Arrow = () => ({ process: () => ({}) });
    export class Throws { constructor() { throw new Error("bad args"); } }
  `,
  "leak.ts": `
    import secret from "../secret.json" with { type: "json" };
    export class Leak { process(p: any) { return { ...p, meta: { secret } }; } }
  `,
  "via_link.ts": `
    import secret from "./link.json" with { type: "json" };
    export class Leak { process(p: any) { return { ...p, meta: { secret } }; } }
  `,
  "broken.ts": `export class Broken { process( }`,
};

interface Fixture {
  customDir: string;
  appDir: string;
}

async function withCustom(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const appDir = await Deno.makeTempDir({ prefix: "stockade_sandbox_" });
  const customDir = `${appDir}/custom`;
  try {
    await Deno.mkdir(`${customDir}/lib`, { recursive: true });
    for (const [name, source] of Object.entries(MODULES)) {
      await Deno.writeTextFile(`${customDir}/${name}`, source);
    }
    await Deno.writeTextFile(`${appDir}/secret.json`, '{"key": "site secret"}');
    await Deno.writeTextFile(`${appDir}/outside.ts`, 'export const secret = "site secret";');
    await Deno.symlink(`${appDir}/secret.json`, `${customDir}/link.json`);
    await fn({ customDir, appDir });
  } finally {
    await Deno.remove(appDir, { recursive: true });
  }
}

function sandboxed(
  f: Fixture,
  path: string,
  extra: Partial<SandboxedFilterOptions> = {},
) {
  return createSandboxedFilter({
    customDir: f.customDir,
    path,
    args: {},
    direction: undefined,
    ...extra,
  });
}

function dxo(meta: Record<string, unknown> = {}): Dxo {
  return {
    kind: "WEIGHT_DIFF",
    data: {
      w: new Float64Array([1, -2.5]),
      f: new Float32Array([0.5]),
      t: new Tensor([2, 1], new Float64Array([3, 4])),
      n: 2,
    },
    meta,
  };
}

const dataCtx = (): FilterContext => ({
  ...testContext(constNoise()),
  chain: "task_data",
  direction: "in",
});

function applied(outcome: FilterOutcome): Dxo {
  assert.ok(outcome.applied, "the filter skipped");
  return outcome.payload as Dxo;
}

async function rejectsWith(p: unknown, code: string, message: RegExp): Promise<FilterError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof FilterError, `expected a FilterError, got ${caught}`);
  assert.equal(caught.code, code);
  assert.match(caught.message, message);
  return caught;
}

Deno.test("createSandboxedFilter() runs a job class on a payload and keeps typed array types", async () => {
  await withCustom(async (f) => {
    const filter = await sandboxed(f, "scale.Scale", { args: { factor: 3 }, direction: "out" });
    try {
      assert.equal(filter.name, "Scale");
      assert.equal(filter.source, "job");
      assert.equal(filter.direction, "out");
      assert.deepEqual(filter.warnings, []);
      const reference = await createFilter({ path: "m.X", args: { factor: 3 } }, {
        source: "job",
        resolve: () => ({
          name: "X",
          warnings: [],
          process: () => ({ applied: false, reason: "" }),
        }),
      });
      assert.equal(filter.argsSha256, reference.argsSha256);

      const input = dxo({ _filter_provenance: [{ filter: "ExcludeVars" }], T: 1 });
      const out = applied(await filter.process(input, testContext(constNoise())));
      assert.ok(out.data.w instanceof Float64Array);
      assert.deepEqual([...out.data.w], [3, -7.5]);
      assert.ok(out.data.f instanceof Float32Array);
      assert.deepEqual([...out.data.f], [1.5]);
      assert.ok(out.data.t instanceof Tensor, "tensors come back as Tensor");
      assert.deepEqual(out.data.t.shape, [2, 1]);
      assert.deepEqual([...out.data.t.data], [3, 4]);
      assert.equal(out.data.n, 6);
      assert.deepEqual(out.meta.info, {
        chain: "task_result",
        direction: "out",
        scope: "s",
        replyCode: "OK",
      });
      assert.equal(out.meta.T, 1);
      assert.deepEqual(out.meta._filter_provenance, [{ filter: "ExcludeVars" }]);
      // The input is untouched.
      assert.deepEqual([...(input.data.w as Float64Array)], [1, -2.5]);
      assert.equal(input.meta.info, undefined);

      // The same worker serves the next call.
      const again = applied(await filter.process(dxo(), dataCtx()));
      assert.deepEqual([...(again.data.w as Float64Array)], [3, -7.5]);
      assert.equal((again.meta.info as { chain: string }).chain, "task_data");
      assert.equal(again.meta._filter_provenance, undefined);
    } finally {
      filter.close();
    }
  });
});

Deno.test("createSandboxedFilter() filters run in a chain with provenance as job filters", async () => {
  await withCustom(async (f) => {
    const filter = await sandboxed(f, "scale.Scale", { args: { factor: 2 } });
    const dir = await Deno.makeTempDir({ prefix: "stockade_sandbox_ledger_" });
    try {
      const ledger = await BudgetLedger.open(`${dir}/privacy_budget.json`);
      const result = await runFilterChain([filter], dxo(), {
        chain: "task_result",
        side: "client",
        scope: "public",
        jobId: "job-1",
        ledger,
      });
      const out = result.payload as Dxo;
      assert.deepEqual([...(out.data.w as Float64Array)], [2, -5]);
      assert.deepEqual(result.events.map((e) => e.message), [
        "applied filter: Scale@job on task_result",
      ]);
      const prov = out.meta._filter_provenance as { filter: string; source: string }[];
      assert.deepEqual(prov.map((p) => [p.filter, p.source]), [["Scale", "job"]]);
    } finally {
      filter.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("createSandboxedFilter() loads static imports of other files in custom/", async () => {
  await withCustom(async (f) => {
    const filter = await sandboxed(f, "uses_helper.Doubler");
    try {
      const out = applied(await filter.process(dxo(), testContext(constNoise())));
      assert.deepEqual([...(out.data.w as Float64Array)], [2, -5]);
    } finally {
      filter.close();
    }
  });
});

Deno.test("createSandboxedFilter() job code has no read, write, net, env, run, sys or import", async () => {
  await withCustom(async (f) => {
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response("export const x = 1;", { headers: { "content-type": "text/javascript" } }),
    );
    const written = `${f.appDir}/written.txt`;
    const filter = await sandboxed(f, "probe.Probe", {
      args: {
        secret: `${f.appDir}/secret.json`,
        written,
        url: `http://127.0.0.1:${server.addr.port}/`,
        exec: Deno.execPath(),
        outsideModule: pathToFileURL(`${f.appDir}/outside.ts`).href,
        // Not in the module graph: a computed import is checked against the sandbox's permissions.
        customModule: pathToFileURL(`${f.customDir}/lib/unused.ts`).href,
      },
    });
    try {
      const out = applied(await filter.process(dxo(), testContext(constNoise())));
      const probe = out.meta.probe as Record<string, unknown>;
      for (const k of ["read", "write", "net", "env", "run", "sys"]) {
        assert.match(String(probe[k]), /^NotCapable: Requires \w+ access/, `${k}: ${probe[k]}`);
      }
      // Denied dynamic imports are TypeErrors in Deno 2.9, not NotCapable.
      assert.match(String(probe.importOutside), /^TypeError: Requires read access/);
      assert.match(String(probe.importCustomComputed), /^TypeError: Requires read access/);
      assert.match(String(probe.importRemote), /^TypeError: Requires import access/);
      assert.match(String(probe.importOutsideLiteral), /^TypeError: Requires read access/);
      assert.equal(probe.importCustomLiteral, "allowed");
      assert.match(String(probe.nodeProcess), /^TypeError/);
      assert.deepEqual(probe.removed, Array(8).fill("undefined"));
      assert.equal(probe.args, 0);
      await assert.rejects(Deno.stat(written), Deno.errors.NotFound);
    } finally {
      filter.close();
    }
  });
});

Deno.test("createSandboxedFilter() refuses static imports that leave custom/, symlinks included", async () => {
  await withCustom(async (f) => {
    await rejectsWith(
      sandboxed(f, "leak.Leak"),
      "PRIVACY_FILTER",
      /leak\.ts.*Requires read access to ".*secret\.json"/,
    );
    await rejectsWith(
      sandboxed(f, "via_link.Leak"),
      "PRIVACY_FILTER",
      /via_link\.ts.*Requires read access to ".*link\.json"/,
    );
  });
});

Deno.test("createSandboxedFilter() a throwing filter fails the call with the chain's code", async () => {
  await withCustom(async (f) => {
    const filter = await sandboxed(f, "scale.Scale", { args: { factor: 1 } });
    try {
      const err = await rejectsWith(
        filter.process(dxo({ fail: true }), testContext(constNoise())),
        "TASK_RESULT_FILTER_ERROR",
        /^Job filter "Scale" threw: boom x+…$/,
      );
      assert.equal(err.filter, "Scale");
      assert.ok(err.message.length < 560, `message is ${err.message.length} chars`);
      await rejectsWith(
        filter.process(dxo({ fail: true }), dataCtx()),
        "TASK_DATA_FILTER_ERROR",
        /threw: boom/,
      );
      // A throw does not stop the worker.
      applied(await filter.process(dxo(), testContext(constNoise())));
    } finally {
      filter.close();
    }
  });
});

Deno.test("createSandboxedFilter() a hanging filter is stopped at the time limit, for good", async () => {
  await withCustom(async (f) => {
    const filter = await sandboxed(f, "faulty.Hang", { timeoutMs: 300 });
    try {
      const start = performance.now();
      await rejectsWith(
        filter.process(dxo(), testContext(constNoise())),
        "TASK_RESULT_FILTER_ERROR",
        /^Job filter "Hang" timed out after 300 ms/,
      );
      assert.ok(performance.now() - start < 3000);
      await rejectsWith(
        filter.process(dxo(), dataCtx()),
        "TASK_DATA_FILTER_ERROR",
        /is stopped: it timed out after 300 ms/,
      );
    } finally {
      filter.close();
    }
  });
});

Deno.test("createSandboxedFilter() serializes concurrent calls and stops on close()", async () => {
  await withCustom(async (f) => {
    const filter = await sandboxed(f, "faulty.Slow");
    try {
      const outs = await Promise.all(
        [1, 2, 3].map(async () => applied(await filter.process(dxo(), testContext(constNoise())))),
      );
      assert.deepEqual(outs.map((o) => o.meta.max), [1, 1, 1]);
    } finally {
      filter.close();
    }
    await rejectsWith(
      filter.process(dxo(), testContext(constNoise())),
      "TASK_RESULT_FILTER_ERROR",
      /is stopped: it was closed/,
    );
    filter.close();
  });
});

Deno.test("createSandboxedFilter() checks what the job returns", async () => {
  await withCustom(async (f) => {
    const skipper = await sandboxed(f, "faulty.Skipper");
    try {
      assert.deepEqual(await skipper.process(dxo(), testContext(constNoise())), {
        applied: false,
        reason: "not mine",
      });
    } finally {
      skipper.close();
    }
    const cases: [string, RegExp][] = [
      ["NotDxo", /returned neither a DXO/],
      ["BadValue", /payload\.data\.s is not a number, typed array/],
      ["Shared", /payload\.data\.w is in shared memory/],
      ["Unsendable", /returned a value that cannot leave the sandbox/],
    ];
    for (const [name, message] of cases) {
      const filter = await sandboxed(f, `faulty.${name}`);
      try {
        await rejectsWith(
          filter.process(dxo(), dataCtx()),
          "TASK_DATA_FILTER_ERROR",
          message,
        );
      } finally {
        filter.close();
      }
    }
  });
});

Deno.test("createSandboxedFilter() refuses bad paths before starting anything", async () => {
  await withCustom(async (f) => {
    for (
      const path of ["", "scale", "scale.", ".Scale", "a.b.C", "1x.Scale", "scale.Sc-ale", "../x.Y"]
    ) {
      await rejectsWith(sandboxed(f, path), "PRIVACY_FILTER", /is not <module>\.<Export>/);
    }
    await rejectsWith(
      createSandboxedFilter({
        customDir: "custom",
        path: "scale.Scale",
        args: {},
        direction: undefined,
      }),
      "PRIVACY_FILTER",
      /is not absolute/,
    );
    await rejectsWith(
      sandboxed(f, "scale.Scale", { args: [] as unknown as Record<string, unknown> }),
      "PRIVACY_FILTER",
      /args/,
    );
  });
});

Deno.test("createSandboxedFilter() load errors name the file and the export", async () => {
  await withCustom(async (f) => {
    const cases: [string, RegExp][] = [
      ["missing.Scale", /module file ".*custom\/missing\.ts" does not exist/],
      ["link.Scale", /module file ".*custom\/link\.ts" does not exist/],
      ["scale.Scaler", /custom\/scale\.ts": the module has no export "Scaler"/],
      ["faulty.NotAClass", /faulty\.ts": export "NotAClass" is a number, not a class/],
      ["faulty.Arrow", /new Arrow\(args\) threw: .*not a constructor/],
      ["faulty.Throws", /new Throws\(args\) threw: bad args/],
      ["faulty.NoProcess", /"NoProcess" has no process\(payload, info\) method/],
      ["scale.Scale", /new Scale\(args\) threw: factor must be a number/],
      ["broken.Broken", /cannot be loaded from ".*broken\.ts": it crashed: /],
    ];
    for (const [path, message] of cases) {
      await rejectsWith(sandboxed(f, path), "PRIVACY_FILTER", message);
    }
  });
});
