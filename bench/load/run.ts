// Load bench: SIPp places N concurrent IVR calls (prompt + DTMF menu + hold music) on an
// `ivr serve` process. Measured from a loopback capture (tcpdump): RTP lateness against each
// stream's clock, inter-arrival deviation, loss (sequence gaps), INVITE -> 200 OK; and the
// server's CPU and RSS from /proc. Prints numbers, asserts nothing.
//
//   npx tsx bench/load/run.ts                         # 100, 300, 500 concurrent at 100 calls/s
//   npx tsx bench/load/run.ts --concurrent 500 --rate 100 --duration 15 --calls 500 --lang lua
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { analyzeInviteTo200, analyzeRtp, percentiles, type Percentiles, type RtpReport } from "./analyze";
import { readUdpCapture } from "./pcap";
import { metricValue, ROOT, runSippLoad, sampleProcess, startCapture, startServe } from "./proc";
import { writeBenchPrompts } from "./prompts";

export interface LoadOptions {
  concurrent: number;
  calls: number;
  rate: number;
  durationSec: number;
  lang: "ts" | "lua";
  rtpPorts?: [number, number];
}

export interface LoadResult {
  options: LoadOptions;
  /** 1-minute load average before and after the run (other work on the machine skews timings). */
  loadAverage: [number, number];
  sipp: { successful: number; failed: number; code: number | null };
  rtp: RtpReport;
  inviteTo200Ms: Percentiles & { calls: number; answered: number };
  cpuPct: { avg: number; max: number };
  rssMb: { start: number; max: number };
  captureDropped: number;
  serverLoopLagP99Ms: { main?: number; media?: number };
  serverRtp: { sent?: number; late?: number; lost?: number };
}

