/**
 * Keeps Dockerfile and compose.yaml from rotting without a Docker engine: the
 * files their commands name must be copied into the image and exist here, and
 * respd started with exactly their flags (port, bind address and /data swapped
 * for local ones) must pass the image's health check and serve SET/GET.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join, posix } from "node:path";
import { call, RawClient } from "./helpers/raw.ts";
import { freePort, ROOT } from "./helpers/server.ts";

const BUN = join(ROOT, "node_modules/.bin/bun");

// ---- A YAML subset: block mappings and sequences, flow sequences, quoted and plain scalars, comments.

type Yaml = string | null | Yaml[] | { [key: string]: Yaml };

/** Drops a `#` comment that starts a line or follows whitespace, outside quotes. */
function stripComment(line: string): string {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function scalar(s: string): Yaml {
  s = s.trim();
  if (s.startsWith("[")) {
    if (!s.endsWith("]")) throw new Error(`unterminated flow sequence: ${s}`);
    try {
      return JSON.parse(s) as Yaml;
    } catch {
      const inner = s.slice(1, -1).trim();
      return inner ? inner.split(",").map(scalar) : [];
    }
  }
  if (s.startsWith('"')) return JSON.parse(s) as string;
  if (s.startsWith("'")) return s.slice(1, -1).replaceAll("''", "'");
  return s;
}

function parseYaml(src: string): Yaml {
  const lines = src
    .split(/\r?\n/)
    .map(stripComment)
    .filter((l) => l.trim() !== "")
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
  let i = 0;
  const isItem = (t: string) => t === "-" || t.startsWith("- ");

  function block(minIndent: number): Yaml {
    const first = lines[i];
    if (!first || first.indent < minIndent) return null;
    const indent = first.indent;
    if (isItem(first.text)) {
      const items: Yaml[] = [];
      while (lines[i] && lines[i]!.indent === indent && isItem(lines[i]!.text)) {
        const rest = lines[i]!.text.slice(1).trim();
        i++;
        if (rest.includes(": ") || rest.endsWith(":")) throw new Error(`mappings inside sequences are not supported: ${rest}`);
        items.push(rest ? scalar(rest) : block(indent + 1));
      }
      return items;
    }
    const map: { [key: string]: Yaml } = {};
    while (lines[i] && lines[i]!.indent === indent && !isItem(lines[i]!.text)) {
      const m = /^("[^"]*"|'[^']*'|[^:'"]+?):(?:\s+(.*))?$/.exec(lines[i]!.text);
      if (!m) throw new Error(`unsupported YAML line: ${lines[i]!.text}`);
      i++;
      const key = scalar(m[1]!) as string;
      if (m[2] !== undefined) map[key] = scalar(m[2]);
      // A sequence may sit at its key's own indentation.
      else if (lines[i] && lines[i]!.indent === indent && isItem(lines[i]!.text)) map[key] = block(indent);
      else map[key] = block(indent + 1);
    }
    return map;
  }

  const doc = block(0);
  if (i < lines.length) throw new Error(`unexpected indentation at: ${lines[i]!.text}`);
  return doc;
}

// ---- The Dockerfile: instructions, and where COPY puts repository files inside the image.

interface Instruction {
  op: string;
  args: string;
}

function dockerInstructions(src: string): Instruction[] {
  const joined = src.replace(/\\\r?\n/g, " ");
  return joined
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const m = /^(\S+)\s*(.*)$/.exec(l)!;
      return { op: m[1]!.toUpperCase(), args: m[2]! };
    });
}

/** Maps an absolute path in the image to the repository path COPY took it from, or null. */
function imagePathToRepo(instructions: Instruction[], imagePath: string): string | null {
  let workdir = "/";
  let found: string | null = null;
  for (const { op, args } of instructions) {
    if (op === "WORKDIR") workdir = posix.resolve(workdir, args);
    if (op !== "COPY" || args.includes("--from")) continue;
    const parts = args.split(/\s+/).filter((p) => !p.startsWith("--"));
    const dest = posix.resolve(workdir, parts.pop()!);
    for (const source of parts) {
      const local = join(ROOT, source);
      if (!existsSync(local)) continue;
      if (statSync(local).isDirectory()) {
        if (imagePath.startsWith(`${dest}/`)) found = join(local, imagePath.slice(dest.length + 1));
      } else {
        const target = parts.length > 1 || args.trimEnd().endsWith("/") ? posix.join(dest, basename(source)) : dest;
        if (imagePath === target) found = local;
      }
    }
  }
  return found;
}

