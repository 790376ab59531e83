import { createTestEngine } from "./src/engine/testing.ts";
import { execSync } from "node:child_process";
import { RdbReader } from "./src/persistence/rdb/io.ts";
import { decodeListpack } from "./src/persistence/rdb/listpack.ts";
const t = createTestEngine();
execSync(`redis-cli -p 7781 del l2`);
t.exec("RPUSH","l2",...Array.from({length:3000},(_,i)=>"item"+i)); execSync(`redis-cli -p 7781 EVAL "for i=0,2999 do redis.call('rpush','l2','item'..i) end" 0`);
const mine = Buffer.from(t.exec("DUMP","l2") as string, "latin1");
const theirs = execSync(`redis-cli -p 7781 --raw DUMP l2 | head -c -1`);
function nodes(b: Uint8Array) { const r = new RdbReader(b, 1, b.length-10); const n = r.length(); const out=[]; for (let i=0;i<n;i++){ r.length(); const lp=r.stringBytes(); out.push([lp.length, decodeListpack(lp).length]); } return out; }
console.log(mine.length, theirs.length);
console.log(JSON.stringify(nodes(mine))); console.log(JSON.stringify(nodes(theirs)));
let i=0; while (i<mine.length && mine[i]===theirs[i]) i++;
console.log("first diff at", i, mine.subarray(i-8,i+8).toString("hex"), theirs.subarray(i-8,i+8).toString("hex"));
