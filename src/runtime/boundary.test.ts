/** The runtime boundary: only src/runtime/ may know which runtime runs. */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

test("no file outside src/runtime/ imports node: modules or touches Bun or Deno", () => {
  const root = join(import.meta.dir, "..");
  const offenders: string[] = [];
  for (const path of sources(root)) {
    if (path.startsWith(join(root, "runtime"))) continue;
    const text = readFileSync(path, "utf8");
    if (/from "node:|require\("node:|\bBun\.|\bDeno\./.test(text)) offenders.push(path.slice(root.length + 1));
  }
  expect(offenders).toEqual([]);
});