/** One load run on a fresh `ivr serve`. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-bench-load-"));
  const rtpPorts = o.rtpPorts ?? [46000, 47999];
  writeBenchPrompts(path.join(dir, "sounds"));
  const serve = await startServe({
    script: path.join(ROOT, `bench/load/ivr.${o.lang}`),
    number: "7000",
    rtpPorts,
    soundsDir: path.join(dir, "sounds"),
    extra: ["--max-calls", String(o.concurrent + 50)],
  });
  try {
    // One call first: the script's compilation and first-use costs are not what is measured.
    await runSippLoad({ scenario: "bench-ivr-call", port: serve.sipPort, number: "7000", calls: 1, rate: 1, limit: 1, holdMs: 500, statFile: path.join(dir, "warm.csv"), timeoutSec: 30 });
    const loadBefore = os.loadavg()[0];
    const pcap = path.join(dir, "cap.pcap");
    const capture = await startCapture(pcap, `udp and (src portrange ${rtpPorts[0]}-${rtpPorts[1]} or port ${serve.sipPort})`);
    const sampler = sampleProcess(serve.pid);
    const rssStart = sampler.samples[0]?.rssMb;
    const rampSec = o.calls / o.rate;
    const sipp = await runSippLoad({
      scenario: "bench-ivr-call",
      port: serve.sipPort,
      number: "7000",
      calls: o.calls,
      rate: o.rate,
      limit: o.concurrent,
      holdMs: o.durationSec * 1000,
      statFile: path.join(dir, "stat.csv"),
      timeoutSec: Math.ceil(rampSec + o.durationSec + 60),
    });
    const samples = sampler.stop();
    await new Promise((r) => setTimeout(r, 300));
    const { dropped } = await capture.stop();
    const metrics = await fetch(`http://127.0.0.1:${serve.metricsPort}/metrics`).then((r) => r.text()).catch(() => "");
    const dgrams = readUdpCapture(pcap);
    const rtp = analyzeRtp(dgrams, rtpPorts[0], rtpPorts[1]);
    const invite = analyzeInviteTo200(dgrams, serve.sipPort);
    // CPU while all calls are up: after the ramp, before the hang-ups
    const steady = samples.filter((s) => s.at > rampSec + 2 && s.at < rampSec + o.durationSec);
    const cpu = (steady.length ? steady : samples).map((s) => s.cpuPct);
    const lag = (t: string) => {
      const v = metricValue(metrics, "ivr_event_loop_lag_seconds", `thread="${t}"`);
      return v === undefined ? undefined : v * 1000;
    };
    return {
      options: o,
      loadAverage: [loadBefore, os.loadavg()[0]],
      sipp: { successful: sipp.successful, failed: sipp.failed, code: sipp.code },
      rtp,
      inviteTo200Ms: invite,
      cpuPct: { avg: cpu.reduce((a, b) => a + b, 0) / Math.max(1, cpu.length), max: Math.max(...cpu) },
      rssMb: { start: rssStart ?? samples[0]?.rssMb ?? NaN, max: Math.max(...samples.map((s) => s.rssMb)) },
      captureDropped: dropped,
      serverLoopLagP99Ms: { main: lag("main"), media: lag("media") },
      serverRtp: {
        sent: metricValue(metrics, "ivr_rtp_packets", 'kind="sent"'),
        late: metricValue(metrics, "ivr_rtp_packets", 'kind="late"'),
        lost: metricValue(metrics, "ivr_rtp_packets", 'kind="lost"'),
      },
    };
  } finally {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (n: number | undefined, d = 2) => (n === undefined || Number.isNaN(n) ? "-" : n.toFixed(d));

export function printLoad(r: LoadResult): void {
  const o = r.options;
  console.log(
    `${o.lang} ${o.concurrent} concurrent (${o.calls} calls at ${o.rate}/s, hold ${o.durationSec} s): ` +
      `sipp ok ${r.sipp.successful} failed ${r.sipp.failed} | ` +
      `RTP ${r.rtp.streams} streams ${r.rtp.packets} pkts, lateness p50 ${f(r.rtp.lateMs.p50)} p99 ${f(r.rtp.lateMs.p99)} max ${f(r.rtp.lateMs.max)} ms, ` +
      `inter-arrival dev p99 ${f(r.rtp.jitterMs.p99)} ms, lost ${r.rtp.lost}, dup ${r.rtp.duplicates} | ` +
      `INVITE->200 p50 ${f(r.inviteTo200Ms.p50)} p99 ${f(r.inviteTo200Ms.p99)} max ${f(r.inviteTo200Ms.max)} ms (${r.inviteTo200Ms.answered}/${r.inviteTo200Ms.calls}) | ` +
      `CPU avg ${f(r.cpuPct.avg, 0)}% max ${f(r.cpuPct.max, 0)}% | RSS ${f(r.rssMb.start, 0)} -> ${f(r.rssMb.max, 0)} MB | ` +
      `server loop p99 main ${f(r.serverLoopLagP99Ms.main)} media ${f(r.serverLoopLagP99Ms.media)} ms, server-counted late ${r.serverRtp.late ?? "-"} lost ${r.serverRtp.lost ?? "-"} | capture drops ${r.captureDropped} | load avg ${f(r.loadAverage[0])} -> ${f(r.loadAverage[1])}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: "string" },
      rate: { type: "string", default: "100" },
      concurrent: { type: "string" },
      duration: { type: "string", default: "15" },
      lang: { type: "string", default: "ts" },
      json: { type: "boolean", default: false },
    },
  });
  const lang = values.lang === "lua" ? "lua" : "ts";
  const sizes = values.concurrent ? [Number(values.concurrent)] : [100, 300, 500];
  for (const n of sizes) {
    if (!Number.isInteger(n) || n <= 0 || n > 2000) throw new Error(`--concurrent must be 1..2000, got ${values.concurrent}`);
    const calls = values.calls ? Number(values.calls) : n;
    const r = await runLoad({ concurrent: n, calls, rate: Number(values.rate), durationSec: Number(values.duration), lang });
    printLoad(r);
    if (values.json) console.log(JSON.stringify(r));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
export { percentiles };
