/** A client that does not read its replies: output is counted (CLIENT LIST omem) and input reading pauses. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { call, encodeCommand, RawClient } from "./helpers/raw.ts";
import { HOOK_TIMEOUT_MS, type ServerProcess, startRespd } from "./helpers/server.ts";

let server: ServerProcess;
beforeAll(async () => {
  server = await startRespd();
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  await server.stop();
});

function field(line: string, name: string): number {
  const m = new RegExp(`(?:^| )${name}=(\\d+)`).exec(line);
  return m ? Number(m[1]) : Number.NaN;
}

test("a slow reader's pending output shows in omem, and the server keeps serving others", async () => {
  const slow = await RawClient.connect(server.port);
  const admin = await RawClient.connect(server.port);
  expect(await call(admin, "SET", "big", "x".repeat(1024 * 1024))).toBe("+OK\r\n");
  expect(await call(slow, "CLIENT", "SETNAME", "slow")).toBe("+OK\r\n");
  // 64 MB of replies requested, none read: far beyond what the kernel buffers.
  const burst: Buffer[] = [];
  for (let i = 0; i < 64; i++) burst.push(encodeCommand(["GET", "big"]));
  slow.write(Buffer.concat(burst));
  let omem = 0;
  for (let i = 0; i < 50 && omem < 1024 * 1024; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const list = await call(admin, "CLIENT", "LIST");
    const line = list.split("\n").find((l) => l.includes("name=slow")) ?? "";
    omem = field(line, "omem");
  }
  expect(omem).toBeGreaterThan(1024 * 1024);
  expect(await call(admin, "PING")).toBe("+PONG\r\n");
  // Reading everything drains it: every reply arrives whole.
  const total = 64 * (1024 * 1024 + "$1048576\r\n".length + 2);
  const got = await slow.readBytes(total, 20_000);
  expect(got.length).toBe(total);
  slow.close();
  admin.close();
});

test("a normal client whose replies break its hard limit is closed before any of them is sent", async () => {
  const admin = await RawClient.connect(server.port);
  const c = await RawClient.connect(server.port);
  expect(await call(admin, "SET", "big10k", "x".repeat(10_000))).toBe("+OK\r\n");
  expect(await call(admin, "CONFIG", "SET", "client-output-buffer-limit", "normal 100000 0 0")).toBe("+OK\r\n");
  try {
    expect(await call(c, "CLIENT", "SETNAME", "greedy")).toBe("+OK\r\n");
    // One read of 20 GETs: 200 KB of replies, twice the limit.
    c.write(Buffer.concat(Array.from({ length: 20 }, () => encodeCommand(["GET", "big10k"]))));
    let gone = false;
    for (let i = 0; i < 250 && !gone; i++) {
      await new Promise((r) => setTimeout(r, 20));
      gone = !(await call(admin, "CLIENT", "LIST")).includes("name=greedy");
    }
    expect(gone).toBe(true);
    expect((await c.readBytes(1, 500)).length).toBe(0);
    // A reply under the limit still goes out whole.
    const ok = await RawClient.connect(server.port);
    expect((await call(ok, "GET", "big10k")).length).toBe(10_000 + "$10000\r\n".length + 2);
    ok.close();
  } finally {
    await call(admin, "CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0");
    c.close();
    admin.close();
  }
});
