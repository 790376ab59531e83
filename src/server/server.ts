import { ALL_COMMANDS } from "../commands/index.ts";
import { Config } from "../config/config.ts";
import { FatalConfigError, loadConfig } from "../config/load.ts";
import { Engine, RESPD_VERSION, VERSION } from "../engine/engine.ts";
import { CommandSink } from "../engine/sink.ts";
import { CommandTable } from "../engine/table.ts";
import { AofManager } from "../persistence/aof/index.ts";
import { Saver } from "../persistence/saver.ts";
import { isLoading, loadAtStartup } from "../persistence/startup.ts";
import { outputLimitsOf, setWarningLog } from "../pubsub/limits.ts";
import { setupReplication } from "../replication/index.ts";
import { replicationSnapshotRunning } from "../replication/rdb-info.ts";
import { fromLatin1, latin1 } from "../resp/bytes.ts";
import type { Listener, Runtime } from "../runtime/types.ts";
import { asciiLogo, startingLines } from "./banner.ts";
import { serveConnection } from "./connection.ts";
import { crash } from "./crash.ts";
import { BLOCKING_HEAP_LIMIT, IdleCollector } from "./idle-gc.ts";
import { TcpListeners } from "./listeners.ts";
import { Logger, type LogLevel, timestamp } from "./log.ts";
import { OomScoreAdj } from "./oom-score.ts";
import { Shutdown } from "./shutdown.ts";

export interface RunningServer {
  engine: Engine;
  logger: Logger;
  listeners(): Listener[];
  /** Resolves when the server has shut down. */
  done: Promise<number>;
}

/**
 * Starts respd: config, listeners, cron, signals, the dataset. Exits the
 * process (status 1) when it cannot start: on fatal config errors and on
 * anything that goes wrong before the server is up, so a server that failed
 * never lingers half-started (Redis exits there too).
 */
