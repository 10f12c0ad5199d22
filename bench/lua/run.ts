// Lua host bench (numbers only, no assertions):
//  1. memory per concurrent Lua call: 200 calls to a waiting Lua script, RSS and the wasm heap
//     before and with all 200 up; the same burst gives
//  2. the event-loop stall when 200 calls start in the same second (monitorEventLoopDelay in
//     the server's process: the SIP stack, sessions and Lua run on its main thread);
//  3. memory across 10 000 short Lua calls placed at >= 50 calls/s: RSS and wasm heap every 1000;
//  4. concurrent Lua-scripted IVR calls at the RTP timing target (bench/load's run with ivr.lua).
//
//   npx tsx bench/lua/run.ts [--concurrent 200] [--calls 10000] [--rate 100] [--load 500] [--skip-load]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import { compileRoute } from "../../runtime/routes";
import { IvrServer } from "../../runtime/server";
import { runLoad, TABLE_HEADER, tableRow } from "../load/run";
import { ROOT, runSippLoad } from "../load/proc";
import { writeBenchPrompts } from "../load/prompts";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const MB = 1024 * 1024;

interface Snapshot {
  rssMb: number;
  heapUsedMb: number;
  externalMb: number;
  wasmHeapMb: number;
}

/** The wasm heap all Lua states share (it only grows). */
async function wasmHeapBytes(server: IvrServer): Promise<number> {
  const host = (server as unknown as { luaHost: { factory: { getLuaModule(): Promise<{ module: { HEAPU8: Uint8Array } }> } } }).luaHost;
  const mod = await host.factory.getLuaModule();
  return mod.module.HEAPU8.byteLength;
}

async function snapshot(server: IvrServer, collect = true): Promise<Snapshot> {
  if (collect) gc();
  const m = process.memoryUsage();
  return { rssMb: m.rss / MB, heapUsedMb: m.heapUsed / MB, externalMb: m.external / MB, wasmHeapMb: (await wasmHeapBytes(server)) / MB };
}

function serverTransactions(server: IvrServer): number {
  return (server as unknown as { sip: { transactions: { serverCount: number } } }).sip.transactions.serverCount;
}

const f = (n: number, d = 1) => n.toFixed(d);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startServer(dir: string, rtpPorts: [number, number], ended: () => void): Promise<IvrServer> {
  writeBenchPrompts(path.join(dir, "sounds"));
  const server = new IvrServer({
    sipAddress: "127.0.0.1",
    sipPort: 0,
    rtpPorts,
    routes: [
      compileRoute({ pattern: "8000", target: path.join(ROOT, "bench/lua/wait.lua") }),
      compileRoute({ pattern: "8001", target: path.join(ROOT, "bench/lua/short.lua") }),
      compileRoute({ pattern: "8002", target: path.join(ROOT, "bench/lua/runaway.lua") }),
    ],
    soundsDir: path.join(dir, "sounds"),
    cacheDir: path.join(dir, "cache"),
    maxCalls: 2000,
    callLog: (e) => {
      if ("event" in e && e.event === "end") ended();
    },
  });
  await server.start();
  return server;
}

async function burst(server: IvrServer, dir: string, n: number): Promise<void> {
  console.log(`\n# ${n} concurrent Lua calls (waiting script), all started in one second`);
  // warm up: one call so the wasm module, the script cache and the SIP stack are loaded
  await runSippLoad({ scenario: "bench-hold", port: server.sipPort, number: "8000", calls: 1, rate: 1, limit: 1, holdMs: 500, statFile: path.join(dir, "warm.csv"), timeoutSec: 30 });
  await sleep(500);
  const before = await snapshot(server);
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const t0 = performance.now();
  const sipp = runSippLoad({ scenario: "bench-hold", port: server.sipPort, number: "8000", calls: n, rate: n, limit: n, holdMs: 8000, statFile: path.join(dir, "burst.csv"), timeoutSec: 60 });
  let upAt = NaN;
  while (performance.now() - t0 < 7000) {
    if (server.activeCalls >= n) {
      upAt = performance.now() - t0;
      break;
    }
    await sleep(20);
  }
  eld.disable();
  await sleep(500);
  const during = await snapshot(server);
  const r = await sipp;
  const after = await snapshot(server);
  console.log(`calls: sipp ok ${r.successful} failed ${r.failed}; all ${n} up after ${f(upAt, 0)} ms`);
  console.log(`event-loop delay while they started: max ${f(eld.max / 1e6)} ms, p99 ${f(eld.percentile(99) / 1e6)} ms, p50 ${f(eld.percentile(50) / 1e6)} ms`);
  const d = (k: keyof Snapshot) => ((during[k] - before[k]) * 1024) / n;
  console.log(
    `memory: RSS ${f(before.rssMb)} -> ${f(during.rssMb)} MB (${f(d("rssMb"), 0)} KB/call), wasm heap ${f(before.wasmHeapMb)} -> ${f(during.wasmHeapMb)} MB (${f(d("wasmHeapMb"), 0)} KB/call), ` +
      `JS heap ${f(before.heapUsedMb)} -> ${f(during.heapUsedMb)} MB (${f(d("heapUsedMb"), 0)} KB/call), external ${f(d("externalMb"), 0)} KB/call`,
  );
  console.log(`after they ended: RSS ${f(after.rssMb)} MB, wasm heap ${f(after.wasmHeapMb)} MB (the wasm heap never shrinks), JS heap ${f(after.heapUsedMb)} MB`);
}

