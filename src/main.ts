/**
 * respd entry point: `respd [/path/to/redis.conf] [--option value ...]`.
 * config -> runtime adapter -> server.
 */
import { loadRuntime } from "./runtime/index.ts";
import { startServer } from "./server/server.ts";

const runtime = await loadRuntime();
await startServer(runtime, runtime.args);
