/** Redis-style log lines: `pid:M 22 Nov 2026 04:53:15.123 * message`. */

export type LogLevel = "debug" | "verbose" | "notice" | "warning" | "nothing";

const RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARK: Record<Exclude<LogLevel, "nothing">, string> = { debug: ".", verbose: "-", notice: "*", warning: "#" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function timestamp(d: Date): string {
  return `${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

export class Logger {
  level: LogLevel = "notice";
  /** Role letter: M master, S replica, C child, X sentinel. */
  role = "M";

  constructor(
    private readonly pid: number,
    private readonly sink: (line: string) => void,
  ) {}

  log(level: Exclude<LogLevel, "nothing">, message: string): void {
    if (RANK[level] < RANK[this.level]) return;
    this.sink(`${this.pid}:${this.role} ${timestamp(new Date())} ${MARK[level]} ${message}\n`);
  }

  /** Text as it is, without the line prefix (Redis's LL_RAW: the logo, the crash report). */
  raw(level: Exclude<LogLevel, "nothing">, text: string): void {
    if (RANK[level] < RANK[this.level]) return;
    this.sink(text);
  }

  debug(m: string): void {
    this.log("debug", m);
  }
  verbose(m: string): void {
    this.log("verbose", m);
  }
  notice(m: string): void {
    this.log("notice", m);
  }
  warning(m: string): void {
    this.log("warning", m);
  }
}
