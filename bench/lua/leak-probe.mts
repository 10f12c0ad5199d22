import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { compileRoute } from "../../runtime/routes";
import { IvrServer } from "../../runtime/server";
import { ROOT, runSippLoad } from "../load/proc";
import { writeBenchPrompts } from "../load/prompts";
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const dir = mkdtempSync(path.join(os.tmpdir(), "leak-"));
writeBenchPrompts(path.join(dir, "sounds"));
writeFileSync(path.join(dir, "short.ts"), `export default async function main(s: any) { await s.answer(); await s.streamFile("short.wav"); await s.hangup(); }`);
writeFileSync(path.join(dir, "nolua.lua"), `session:hangup()`);
const server = new IvrServer({ sipAddress: "127.0.0.1", sipPort: 0, rtpPorts: [45000, 45999],
  routes: [compileRoute({ pattern: "8001", target: path.join(ROOT, "bench/lua/short.lua") }), compileRoute({ pattern: "8002", target: path.join(dir, "short.ts") })],
  soundsDir: path.join(dir, "sounds"), cacheDir: path.join(dir, "cache"), maxCalls: 2000 });
await server.start();
const mode = process.argv[2] ?? "8001";
for (let round = 0; round < 4; round++) {
  await runSippLoad({ scenario: "bench-short", port: server.sipPort, number: mode, calls: 500, rate: 100, limit: 500, holdMs: 0, statFile: path.join(dir, "s.csv"), timeoutSec: 60 });
  await new Promise((r) => setTimeout(r, 500));
  gc(); gc();
  console.log(mode, "round", round, "heapUsed MB", (process.memoryUsage().heapUsed / 1048576).toFixed(1), "rss", (process.memoryUsage().rss / 1048576).toFixed(1));
}
if (process.argv[3]) v8.writeHeapSnapshot(process.argv[3]);
await new Promise((r) => setTimeout(r, 36000)); gc(); gc(); console.log("after 36 s idle: heapUsed MB", (process.memoryUsage().heapUsed / 1048576).toFixed(1), "rss", (process.memoryUsage().rss / 1048576).toFixed(1));
if (process.argv[3]) v8.writeHeapSnapshot(process.argv[3]);
await server.stop(1000);
