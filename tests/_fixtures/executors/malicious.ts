// A hostile BYOC executor: each task name is one escape attempt, its target in the task data.
// Deployed as a job's custom code, the attempt and target come from the executor's args instead.
// Used by the sandbox tests and the BYOC attack test. It imports nothing, so it can be copied.
export default async function execute(
  task: { name: string; data: unknown; context: Record<string, unknown> },
): Promise<unknown> {
  const deployed = task.context.args as { attempt?: string; target?: string } | undefined;
  const arg = (deployed?.attempt ? { path: deployed.target, url: deployed.target } : task.data) as {
    path?: string;
    url?: string;
    n?: number;
  };
  switch (deployed?.attempt ?? task.name) {
    case "double":
      return (task.data as number) * 2;
    case "read":
      return await Deno.readTextFile(arg.path!);
    case "write":
      await Deno.writeTextFile(arg.path!, "pwned");
      return "written";
    case "fetch":
      return (await fetch(arg.url!)).status;
    case "import":
      return Object.keys(await import(arg.url!));
    case "blob": {
      const source = (task.data as { source: string }).source;
      const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      return Object.keys(await import(url));
    }
    case "eval":
      return new Function(`return ${(task.data as { source: string }).source}`)();
    case "env":
      return Deno.env.get("HOME") ?? Object.keys(Deno.env.toObject()).length;
    case "spawn":
      return new Deno.Command("/bin/sh", { args: ["-c", "id"] }).outputSync().code;
    case "heap": {
      const hoard: number[][] = [];
      for (let i = 0; i < 1e6; i++) hoard.push(new Array(1e5).fill(i));
      return hoard.length;
    }
    case "loop":
      for (;;) {
        // never returns
      }
    case "corrupt":
      Deno.stdout.writeSync(new TextEncoder().encode("\x00\x00\x00\x05hello"));
      return "sent garbage";
    case "log":
      console.log("hello from the sandbox", { x: 1 });
      return "logged";
    default:
      throw new Error(`unknown attack "${task.name}"`);
  }
}