export async function startServer(runtime: Runtime, args: string[]): Promise<RunningServer> {
  const early: { logger: Logger | null } = { logger: null };
  try {
    return await start(runtime, args, early);
  } catch (e) {
    const text = `Fatal error while starting, exiting: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    if (early.logger !== null) early.logger.warning(text);
    else runtime.stderr(`${text}\n`);
    return runtime.exit(1);
  }
}

async function start(runtime: Runtime, args: string[], early: { logger: Logger | null }): Promise<RunningServer> {
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
  early.logger = logger;
  config.onChange((name, value) => {
    if (name === "loglevel") logger.level = value as LogLevel;
  });

  for (const line of startingLines(VERSION, runtime.pid, args.length === 0, "respd")) logger.warning(line);
  logger.notice(`respd version=${RESPD_VERSION}, runtime=${runtime.name} ${runtime.version}`);

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
  // oom-score-adj: applied at CONFIG SET (an error when /proc refuses), at startup and on role changes.
  const oom = new OomScoreAdj({ read: (p) => runtime.readFile(p), write: (p, d) => runtime.writeFile(p, d) }, (m) => logger.warning(m));
  let isReplica = false;
  const applyOom = (mode: string, values: string) =>
    oom.apply(mode, values, isReplica) ? null : "Failed to set current oom_score_adj. Check server logs.";
  config.onApply("oom-score-adj", (mode) => applyOom(mode, config.get("oom-score-adj-values")));
  config.onApply("oom-score-adj-values", (values) => applyOom(config.get("oom-score-adj"), values));
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
      read: (path) => runtime.readFile(path),
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
  engine.backgroundJobActive = () => saver.bgsaveInProgress || aof.rewriting || replicationSnapshotRunning(engine);
  aof.otherChildActive = () => saver.bgsaveInProgress;
  /** Each open connection's "output fully written" promise, so shutdown can wait for replies to drain. */
  const outputs = new Set<Promise<void>>();
  const onConnection = (conn: Parameters<typeof serveConnection>[2]) => {
    const done = serveConnection(engine, sink, conn);
    outputs.add(done);
    done.finally(() => outputs.delete(done));
  };

  const port = config.num("port");
  const tcp = new TcpListeners(
    runtime,
    () => config.num("tcp-backlog"),
    onConnection,
    (m) => logger.warning(m),
  );
  const bindError = await tcp.open(config.get("bind"), port);
  if (bindError !== null) {
    logger.warning(`Warning: ${bindError}`);
    logger.warning(`Failed listening on port ${port} (tcp), aborting.`);
    runtime.exit(1);
  }
  // CONFIG SET port / bind listen anew at once; an address that cannot be bound fails the SET.
  config.onApply("port", (p) =>
    tcp.rebind(config.get("bind"), Number(p), { bind: config.get("bind"), port: config.num("port") })
      ? null
      : "Unable to listen on this port",
  );
  config.onApply("bind", (b) =>
    tcp.rebind(b, config.num("port"), { bind: config.get("bind"), port: config.num("port") })
      ? null
      : "Failed to bind to specified addresses.",
  );
  const unixPath = config.get("unixsocket");
  let unixListener: Listener | null = null;
  if (unixPath !== "") {
    try {
      unixListener = await runtime.listenUnix(unixPath, config.num("unixsocketperm"), onConnection);
    } catch (e) {
      logger.warning(`Failed opening Unix socket: ${(e as Error).message}`);
      runtime.exit(1);
    }
  }
  if (tcp.list.length === 0 && unixListener === null) {
    logger.warning("Configured to not listen anywhere, exiting.");
    runtime.exit(1);
  }

  // Redis's createPidFile: best effort, and removed again by a clean shutdown.
  const pidfile = config.get("pidfile") === "" ? "" : runtime.realPath(config.get("pidfile"));
  if (pidfile !== "") {
    try {
      runtime.writeFile(pidfile, new TextEncoder().encode(`${runtime.pid}\n`));
    } catch {}
  }
  // Redis shows its logo when logging to a terminal, or when asked to; else one line.
  if (config.bool("always-show-logo") || (logPath === "" && runtime.stdoutIsTerminal)) {
    logger.raw("notice", asciiLogo(VERSION, "standalone", port, runtime.pid));
  } else {
    logger.notice(`Running mode=standalone, port=${port}.`);
  }

  const idleCollector = new IdleCollector(runtime);
  let cron: ReturnType<typeof setInterval> | null = null;
  const startCron = () => {
    if (cron !== null) clearInterval(cron);
    cron = setInterval(
      () => {
        engine.cron();
        // DEBUG PAUSE-CRON stops Redis's whole serverCron, the shutdown it would start included.
        if (!engine.cronPaused) shutdownCtl.cron();
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
  /** The last steps once nothing stands in the way (finishShutdown's end): AOF, sockets, bye bye. */
  const exitProcess = () => {
    saver.stop();
    aof.shutdown();
    tcp.close();
    unixListener?.close();
    if (cron !== null) clearInterval(cron);
    for (const c of engine.clients.values()) c.transport.closeAfterFlush();
    if (pidfile !== "") {
      logger.notice("Removing the pid file.");
      runtime.removeFile(pidfile);
    }
    if (unixPath !== "") runtime.removeFile(unixPath);
    logger.warning("Redis is now ready to exit, bye bye...");
    // Let queued replies reach the sockets before the process goes, but never hang on a client that does not read.
    const drained = Promise.all([...outputs]);
    const deadline = new Promise((res) => setTimeout(res, 5000));
    void Promise.race([drained, deadline]).then(() => {
      logFile?.close();
      finish(0);
      runtime.exit(0);
    });
  };
  const shutdownCtl = new Shutdown(engine, logger, {
    loading: () => isLoading(engine),
    aofState: () => aof.state,
    aofRewriting: () => aof.rewriting,
    saveBeforeExit: (opts) => saver.beforeShutdown(opts),
    exit: exitProcess,
    exitNow: () => {
      // Not a clean shutdown: the save in progress is dropped, and the exit status says so.
      saver.abortBackground();
      try {
        runtime.removeFile(`temp-${runtime.pid}.rdb`);
      } catch {}
      runtime.exit(1);
    },
  });

  engine.host = {
    runtimeName: runtime.name,
    runtimeVersion: runtime.version,
    pid: runtime.pid,
    executable: runtime.executable,
    platform: runtime.platform,
    arch: runtime.arch,
    tcpPort: () => tcp.list[0]?.port ?? config.num("port"),
    cpuUsage: () => runtime.cpuUsage(),
    rss: () => runtime.rss(),
    heapUsed: () => runtime.heapUsed(),
    idleCollections: () => idleCollector.collections,
    // As the idle collector: finished at once while the pause is short, concurrent for a bigger heap.
    collectGarbage: () => runtime.collectGarbage(runtime.heapUsed() <= BLOCKING_HEAP_LIMIT),
    shutdown: (options, client) => shutdownCtl.command(options, client),
    shutdownInMs: () => shutdownCtl.remainingMs(),
    crash: (cause, current) => crash(engine, logger, (signal) => runtime.dieBySignal(signal), cause, current),
    connectTcp: (host, p) => runtime.connectTcp(host, p),
    spawnCompanion: () => {
      const companion = runtime.spawnCompanion();
      if (companion !== null) oom.applyToChild(companion.pid, config.get("oom-score-adj"), config.get("oom-score-adj-values"));
      return companion;
    },
  };
  runtime.onFatalSignal("SIGABRT", () => crash(engine, logger, (s) => runtime.dieBySignal(s), { kind: "signal", signal: "SIGABRT" }, null));

  runtime.onUncaughtError((error) => {
    logger.warning(
      `Unexpected error (the server keeps running): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  });
  runtime.onSignal("SIGINT", () => shutdownCtl.signal("SIGINT"));
  runtime.onSignal("SIGTERM", () => shutdownCtl.signal("SIGTERM"));

  logger.warning("Server initialized");
  // The listeners are up: clients get LOADING while the dataset loads in slices.
  await loadAtStartup(engine, saver, {
    readFile: (path) => runtime.readFile(path),
    log: logger,
    exit: (code) => runtime.exit(code),
    aof: {
      load: async (between) => {
        await aof.loadAsync(between);
      },
    },
  });
  aof.attach(sink);
  saver.start();
  applyOom(config.get("oom-score-adj"), config.get("oom-score-adj-values"));
  if (port !== 0) logger.notice("Ready to accept connections");
  if (unixPath !== "") logger.notice(`The server is now ready to accept connections at ${unixPath}`);
  // After loading: a replica's link replaces the dataset it loaded.
  setupReplication(engine, {
    connectTcp: (host, p) => runtime.connectTcp(host, p, config.get("bind-source-addr") || undefined),
    fs: runtime.fs,
    notice: (m) => logger.notice(m),
    warning: (m) => logger.warning(m),
    listeningPort: () => tcp.list[0]?.port ?? config.num("port"),
    setRole: (role) => {
      logger.role = role;
      isReplica = role === "S";
      applyOom(config.get("oom-score-adj"), config.get("oom-score-adj-values"));
    },
  });
  return { engine, logger, listeners: () => [...tcp.list, ...(unixListener ? [unixListener] : [])], done };
}
