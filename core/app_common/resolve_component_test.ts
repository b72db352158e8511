import assert from "node:assert/strict";
import { resolveComponent } from "./resolve_component.ts";

Deno.test("resolveComponent() finds built-ins, NVFlare aliases and the app's custom code", async () => {
  const app = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${app}/custom`);
    await Deno.writeTextFile(`${app}/custom/my_trainer.ts`, "export function Trainer() {}");
    const sag = await resolveComponent("stockade.app_common.workflows.ScatterAndGather", app);
    assert.ok(sag.module.endsWith("/core/app_common/scatter_and_gather.ts"));
    assert.deepEqual([sag.export, sag.custom], ["default", false]);
    const alias = await resolveComponent(
      "nvflare.app_common.workflows.scatter_and_gather.ScatterAndGather",
      app,
    );
    assert.equal(alias.module, sag.module);
    const custom = await resolveComponent("my_trainer.Trainer", app);
    assert.deepEqual(custom, {
      module: `${app}/custom/my_trainer.ts`,
      export: "Trainer",
      custom: true,
    });
    await assert.rejects(() => resolveComponent("evil.Thing", app), /neither a built-in/);
    await assert.rejects(() => resolveComponent("stockade.app_common.Nope", app), /neither/);
    await assert.rejects(() => resolveComponent("../x.Y", app), /not a dotted name/);
    await assert.rejects(() => resolveComponent("Trainer", app), /not a dotted name/);
  } finally {
    await Deno.remove(app, { recursive: true });
  }
});
