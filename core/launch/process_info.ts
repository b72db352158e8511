/** What `sys_info` reports of the role process answering it (server or site alike). */
export function processInfo(started: Date): Record<string, unknown> {
  return {
    os: Deno.build.os,
    arch: Deno.build.arch,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    pid: Deno.pid,
    memory: Deno.memoryUsage(),
    uptime_s: Math.round((Date.now() - started.getTime()) / 1000),
  };
}
