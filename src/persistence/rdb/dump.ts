/**
 * DUMP payloads (cluster.c createDumpPayload / verifyDumpPayload):
 *   <type byte> <object> <RDB version u16 LE> <CRC64 LE of everything before>
 */
import type { Value } from "../../store/values.ts";
import { isObjectType, RDB_VERSION, RdbError } from "./constants.ts";
import { Crc64 } from "./crc64.ts";
import { type LoadLimits, readValue } from "./decode.ts";
import { type EncodeOptions, writeTypedValue } from "./encode.ts";
import { RdbReader, RdbWriter } from "./io.ts";

export function createDumpPayload(v: Value, compress: boolean, opts?: EncodeOptions): Uint8Array {
  const w = new RdbWriter(compress);
  writeTypedValue(w, v, opts);
  w.byte(RDB_VERSION & 0xff);
  w.byte(RDB_VERSION >> 8);
  const crc = new Crc64().update(w.view()).bytesLE();
  w.raw(crc);
  return w.take();
}

/** True when the footer's version is one we read and the checksum matches (`skipChecksum`: skip-checksum-validation). */
export function verifyDumpPayload(p: Uint8Array, skipChecksum = false): boolean {
  if (p.length < 10) return false;
  const footer = p.length - 10;
  const ver = (p[footer] as number) | ((p[footer + 1] as number) << 8);
  if (ver > RDB_VERSION) return false;
  if (skipChecksum) return true;
  const crc = new Crc64().update(p, 0, p.length - 8).bytesLE();
  for (let i = 0; i < 8; i++) if (crc[i] !== p[p.length - 8 + i]) return false;
  return true;
}

/** The value in a verified payload; throws an RdbError when it does not parse (the caller replies "Bad data format"). */
export function decodeDumpPayload(p: Uint8Array, limits: LoadLimits): Value {
  const r = new RdbReader(p, 0, p.length - 10);
  const type = r.byte();
  if (!isObjectType(type)) throw new RdbError(`Unknown RDB value type ${type}`);
  return readValue(r, type, limits);
}
