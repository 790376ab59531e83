/**
 * DEBUG SET-SKIP-CHECKSUM-VALIDATION (Redis's server.skip_checksum_validation):
 * while on, RESTORE accepts a payload whose CRC64 does not match and a load
 * ignores the RDB trailer, so tests can feed hand-corrupted data to the
 * decoders. One flag per engine; the debug command sets it.
 */
import type { Engine } from "../engine/engine.ts";

const skipping = new WeakSet<Engine>();

export function setSkipChecksumValidation(engine: Engine, on: boolean): void {
  if (on) skipping.add(engine);
  else skipping.delete(engine);
}

export function skipChecksumValidation(engine: Engine): boolean {
  return skipping.has(engine);
}
