/** Listening on IPv4, IPv6 and a unix socket, as `bind` and `unixsocket` say; runs on every runtime. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../helpers/cli.ts";
import { HOOK_TIMEOUT_MS, type ServerProcess, startRespd } from "../helpers/server.ts";

const sock = join(mkdtempSync(join(tmpdir(), "respd-sock-")), "respd.sock");
let server: ServerProcess;

beforeAll(async () => {
  server = await startRespd({ args: ["--bind", "127.0.0.1 ::1", "--unixsocket", sock, "--unixsocketperm", "700"] });
}, HOOK_TIMEOUT_MS);
afterAll(async () => {
  await server.stop();
});

/** Sends one inline command to a socket and returns what comes back first. */
function ask(opts: { host?: string; port?: number; path?: string }, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = opts.path ? connect(opts.path) : connect({ host: opts.host as string, port: opts.port as number });
    s.once("error", reject);
    s.once("data", (d) => {
      resolve(d.toString("latin1"));
      s.destroy();
    });
    s.write(line);
  });
}

test("answers on IPv4 loopback", async () => {
  expect(await ask({ host: "127.0.0.1", port: server.port }, "PING\r\n")).toBe("+PONG\r\n");
});

test("answers on IPv6 loopback", async () => {
  expect(await ask({ host: "::1", port: server.port }, "PING\r\n")).toBe("+PONG\r\n");
});

test("answers on the unix socket, also to redis-cli -s", async () => {
  expect(await ask({ path: sock }, "ECHO unix\r\n")).toBe("$4\r\nunix\r\n");
  expect(cli(server.port, ["-s", sock, "SET", "via", "unix"])).toBe("OK");
  expect(cli(server.port, ["GET", "via"])).toBe("unix");
});
