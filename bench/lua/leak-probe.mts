import { mkdtempSync } from "node:fs";
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
const server = new IvrServer({ sipAddress: "127.0.0.1", sipPort: 0, rtpPorts: [45000, 45999], sipTimers: { T1: 50 },
  routes: [compileRoute({ pattern: "8001", target: path.join(ROOT, "bench/lua/short.lua") })],
  soundsDir: path.join(dir, "sounds"), cacheDir: path.join(dir, "cache"), maxCalls: 2000 });
await server.start();
for (let round = 0; round < 4; round++) {
  await runSippLoad({ scenario: "bench-short", port: server.sipPort, number: "8001", calls: 1000, rate: 150, limit: 500, holdMs: 0, statFile: path.join(dir, "s.csv"), timeoutSec: 60 });
  await new Promise((r) => setTimeout(r, 4000));
  gc(); gc();
  console.log("round", round, "heapUsed MB", (process.memoryUsage().heapUsed / 1048576).toFixed(1));
}
v8.writeHeapSnapshot("/tmp/heap3.heapsnapshot");
await server.stop(1000);
