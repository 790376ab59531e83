/** docs/COMPAT.md's generated table must say exactly which commands respd's table has. */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BEGIN, END, respdCommandNames } from "../scripts/compat.ts";
import { ROOT } from "./helpers/server.ts";

test("COMPAT.md lists every command respd implements, and no other (run scripts/compat.ts to refresh)", () => {
  const doc = readFileSync(join(ROOT, "docs/COMPAT.md"), "utf8");
  const table = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END));
  expect(table.length).toBeGreaterThan(0);
  const claimed = new Set<string>();
  for (const line of table.split("\n")) {
    const cells = line.split(/(?<!\\)\|/);
    if (cells.length < 5 || !/^\s*\d+\/\d+\s*$/.test(cells[2] as string)) continue;
    for (const m of (cells[3] as string).matchAll(/`([^`]+)`/g)) claimed.add((m[1] as string).replaceAll("\\|", "|"));
  }
  const extraLine = table.split("\n").find((l) => l.startsWith("Beyond Redis 7.0.15"));
  for (const m of extraLine?.matchAll(/`([^`]+)`/g) ?? []) claimed.add(m[1] as string);
  expect([...claimed].sort()).toEqual([...respdCommandNames()].sort());
});
