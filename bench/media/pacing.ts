// RTP send pacing under load: N concurrent streams in the media worker, each playing an endless
// tone to a sink socket on 127.0.0.1 for S seconds; prints send lateness and receive counts.
//   npx tsx bench/media/pacing.ts [streams=100] [seconds=5]
import dgram from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MediaEngine, type MediaStreamHandle, type StreamStats } from "../../runtime/media/engine";

const streams = Number(process.argv[2] ?? 100);
const seconds = Number(process.argv[3] ?? 5);

const sink = dgram.createSocket("udp4");
let received = 0;
sink.on("message", () => received++);
await new Promise<void>((r) => sink.bind(0, "127.0.0.1", () => r()));
const sinkPort = sink.address().port;

const cacheDir = mkdtempSync(join(tmpdir(), "ivr-bench-"));
const engine = await MediaEngine.start({ cacheDir, portRange: [44000, 47999] });
const handles: MediaStreamHandle[] = [];
for (let i = 0; i < streams; i++) {
  const s = await engine.createStream({ codec: "PCMU", remote: { address: "127.0.0.1", port: sinkPort }, symmetric: false });
  void s.play("tone_stream://%(1000,0,440,620);loops=-1");
  handles.push(s);
}
const cpuStart = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpuStart);
const stats: StreamStats[] = [];
for (const h of handles) stats.push(await h.close());
await engine.close();
sink.close();
rmSync(cacheDir, { recursive: true, force: true });

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const p50s = sorted(stats.map((s) => s.latenessP50Ms));
const p99s = sorted(stats.map((s) => s.latenessP99Ms));
const sent = stats.reduce((n, s) => n + s.packetsSent, 0);
console.log(
  JSON.stringify(
    {
      streams,
      seconds: Number(elapsed.toFixed(2)),
      packetsSent: sent,
      expectedPerStream: Math.round((elapsed * 1000) / 20),
      sentPerStreamAvg: Math.round(sent / streams),
      sinkReceived: received,
      latenessMs: {
        p50_median: p50s[Math.floor(p50s.length / 2)],
        p99_median: p99s[Math.floor(p99s.length / 2)],
        p99_worst: p99s[p99s.length - 1],
        max: Number(Math.max(...stats.map((s) => s.maxLatenessMs)).toFixed(2)),
      },
      lateOver5ms: stats.reduce((n, s) => n + s.lateCount, 0),
      skippedFrames: stats.reduce((n, s) => n + s.skippedFrames, 0),
      processCpuPercent: Number((((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(1)),
    },
    null,
    2,
  ),
);
