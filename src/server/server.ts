import { ALL_COMMANDS } from "../commands/index.ts";
import { Config } from "../config/config.ts";
import { FatalConfigError, loadConfig } from "../config/load.ts";
import { Engine, RESPD_VERSION, type ShutdownOptions, VERSION } from "../engine/engine.ts";
import { CommandSink } from "../engine/sink.ts";
import { CommandTable } from "../engine/table.ts";
import { AofManager } from "../persistence/aof/index.ts";
import { Saver } from "../persistence/saver.ts";
import { isLoading, loadAtStartup } from "../persistence/startup.ts";
import { outputLimitsOf, setWarningLog } from "../pubsub/limits.ts";
import { setupReplication } from "../replication/index.ts";
import { fromLatin1, latin1 } from "../resp/bytes.ts";
import type { Listener, Runtime } from "../runtime/types.ts";
import { serveConnection } from "./connection.ts";
import { IdleCollector } from "./idle-gc.ts";
import { Logger, type LogLevel, timestamp } from "./log.ts";

export interface RunningServer {
  engine: Engine;
  logger: Logger;
  listeners: Listener[];
  /** Resolves when the server has shut down. */
  done: Promise<number>;
}

/** Redis's `bind` words: `*` = all IPv4, `::*` = all IPv6, a leading `-` = optional. */
function bindHosts(bind: string): { host: string; optional: boolean }[] {
  return bind
    .split(" ")
    .filter((b) => b.length > 0)
    .map((b) => {
      const optional = b.startsWith("-");
      let host = optional ? b.slice(1) : b;
      if (host === "*") host = "0.0.0.0";
      else if (host === "::*") host = "::";
      return { host, optional };
    });
}

