// The media engine alone under talking callers: N streams in the media workers, each playing a
// 10 s prompt over and over, each receiving 50 packets/s from a caller process (talk-caller.mjs,
// one socket for all, like SIPp's rtp_stream). No SIP, no scripts: what one call's RTP costs.
// Prints this process's CPU (the media workers; the main thread only waits) per stream and per
// packet, the workers' own send lateness and their event-loop delay. Numbers only.
//   npx tsx bench/media/talk.ts [--streams 450] [--seconds 20] [--workers N]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { MediaEngine, type MediaStreamHandle, type StreamStats } from "../../runtime/media/engine";
import { writeBenchPrompts } from "../load/prompts";

const { values } = parseArgs({
  options: {
    streams: { type: "string", default: "450" },
    seconds: { type: "string", default: "20" },
    workers: { type: "string" },
    ports: { type: "string", default: "24000-27999" },
  },
});
const n = Number(values.streams);
const seconds = Number(values.seconds);
const [lo, hi] = values.ports.split("-").map(Number);
const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-bench-talk-"));
writeBenchPrompts(path.join(dir, "sounds"));
const prompt = path.join(dir, "sounds", "prompt.wav");

const engine = await MediaEngine.start({ cacheDir: path.join(dir, "cache"), portRange: [lo, hi], workers: values.workers ? Number(values.workers) : undefined });
const handles: MediaStreamHandle[] = [];
for (let i = 0; i < n; i++) handles.push(await engine.createStream({ codec: "PCMA", dtmfPt: 101 }));

const caller = spawn(process.execPath, [path.join(import.meta.dirname, "talk-caller.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
const lines: string[] = [];
caller.stdout!.setEncoding("utf8").on("data", (d: string) => lines.push(...d.split("\n").filter(Boolean)));
caller.stdin!.end(JSON.stringify(handles.map((h) => h.port)));
while (!lines.length) await new Promise((r) => setTimeout(r, 20));
const callerPort = (JSON.parse(lines[0]) as { port: number }).port;

let stop = false;
const plays: Promise<void>[] = [];
for (const h of handles) {
  await h.update({ remote: { address: "127.0.0.1", port: callerPort } });
  plays.push(
    (async () => {
      while (!stop) {
        const done = await h.play(prompt);
        if (done.reason !== "eof") break;
      }
    })(),
  );
}
// settle, then measure
await new Promise((r) => setTimeout(r, 3000));
await engine.stats();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const cpu = process.cpuUsage(cpu0);
const wall = (performance.now() - t0) / 1000;
const engineStats = await engine.stats();
stop = true;
caller.kill("SIGTERM");
const stats: StreamStats[] = [];
for (const h of handles) stats.push(await h.close());
await engine.close();
rmSync(dir, { recursive: true, force: true });

const cpuPct = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const p99s = sorted(stats.map((s) => s.latenessP99Ms));
const pktPerSec = n * 100; // 50 out + 50 in per stream
console.log(
  JSON.stringify({
    streams: n,
    workers: (engineStats as { workers?: unknown[] }).workers?.length ?? 1,
    loadAverage: os.loadavg()[0].toFixed(2),
    cpuPctOfCore: Number(cpuPct.toFixed(1)),
    cpuPctPerStream: Number((cpuPct / n).toFixed(4)),
    usPerPacket: Number((((cpu.user + cpu.system) / wall / pktPerSec) * 1).toFixed(2)),
    sendLatenessMs: { p99_median: p99s[Math.floor(p99s.length / 2)], p99_worst: p99s[p99s.length - 1], max: Number(Math.max(...stats.map((s) => s.maxLatenessMs)).toFixed(1)) },
    skippedFrames: stats.reduce((a, s) => a + s.skippedFrames, 0),
    received: stats.reduce((a, s) => a + s.packetsReceived, 0),
    lostInbound: stats.reduce((a, s) => a + s.lost, 0),
    loopLagP99Ms: Number(engineStats.loopLagP99Ms.toFixed(2)),
    loopLagMaxMs: Number(engineStats.loopLagMaxMs.toFixed(2)),
  }),
);