const dockerfile = dockerInstructions(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
interface Service {
  command: string[];
  depends_on?: Record<string, { condition: string }>;
  ports: string[];
  volumes: string[];
  healthcheck: { test: string[] };
}
const compose = parseYaml(readFileSync(join(ROOT, "compose.yaml"), "utf8")) as unknown as {
  services: Record<string, Service>;
  volumes?: Record<string, Yaml>;
};
const master = compose.services.master!;
const replica = compose.services.replica!;

function only(op: string): Instruction {
  const all = dockerfile.filter((d) => d.op === op);
  if (all.length !== 1) throw new Error(`Dockerfile has ${all.length} ${op} instructions, expected 1`);
  return all[0]!;
}

const dockerCmd = JSON.parse(only("CMD").args) as string[];
const dockerHealth = JSON.parse(only("HEALTHCHECK").args.replace(/^.*?\bCMD\s+/, "")) as string[];

// ---- Running a command line as a local process.

/** `bun run <image path> ...flags` -> the repository script and the flags. */
function bunScript(cmd: string[]): { script: string; args: string[] } {
  expect(cmd.slice(0, 2)).toEqual(["bun", "run"]);
  const script = imagePathToRepo(dockerfile, cmd[2]!);
  if (!script) throw new Error(`${cmd[2]} is not copied into the image by any COPY`);
  expect(existsSync(script)).toBe(true);
  return { script, args: cmd.slice(3) };
}

/** Swaps --port, --bind and --dir for local values; every other flag stays as written. */
function localFlags(args: string[], port: number, dir: string): string[] {
  const out = [...args];
  const set = (name: string, value: string) => {
    const at = out.indexOf(name);
    if (at >= 0) out[at + 1] = value;
    else out.push(name, value);
  };
  set("--port", String(port));
  set("--bind", "127.0.0.1");
  set("--dir", dir);
  return out;
}

const started: ChildProcess[] = [];
afterAll(async () => {
  for (const p of started) {
    if (p.exitCode !== null || p.signalCode !== null) continue;
    p.kill("SIGTERM");
    await new Promise((r) => p.once("exit", r));
  }
});

/** `--replicaof <service> 6379` -> the local port that service was started on. */
function localReplicaof(args: string[], ports: Record<string, number>): string[] {
  const out = [...args];
  const at = out.indexOf("--replicaof");
  if (at >= 0) {
    const port = ports[out[at + 1]!];
    if (port === undefined) throw new Error(`--replicaof names ${out[at + 1]}, which was not started`);
    expect(out[at + 2]).toBe("6379");
    out.splice(at + 1, 2, "127.0.0.1", String(port));
  }
  return out;
}

async function runServer(cmd: string[], ports: Record<string, number> = {}): Promise<number> {
  const { script, args } = bunScript(cmd);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "respd-deploy-"));
  const proc = spawn(BUN, ["run", script, ...localReplicaof(localFlags(args, port, dir), ports)], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(proc);
  let out = "";
  proc.stdout?.on("data", (d) => (out += d));
  proc.stderr?.on("data", (d) => (out += d));
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`respd exited (${proc.exitCode}):\n${out}`);
    const up = await new Promise<boolean>((res) => {
      const s = connect({ port, host: "127.0.0.1" }, () => {
        s.destroy();
        res(true);
      });
      s.once("error", () => res(false));
    });
    if (up) return port;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`respd did not listen:\n${out}`);
}

/** Runs a health check command line against `port` (its own port argument swapped); returns the exit code. */
function runHealthcheck(cmd: string[], port: number): number | null {
  const { script, args } = bunScript(cmd[0] === "CMD" ? cmd.slice(1) : cmd);
  const local = args.length > 0 ? [String(port), ...args.slice(1)] : [String(port)];
  const r = spawnSync(BUN, ["run", script, ...local], { encoding: "utf8", timeout: 20_000 });
  return r.status;
}

// ---- Tests.