/** Starts respd: config, listeners, cron, signals. Exits the process on fatal config errors. */
export async function startServer(runtime: Runtime, args: string[]): Promise<RunningServer> {
  const config = new Config();
  const readText = (path: string) => {
    const bytes = runtime.readFile(path);
    return bytes === null ? null : latin1(bytes);
  };
  try {
    loadConfig(config, args, readText);
  } catch (e) {
    if (e instanceof FatalConfigError) {
      // Unreadable files are a warning log line (role C: not yet initialised), bad content the banner.
      if (e.logOnly) runtime.stdout(`${runtime.pid}:C ${timestamp(new Date())} # ${e.reason}\n`);
      else runtime.stderr(`${e.format(VERSION)}\n`);
      runtime.exit(1);
    }
    throw e;
  }

  let logFile: ReturnType<Runtime["openAppend"]> | null = null;
  const logPath = config.get("logfile");
  if (logPath !== "") logFile = runtime.openAppend(logPath);
  const logger = new Logger(runtime.pid, (line) => {
    if (logFile) logFile.write(new TextEncoder().encode(line));
    else runtime.stdout(line);
  });
  logger.level = config.get("loglevel") as LogLevel;
  config.onChange((name, value) => {
    if (name === "loglevel") logger.level = value as LogLevel;
  });

  logger.notice("oO0OoO0OoO0Oo respd is starting oO0OoO0OoO0Oo");
  logger.notice(
    `respd version=${RESPD_VERSION} (Redis ${VERSION} compatible), runtime=${runtime.name} ${runtime.version}, bits=64, pid=${runtime.pid}, just started`,
  );
  logger.notice(config.file ? `Configuration loaded from ${config.file}` : "Configuration loaded");

  // CONFIG REWRITE needs the file after `dir` changed the working directory.
  if (config.file !== "") config.file = runtime.realPath(config.file);
  config.io = {
    read: readText,
    write: (path, text) => runtime.writeFileAtomic(path, fromLatin1(text)),
  };
  const dir = config.get("dir");
  if (dir !== "") {
    try {
      runtime.chdir(dir);
    } catch (e) {
      logger.warning(`Can't chdir to '${dir}': ${(e as Error).message}`);
      runtime.exit(1);
    }
  }
  config.set("dir", runtime.cwd());
  config.onApply("dir", (path) => {
    try {
      runtime.chdir(path);
      return null;
    } catch {
      return "No such file or directory";
    }
  });
  config.onChange((name) => {
    if (name === "dir") config.set("dir", runtime.cwd());
  });

  const engine = new Engine(config, new CommandTable(ALL_COMMANDS));
  setWarningLog(engine, (m) => logger.warning(m));
  outputLimitsOf(engine);
  const sink = new CommandSink(engine);
  // SAVE/BGSAVE, save points, MISCONF and BGSAVE's copy-on-write gates (before any client connects).
  const saver = new Saver(
    engine,
    {
      create: (path) => runtime.openTruncate(path),
      rename: (from, to) => runtime.rename(from, to),
      remove: (path) => runtime.removeFile(path),
      cwd: () => runtime.cwd(),
    },
    logger,
    runtime.pid,
  );
  // The multi-part AOF: loaded at startup when appendonly is yes, then fed every propagated write.
  const aof = new AofManager(
    engine,
    { ...runtime.fs, log: (level, text) => logger.log(level, text), exit: (code) => runtime.exit(code) },
    config,
  );
  saver.otherChildActive = () => aof.rewriting;
  aof.otherChildActive = () => saver.bgsaveInProgress;
  const listeners: Listener[] = [];
  /** Each open connection's "output fully written" promise, so shutdown can wait for replies to drain. */
  const outputs = new Set<Promise<void>>();
  const onConnection = (conn: Parameters<typeof serveConnection>[2]) => {
    const done = serveConnection(engine, sink, conn);
    outputs.add(done);
    done.finally(() => outputs.delete(done));
  };

  const port = config.num("port");
  if (port !== 0) {
    // The IPv6 wildcard goes first: where the runtime cannot set IPV6_V6ONLY (Bun) it is
    // dual-stack and already serves IPv4, so the IPv4 wildcard's "address in use" is expected.
    const hosts = bindHosts(config.get("bind")).sort((a, b) => Number(b.host === "::") - Number(a.host === "::"));
    let dualStack = false;
    for (const { host, optional } of hosts) {
      try {
        listeners.push(await runtime.listenTcp(host, port, config.num("tcp-backlog"), onConnection));
        if (host === "::") dualStack = true;
      } catch (e) {
        if (optional || (host === "0.0.0.0" && dualStack)) continue;
        logger.warning(`Warning: Could not create server TCP listening socket ${host}:${port}: ${(e as Error).message}`);
        logger.warning(`Failed listening on port ${port} (tcp), aborting.`);
        runtime.exit(1);
      }
    }
  }
  const unixPath = config.get("unixsocket");
  if (unixPath !== "") {
    try {
      listeners.push(await runtime.listenUnix(unixPath, config.num("unixsocketperm"), onConnection));
    } catch (e) {
      logger.warning(`Failed opening Unix socket: ${(e as Error).message}`);
      runtime.exit(1);
    }
  }
  if (listeners.length === 0) {
    logger.warning("Configured to not listen anywhere, exiting.");
    runtime.exit(1);
  }

  const idleCollector = new IdleCollector(runtime);
  let cron: ReturnType<typeof setInterval> | null = null;
  const startCron = () => {
    if (cron !== null) clearInterval(cron);
    cron = setInterval(
      () => {
        engine.cron();
        // Loads and background saves are work too, not a quiet moment: a collection there only pauses them.
        const background = isLoading(engine) || saver.bgsaveInProgress || aof.rewriting;
        const before = idleCollector.collections;
        idleCollector.tick(engine.stats.totalCommandsProcessed, config.bool("jemalloc-bg-thread") && !background);
        if (idleCollector.collections !== before) logger.verbose("Idle after a burst of work: asked the runtime to return unused memory");
      },
      Math.max(1, Math.floor(1000 / Math.max(1, config.num("hz")))),
    );
  };
  startCron();
  config.onChange((name) => {
    if (name === "hz") startCron();
  });

  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((res) => {
    finish = res;
  });
  let shuttingDown = false;

  const shutdown = (options: ShutdownOptions): string | null => {
    if (options.abort) return "ERR No shutdown in progress.";
    if (shuttingDown) return null;
    shuttingDown = true;
    logger.warning("User requested shutdown...");
    if (!saver.beforeShutdown(options)) {
      shuttingDown = false;
      return "ERR Errors trying to SHUTDOWN. Check logs.";
    }
    saver.stop();
    aof.shutdown();
    for (const l of listeners) l.close();
    if (cron !== null) clearInterval(cron);
    for (const c of engine.clients.values()) c.transport.closeAfterFlush();
    if (unixPath !== "") runtime.removeFile(unixPath);
    logger.warning("respd is now ready to exit, bye bye...");
    // Let queued replies reach the sockets before the process goes, but never hang on a client that does not read.
    const drained = Promise.all([...outputs]);
    const deadline = new Promise((res) => setTimeout(res, 5000));
    void Promise.race([drained, deadline]).then(() => {
      logFile?.close();
      finish(0);
      runtime.exit(0);
    });
    return null;
  };

  engine.host = {
    runtimeName: runtime.name,
    runtimeVersion: runtime.version,
    pid: runtime.pid,
    executable: runtime.executable,
    platform: runtime.platform,
    arch: runtime.arch,
    tcpPort: () => listeners[0]?.port ?? 0,
    cpuUsage: () => runtime.cpuUsage(),
    rss: () => runtime.rss(),
    heapUsed: () => runtime.heapUsed(),
    collectGarbage: () => runtime.collectGarbage(true),
    idleCollections: () => idleCollector.collections,
    shutdown,
  };

  const onSignal = (name: "SIGINT" | "SIGTERM") => () => {
    logger.warning(`Received ${name} scheduling shutdown...`);
    // shutdown-on-sigint / shutdown-on-sigterm: default | save | nosave, plus now / force.
    const words = config.get(name === "SIGINT" ? "shutdown-on-sigint" : "shutdown-on-sigterm").split(" ");
    const save = words.includes("save") ? true : words.includes("nosave") ? false : null;
    const err = shutdown({ save, now: words.includes("now"), force: words.includes("force"), abort: false });
    if (err !== null) {
      logger.warning(`${name} received but errors trying to shut down the server, check the logs for more information`);
    }
  };
  runtime.onUncaughtError((error) => {
    logger.warning(
      `Unexpected error (the server keeps running): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  });
  runtime.onSignal("SIGINT", onSignal("SIGINT"));
  runtime.onSignal("SIGTERM", onSignal("SIGTERM"));

  logger.notice("Server initialized");
  // The listeners are up: clients get LOADING while the dataset loads in slices.
  await loadAtStartup(engine, saver, {
    readFile: (path) => runtime.readFile(path),
    log: logger,
    exit: (code) => runtime.exit(code),
    aof: { load: () => void aof.load() },
  });
  aof.attach(sink);
  saver.start();
  logger.notice(`Ready to accept connections ${port !== 0 ? "tcp" : "unix"}`);
  // After loading: a replica's link replaces the dataset it loaded.
  setupReplication(engine, {
    connectTcp: (host, p) => runtime.connectTcp(host, p),
    fs: runtime.fs,
    notice: (m) => logger.notice(m),
    warning: (m) => logger.warning(m),
    listeningPort: () => listeners[0]?.port ?? port,
    setRole: (role) => {
      logger.role = role;
    },
  });
  return { engine, logger, listeners, done };
}
