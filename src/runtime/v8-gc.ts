import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type V8Gc = (options?: object) => unknown;

/**
 * V8's collector on Node without --expose-gc on the command line: the
 * flag can still be set at run time, and a context made after it has `gc`.
 */
export function v8CollectGarbage(): (blocking: boolean) => boolean {
  let gc: V8Gc | null | undefined;
  return (blocking) => {
    if (gc === undefined) {
      try {
        const exposed = (globalThis as { gc?: unknown }).gc;
        if (typeof exposed === "function") gc = exposed as V8Gc;
        else {
          setFlagsFromString("--expose-gc");
          gc = runInNewContext("gc") as V8Gc;
        }
      } catch {
        gc = null;
      }
    }
    if (gc === null) return false;
    gc({ type: "major", execution: blocking ? "sync" : "async" });
    return true;
  };
}
