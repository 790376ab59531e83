import type { Runtime } from "./types.ts";

/**
 * Picks the adapter for the runtime we are on. This is the one place that
 * asks; everything else receives a `Runtime`.
 */
export async function loadRuntime(): Promise<Runtime> {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.Bun !== "undefined") return (await import("./bun.ts")).createRuntime();
  if (typeof g.Deno !== "undefined") return (await import("./deno.ts")).createRuntime();
  return (await import("./node.ts")).createRuntime();
}
