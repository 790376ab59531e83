/**
 * LOLWUT [VERSION v] [args...]: Redis 7.0's computer art. Version 5 draws
 * Georg Nees's "Schotter" in braille characters, version 6 an 8-bit city
 * skyline in terminal colours; any other version (7.0's own default) prints
 * just "Redis ver. 7.0.15", as 7.0 has no art of its own. The pieces are
 * random, as in Redis.
 */
import { type CommandSpec, command } from "../engine/command.ts";
import type { Ctx } from "../engine/context.ts";
import { VERSION } from "../engine/engine.ts";
import { int64Arg } from "../engine/numbers.ts";
import { asciiLower } from "../engine/table.ts";
import { utf8ToByteString } from "../resp/bytes.ts";
import { type Reply, Verbatim } from "../resp/reply.ts";

/** A grid of small integer "colours", drawn on with clipping at the edges. */
class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: number,
  ) {
    this.pixels = new Uint8Array(width * height).fill(background);
  }

  set(x: number, y: number, color: number): void {
    if (x >= 0 && x < this.width && y >= 0 && y < this.height) this.pixels[x + y * this.width] = color;
  }

  get(x: number, y: number): number {
    return x >= 0 && x < this.width && y >= 0 && y < this.height ? (this.pixels[x + y * this.width] as number) : 0;
  }

  /** Bresenham's line. */
  line(x1: number, y1: number, x2: number, y2: number, color: number): void {
    const dx = Math.abs(x2 - x1);
    const dy = Math.abs(y2 - y1);
    const sx = x1 < x2 ? 1 : -1;
    const sy = y1 < y2 ? 1 : -1;
    let err = dx - dy;
    for (;;) {
      this.set(x1, y1, color);
      if (x1 === x2 && y1 === y2) return;
      const e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }

  /** A square of side `size` centred on (x, y), rotated by `angle` radians: its corners lie on a circle. */
  square(x: number, y: number, size: number, angle: number, color: number): void {
    const radius = Math.round(size / Math.SQRT2);
    const px: number[] = [];
    const py: number[] = [];
    for (let j = 0; j < 4; j++) {
      const k = Math.PI / 4 + angle + (j * Math.PI) / 2;
      px.push(Math.round(Math.sin(k) * radius + x));
      py.push(Math.round(Math.cos(k) * radius + y));
    }
    for (let j = 0; j < 4; j++) {
      this.line(px[j] as number, py[j] as number, px[(j + 1) % 4] as number, py[(j + 1) % 4] as number, color);
    }
  }
}

const randomInt = (n: number) => Math.floor(Math.random() * n);
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/** Optional integer arguments after the version's own, parsed like getLongFromObjectOrReply. */
function intArgs(args: string[], defaults: number[]): number[] {
  return defaults.map((d, i) => (i < args.length ? Number(int64Arg(args[i] as string)) : d));
}

/** Schotter: rows of squares, more rotated and displaced the lower they are. */
function schotter(cols: number, perRow: number, perCol: number): Canvas {
  const width = cols * 2;
  const padding = width > 4 ? 2 : 0;
  const side = (width - padding * 2) / perRow;
  const canvas = new Canvas(width, Math.trunc(side * perCol + padding * 2), 0);
  for (let y = 0; y < perCol; y++) {
    for (let x = 0; x < perRow; x++) {
      let sx = Math.trunc(x * side + side / 2 + padding);
      let sy = Math.trunc(y * side + side / 2 + padding);
      let angle = 0;
      if (y > 1) {
        const jitter = () => (Math.random() / perCol) * y * (Math.random() < 0.5 ? -1 : 1);
        angle = jitter();
        sx = Math.trunc(sx + (jitter() * side) / 3);
        sy = Math.trunc(sy + (jitter() * side) / 3);
      }
      canvas.square(sx, sy, side, angle, 1);
    }
  }
  return canvas;
}

/** Braille dot bits by pixel offset within a 2x4 block: (dx, dy) -> bit. */
const DOTS: [dx: number, dy: number][] = [
  [0, 0],
  [0, 1],
  [0, 2],
  [1, 0],
  [1, 1],
  [1, 2],
  [0, 3],
  [1, 3],
];

/**
 * Each 2x4 block of pixels becomes one braille character (U+2800 + the dot
 * bits); like Redis, every row of characters ends with a newline unless its
 * first pixel row is the canvas's last.
 */
