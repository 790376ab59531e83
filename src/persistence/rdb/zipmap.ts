/**
 * Zipmap decoder (Redis's src/zipmap.c), the hash encoding of RDB files from
 * Redis 2.4 and older (type HASH_ZIPMAP), which 7.0 still loads.
 *   <zmlen 1 byte> (<len> <key> <len> <free 1 byte> <value> <free bytes>)... <0xFF>
 *   len = 1 byte < 254, or 254 + u32 (little-endian on the machines that wrote them)
 */
import { latin1 } from "../../resp/bytes.ts";
import { RdbError } from "./constants.ts";

function corrupt(what: string): never {
  throw new RdbError(`Zipmap integrity check failed: ${what}`);
}

/** [field, value, field, value...] */
export function decodeZipmap(zm: Uint8Array): string[] {
  if (zm.length < 2) corrupt("too short");
  const view = new DataView(zm.buffer, zm.byteOffset, zm.byteLength);
  const out: string[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= zm.length) corrupt("entry out of range");
    const b = zm[p] as number;
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b === 254) {
      if (p + 5 > zm.length) corrupt("entry out of range");
      const n = view.getUint32(p + 1, true);
      p += 5;
      return n;
    }
    corrupt("bad length");
  };
  for (;;) {
    if (p >= zm.length) corrupt("missing end byte");
    if (zm[p] === 0xff) break;
    const klen = readLen();
    if (p + klen > zm.length) corrupt("entry out of range");
    out.push(latin1(zm, p, p + klen));
    p += klen;
    const vlen = readLen();
    if (p >= zm.length) corrupt("entry out of range");
    const free = zm[p] as number;
    p += 1;
    if (p + vlen + free > zm.length) corrupt("entry out of range");
    out.push(latin1(zm, p, p + vlen));
    p += vlen + free;
  }
  if (p !== zm.length - 1) corrupt("trailing bytes");
  return out;
}
