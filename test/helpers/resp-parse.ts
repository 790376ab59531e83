/** A small parser of raw RESP2/RESP3 replies into plain values, for tests that compare replies by structure. */

export type Parsed =
  | string
  | number
  | null
  | { status: string }
  | { error: string }
  | { double: string }
  | { map: [Parsed, Parsed][] }
  | { set: Parsed[] }
  | Parsed[];

/** Parses one complete reply. */
export function parseReply(raw: string): Parsed {
  let p = 0;
  const line = () => {
    const nl = raw.indexOf("\r\n", p);
    const s = raw.slice(p, nl);
    p = nl + 2;
    return s;
  };
  const value = (): Parsed => {
    const l = line();
    const rest = l.slice(1);
    switch (l[0]) {
      case "+":
        return { status: rest };
      case "-":
        return { error: rest };
      case ":":
        return Number(rest);
      case ",":
        return { double: rest };
      case "_":
        return null;
      case "$":
      case "=": {
        const n = Number(rest);
        if (n < 0) return null;
        const s = raw.slice(p, p + n);
        p += n + 2;
        return l[0] === "=" ? s.slice(4) : s;
      }
      case "*":
      case "~": {
        const n = Number(rest);
        if (n < 0) return null;
        const items = Array.from({ length: n }, value);
        return l[0] === "~" ? { set: items } : items;
      }
      case "%": {
        const n = Number(rest);
        const pairs: [Parsed, Parsed][] = [];
        for (let i = 0; i < n; i++) pairs.push([value(), value()]);
        return { map: pairs };
      }
    }
    throw new Error(`unexpected reply ${JSON.stringify(raw.slice(p - l.length - 2))}`);
  };
  return value();
}

/** A map reply (RESP3 map, or a RESP2 flat array of pairs) as [key, value] pairs. */
export function pairsOf(v: Parsed): [Parsed, Parsed][] {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && "map" in v) return v.map;
  if (!Array.isArray(v)) throw new Error(`not a map: ${JSON.stringify(v)}`);
  const out: [Parsed, Parsed][] = [];
  for (let i = 0; i < v.length; i += 2) out.push([v[i] as Parsed, v[i + 1] as Parsed]);
  return out;
}