/** A runaway script (while true do end) under the default 2 s CPU budget: how long the main thread stalls. */
async function runaway(server: IvrServer, dir: string): Promise<void> {
  console.log("\n# one runaway Lua script (while true do end), default CPU budget 2000 ms");
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const r = await runSippLoad({ scenario: "bench-short", port: server.sipPort, number: "8002", calls: 1, rate: 1, limit: 1, holdMs: 0, statFile: path.join(dir, "runaway.csv"), timeoutSec: 30 });
  eld.disable();
  console.log(`call ended by the budget: sipp ok ${r.successful}; main-thread event-loop delay max ${f(eld.max / 1e6, 0)} ms (every other call's SIP and script work waits that long)`);
}

async function many(server: IvrServer, dir: string, total: number, rate: number, endedCount: () => number): Promise<void> {
  console.log(`\n# ${total} short Lua calls at ${rate} calls/s: memory every 1000 calls`);
  const start = endedCount();
  const t0 = performance.now();
  const sipp = runSippLoad({ scenario: "bench-short", port: server.sipPort, number: "8001", calls: total, rate, limit: 1000, holdMs: 0, statFile: path.join(dir, "many.csv"), timeoutSec: Math.ceil(total / rate) + 120 });
  let done = false;
  void sipp.then(() => (done = true));
  let next = 1000;
  for (;;) {
    const n = endedCount() - start;
    if (done && n < next) break;
    if (n >= next) {
      const s = await snapshot(server);
      console.log(
        `${String(next).padStart(6)} calls  ${f((performance.now() - t0) / 1000)} s  RSS ${f(s.rssMb)} MB  JS heap (after GC) ${f(s.heapUsedMb)} MB  ` +
          `wasm heap ${f(s.wasmHeapMb)} MB  active calls ${server.activeCalls}  SIP server transactions ${serverTransactions(server)}`,
      );
      next += 1000;
      continue;
    }
    await sleep(50);
  }
  const r = await sipp;
  const s = await snapshot(server);
  const secs = (performance.now() - t0) / 1000;
  console.log(`done: sipp ok ${r.successful} failed ${r.failed} in ${f(secs)} s (${f(r.successful / secs)} calls/s); after GC: RSS ${f(s.rssMb)} MB, JS heap ${f(s.heapUsedMb)} MB, wasm heap ${f(s.wasmHeapMb)} MB`);
  // Ended INVITE transactions stay for Timer L (64*T1 = 32 s, RFC 6026): what is left after that is a leak.
  await sleep(34_000);
  const idle = await snapshot(server);
  console.log(`34 s later (Timer L passed): RSS ${f(idle.rssMb)} MB, JS heap ${f(idle.heapUsedMb)} MB, wasm heap ${f(idle.wasmHeapMb)} MB, SIP server transactions ${serverTransactions(server)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      concurrent: { type: "string", default: "200" },
      calls: { type: "string", default: "10000" },
      rate: { type: "string", default: "100" },
      load: { type: "string", default: "500" },
      "skip-load": { type: "boolean", default: false },
    },
  });
  console.log(`host: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} (other work on the machine skews timings)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-bench-lua-"));
  let ended = 0;
  const server = await startServer(dir, [45000, 45999], () => ended++);
  try {
    await burst(server, dir, Number(values.concurrent));
    await sleep(1000);
    await runaway(server, dir);
    await many(server, dir, Number(values.calls), Number(values.rate), () => ended);
  } finally {
    await server.stop(2000);
    rmSync(dir, { recursive: true, force: true });
  }
  if (!values["skip-load"]) {
    const n = Number(values.load);
    console.log(`\n# ${n} concurrent Lua IVR calls (bench/load's workload with ivr.lua) against the RTP timing target (p99 lateness <= 5 ms, no loss)`);
    console.log(TABLE_HEADER);
    console.log(tableRow(await runLoad({ n, script: "lua" })));
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
