import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { Sha1, toHex } from "./sha1.ts";

const hex = (sha: Sha1, s: string) => {
  const out = new Uint8Array(20);
  sha.ofString(s, out);
  return toHex(out);
};

test("SHA-1 known answers (FIPS 180 examples)", () => {
  const sha = new Sha1();
  expect(hex(sha, "")).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
  expect(hex(sha, "abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  expect(hex(sha, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe("84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  expect(hex(sha, "a".repeat(1000000))).toBe("34aa973cd4c4daa4f61eeb2bdbad27316534016f");
});

test("SHA-1 matches node:crypto on every length around block edges and on binary bytes", () => {
  const sha = new Sha1();
  for (let len = 0; len < 300; len++) {
    let s = "";
    for (let i = 0; i < len; i++) s += String.fromCharCode((i * 131 + len * 7) & 0xff);
    const want = createHash("sha1").update(Buffer.from(s, "latin1")).digest("hex");
    expect(hex(sha, s)).toBe(want);
    const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
    const out = new Uint8Array(24);
    sha.ofBytes(bytes, out, 4);
    expect(toHex(out.subarray(4))).toBe(want);
  }
});