describe("compose.yaml", () => {
  test("parses to a master service with a command, the published port and a volume on /data", () => {
    expect(Array.isArray(master.command)).toBe(true);
    expect(master.ports.some((p) => p.endsWith(":6379"))).toBe(true);
    expect(master.volumes.some((v) => v.endsWith(":/data"))).toBe(true);
    const volumeName = master.volumes[0]!.split(":")[0]!;
    expect(Object.keys(compose.volumes ?? {})).toContain(volumeName);
    expect(master.healthcheck.test[0]).toBe("CMD");
  });

  test("the master's command and health check name files the image contains", () => {
    expect(bunScript(master.command).script).toBe(join(ROOT, "src/main.ts"));
    expect(bunScript(master.healthcheck.test.slice(1)).script).toBe(join(ROOT, "scripts/healthcheck.ts"));
  });

  test("respd started with the master's flags passes the health check and serves SET/GET", async () => {
    const port = await runServer(master.command);
    expect(runHealthcheck(master.healthcheck.test, port)).toBe(0);
    const c = await RawClient.connect(port);
    expect(await call(c, "SET", "deploy", "ok")).toBe("+OK\r\n");
    expect(await call(c, "GET", "deploy")).toBe("$2\r\nok\r\n");
    c.close();
  });
});

describe("compose.yaml replica", () => {
  test("depends on a healthy master, has its own port and volume", () => {
    expect(replica.depends_on?.master?.condition).toBe("service_healthy");
    expect(replica.command).toContain("--replicaof");
    expect(replica.ports.some((p) => p.endsWith(":6379"))).toBe(true);
    expect(replica.ports).not.toEqual(master.ports);
    const volumeName = replica.volumes[0]!.split(":")[0]!;
    expect(Object.keys(compose.volumes ?? {})).toContain(volumeName);
  });

  test("the master and replica commands, started as processes, replicate a write", async () => {
    const masterPort = await runServer(master.command);
    const replicaPort = await runServer(replica.command, { master: masterPort });
    expect(runHealthcheck(replica.healthcheck.test, replicaPort)).toBe(0);
    const m = await RawClient.connect(masterPort);
    const r = await RawClient.connect(replicaPort);
    expect(await call(m, "SET", "replicated", "yes")).toBe("+OK\r\n");
    let got = "";
    for (let i = 0; i < 200 && got !== "$3\r\nyes\r\n"; i++) {
      got = await call(r, "GET", "replicated");
      if (got !== "$3\r\nyes\r\n") await new Promise((res) => setTimeout(res, 50));
    }
    expect(got).toBe("$3\r\nyes\r\n");
    expect(await call(r, "SET", "x", "1")).toBe("-READONLY You can't write against a read only replica.\r\n");
    m.close();
    r.close();
  }, 20000);
});

describe("Dockerfile", () => {
  test("CMD and HEALTHCHECK name files the image contains", () => {
    expect(bunScript(dockerCmd).script).toBe(join(ROOT, "src/main.ts"));
    expect(bunScript(dockerHealth).script).toBe(join(ROOT, "scripts/healthcheck.ts"));
  });

  test("exposes 6379, keeps data in the /data volume, runs as a non-root user", () => {
    expect(only("EXPOSE").args).toBe("6379");
    expect(only("VOLUME").args).toBe("/data");
    expect(dockerCmd).toContain("/data");
    const user = only("USER").args;
    expect(user).not.toBe("root");
    expect(user).not.toBe("0");
  });

  test("respd started with the CMD's flags passes the health check", async () => {
    const port = await runServer(dockerCmd);
    expect(runHealthcheck(dockerHealth, port)).toBe(0);
  });

  test(".dockerignore keeps what the image needs", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim());
    for (const needed of ["src", "scripts", "package.json", "package-lock.json"]) expect(ignored).not.toContain(needed);
  });
});

describe("scripts/healthcheck.ts", () => {
  test("fails when nothing listens", async () => {
    expect(runHealthcheck(dockerHealth, await freePort())).toBe(1);
  });

  test("fails on an error reply such as -LOADING", async () => {
    const fake = createServer((s) => s.on("data", () => s.end("-LOADING Redis is loading the dataset in memory\r\n")));
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const port = (fake.address() as { port: number }).port;
    try {
      // Asynchronous spawn: the fake server lives on this event loop.
      const { script } = bunScript(dockerHealth);
      const proc = spawn(BUN, ["run", script, String(port)], { stdio: "ignore" });
      const code = await new Promise<number | null>((r) => proc.once("exit", r));
      expect(code).toBe(1);
    } finally {
      fake.close();
    }
  });
});

describe("the YAML subset reader", () => {
  test("reads nesting, both sequence styles, quoting and comments", () => {
    const doc = parseYaml(
      ["a:", "  b: [\"x # not a comment\", 'it''s']  # comment", "  c:", "  - one", '  - "two"', "d: plain value", "e:", "f: [p, q]"].join(
        "\n",
      ),
    );
    expect(doc).toEqual({ a: { b: ["x # not a comment", "it's"], c: ["one", "two"] }, d: "plain value", e: null, f: ["p", "q"] });
  });
});