function braille(canvas: Canvas): string {
  let text = "";
  for (let y = 0; y < canvas.height; y += 4) {
    for (let x = 0; x < canvas.width; x += 2) {
      let bits = 0;
      DOTS.forEach(([dx, dy], bit) => {
        if (canvas.get(x + dx, y + dy)) bits |= 1 << bit;
      });
      text += String.fromCharCode(0x2800 + bits);
    }
    if (y !== canvas.height - 1) text += "\n";
  }
  return text;
}

function lolwut5(args: string[]): string {
  const [cols, perRow, perCol] = intArgs(args, [66, 8, 12]) as [number, number, number];
  const canvas = schotter(clamp(cols, 1, 1000), clamp(perRow, 1, 200), clamp(perCol, 1, 200));
  return `${braille(canvas)}\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ${VERSION}\n`;
}

/** A skyscraper standing on the bottom row; windows (two pixels wide) in random grays. */
function skyscraper(canvas: Canvas, xoff: number, width: number, height: number, windows: boolean, color: number): void {
  const bottom = canvas.height - 1;
  const top = bottom - height + 1;
  for (let y = bottom; y >= top; y--) {
    for (let x = xoff; x < xoff + width; x++) {
      // The roof is four pixels narrower.
      if (y === top && (x <= xoff + 1 || x >= xoff + width - 2)) continue;
      let c = color;
      if (windows && x > xoff + 1 && x < xoff + width - 2 && y > top + 1 && y < bottom - 1) {
        const relx = x - (xoff + 1);
        const rely = y - (top + 1);
        if (Math.trunc(relx / 2) % 2 && rely % 2) {
          do c = 1 + randomInt(2);
          while (c === color);
          if (relx % 2) c = canvas.get(x - 1, y);
        }
      }
      canvas.set(x, y, c);
    }
  }
}

function skyline(canvas: Canvas): void {
  const h = canvas.height;
  // Lighter buildings first, so they stay in the background.
  for (let color = 2; color >= 1; color--) {
    for (let offset = -10; offset < canvas.width; ) {
      offset += randomInt(8);
      const width = 10 + randomInt(9);
      const height = Math.trunc(h / 2) + Math.trunc(randomInt(h) / (color === 2 ? 2 : 3));
      skyscraper(canvas, offset, width, height, false, color);
      offset += color === 2 ? Math.trunc(width / 2) : width + 1;
    }
  }
  for (let offset = -10; offset < canvas.width; ) {
    offset += randomInt(8);
    let width = 5 + randomInt(14);
    if (width % 4) width += width % 3;
    const height = Math.trunc(h / 3) + Math.trunc(randomInt(h) / 2);
    skyscraper(canvas, offset, width, height, true, 0);
    offset += width + 5;
  }
}

/** Black, two grays and white, foreground and background set alike. */
const COLOURS = ["0;30;40m", "0;90;100m", "0;37;47m", "0;97;107m"];

function lolwut6(args: string[]): string {
  const [cols, rows] = intArgs(args, [80, 20]) as [number, number];
  const canvas = new Canvas(clamp(cols, 1, 1000), clamp(rows, 1, 1000), 3);
  skyline(canvas);
  const lines: string[] = [];
  for (let y = 0; y < canvas.height; y++) {
    let line = "";
    for (let x = 0; x < canvas.width; x++) line += `\x1b[${COLOURS[canvas.get(x, y)] ?? COLOURS[0]} \x1b[0m`;
    lines.push(line);
  }
  return `${lines.join("\n")}\nDedicated to the 8 bit game developers of past and present.\nOriginal 8 bit image from Plaguemon by hikikomori. Redis ver. ${VERSION}\n`;
}

function lolwut(ctx: Ctx): Reply {
  let version = VERSION;
  let args = ctx.argv.slice(1);
  if (ctx.argv.length >= 3 && asciiLower(ctx.arg(1)) === "version") {
    // Redis prints the number as an unsigned int and dispatches on the text "<v>.0.0".
    version = `${Number(BigInt.asUintN(32, int64Arg(ctx.arg(2))))}.0.0`;
    args = ctx.argv.slice(3);
  }
  let text: string;
  if (/^(5\.[^9]|4\.9)/.test(version)) text = lolwut5(args);
  else if (/^(6\.[^9]|5\.9)/.test(version)) text = lolwut6(args);
  else text = `Redis ver. ${VERSION}\n`;
  return new Verbatim("txt", utf8ToByteString(text));
}

export const lolwutCommands: CommandSpec[] = [
  command(
    "lolwut",
    -1,
    ["readonly", "fast"],
    [0, 0, 0],
    [],
    { summary: "Display some computer art and the Redis version", since: "5.0.0", group: "server" },
    lolwut,
  ),
];
