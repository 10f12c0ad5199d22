// Bridge bench (issue 13): N bridged calls (2·N legs) with audio both ways.
//
// SIPp callers (talking: rtp_stream of SIPp's g711a.pcap audio, looped) call `ivr serve`; the Lua
// script answers and bridges each one through a gateway to a SIPp callee that answers and talks
// too; the caller hangs up after --hold seconds and our BYE ends the callee's leg. Calls arrive at
// N/10 per second, N in all, so all N are up together for a while. The caller offers --codec
// (default PCMA) and the callee answers --callee-codec (default PCMU): the relay transcodes.
//
// Measured from loopback captures: every RTP packet the server sends (both legs) against its
// stream's own schedule (lateness p50/p99/max, streams that slipped, loss from sequence gaps);
// the server's own count of packets missing from what it received (ivr_rtp_packets{kind="lost"});
// post-dial delay per call: caller INVITE -> our INVITE to the callee, and caller INVITE -> the
// callee's 200 (the two legs paired by an X-Bench-Call header); the server's CPU and RSS while N
// calls are up. Prints one table row per N. Numbers only, asserts nothing.
//
//   npm run bench:bridge -- --n 50,200
//   npm run bench:bridge -- --n 200 --hold 30 --json
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { forEachUdp } from "../../fixtures/pcap-udp";
import { percentiles, RtpAnalyzer, type Percentiles, type RtpReport } from "../../fixtures/rtp-analyze";
import { freeUdpPort, metricValue, ROOT, runSippLoad, sampleProcess, startCapture, startServe } from "../load/proc";
import { writeSpeech } from "../load/run";
import { writeBenchPrompts } from "../load/prompts";

type Codec = "PCMA" | "PCMU";

export interface BridgeOptions {
  n: number;
  holdSec: number;
  codec: Codec;
  calleeCodec: Codec;
}

export interface BridgeResult {
  options: BridgeOptions;
  loadAverage: [number, number];
  callers: { successful: number; failed: number; code: number | null };
  rtp: RtpReport;
  lostInbound: number | undefined;
  /** Caller INVITE -> our INVITE to the callee, and -> the callee's 200, per bridged call (ms). */
  dialOutMs: Percentiles;
  answeredMs: Percentiles;
  bridged: number;
  cpuPct: { avg: number; perCall: number };
  rssMb: { start: number; max: number; perCall: number };
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fill(template: string, out: string, audio: string, codec: Codec): void {
  const xml = readFileSync(path.join(ROOT, "bench/bridge", template), "utf8")
    .replaceAll("__AUDIO__", audio)
    .replaceAll("__PT__", codec === "PCMA" ? "8" : "0")
    .replaceAll("__CODEC__", codec);
  writeFileSync(out, xml);
}

/** The SIPp callee, answering every call it gets until killed. */
async function startCallee(scenario: string, dir: string) {
  const port = await freeUdpPort();
  const media = await freeUdpPort();
  const args = ["-sf", scenario, "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", String(port), "-mp", String(media), "-nostdin", "-trace_stat", "-stf", path.join(dir, "callee.csv"), "-fd", "1", "-max_recv_loops", "10000", "-max_sched_loops", "10000"];
  const child = spawn("sipp", args, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  await sleep(500);
  if (child.exitCode !== null) throw new Error(`the SIPp callee did not start: ${err}`);
  return { port, stop: () => child.kill("SIGTERM") };
}

export async function runBridge(o: BridgeOptions): Promise<BridgeResult> {
  const rtpPorts: [number, number] = [20000, 23999];
  const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-bench-bridge-"));
  writeBenchPrompts(path.join(dir, "sounds"));
  const callerAudio = path.join(dir, `caller.${o.codec === "PCMA" ? "al" : "ul"}`);
  const calleeAudio = path.join(dir, `callee.${o.calleeCodec === "PCMA" ? "al" : "ul"}`);
  writeSpeech(callerAudio, o.codec);
  writeSpeech(calleeAudio, o.calleeCodec);
  const callerXml = path.join(dir, "caller.xml");
  const calleeXml = path.join(dir, "callee.xml");
  fill("caller.xml", callerXml, callerAudio, o.codec);
  fill("callee.xml", calleeXml, calleeAudio, o.calleeCodec);
  const callee = await startCallee(calleeXml, dir);
  const serve = await startServe({
    script: path.join(ROOT, "bench/bridge/bridge.lua"),
    number: "7000",
    rtpPorts,
    soundsDir: path.join(dir, "sounds"),
    extra: [
      "--max-calls", String(o.n + 50),
      "--gateway", `callee=127.0.0.1:${callee.port};allow=2XXX`,
      "--outbound-max", String(o.n + 50),
      "--outbound-cpm", String(Math.max(600, o.n * 10)),
    ],
  });
  try {
    const loadBefore = os.loadavg()[0];
    const rtpPcap = path.join(dir, "rtp.pcap");
    const sipPcap = path.join(dir, "sip.pcap");
    const rtpCapture = await startCapture(rtpPcap, `udp and src portrange ${rtpPorts[0]}-${rtpPorts[1]}`, 64);
    const sipCapture = await startCapture(sipPcap, `udp and (port ${serve.sipPort} or port ${callee.port})`);
    const sampler = sampleProcess(serve.pid);
    const rate = Math.max(1, o.n / 10);
    const ramp = o.n / rate;
    // All N are up from the last arrival until the first caller hangs up.
    const steadyFrom = ramp + 1;
    const steadyTo = Math.max(steadyFrom + 1, o.holdSec - 1);
    const t0 = performance.now();
    const callers = await runSippLoad({
      scenario: callerXml,
      port: serve.sipPort,
      number: "7000",
      calls: o.n,
      rate,
      limit: o.n,
      holdMs: o.holdSec * 1000,
      statFile: path.join(dir, "callers.csv"),
      timeoutSec: Math.ceil(ramp + o.holdSec + 60),
    });
    const seconds = (performance.now() - t0) / 1000;
    const samples = sampler.stop();
    await sleep(1500);
    await rtpCapture.stop();
    await sipCapture.stop();
    const metrics = await fetch(`http://127.0.0.1:${serve.metricsPort}/metrics`).then((r) => r.text()).catch(() => "");
    const rtp = new RtpAnalyzer(rtpPorts[0], rtpPorts[1]);
    forEachUdp(rtpPcap, (d) => rtp.add(d));
    // Pair the legs: the caller's INVITE (to us), ours (to the callee, carrying X-Bench-Call), its 200.
    const callerInvite = new Map<string, number>();
    const ourInvite = new Map<string, number>();
    const calleeOk = new Map<string, number>();
    const legOf = new Map<string, string>();
    forEachUdp(sipPcap, (d) => {
      const text = d.payload.toString("latin1");
      const callId = /\r\n(?:Call-ID|i):\s*([^\r\n]+)/i.exec(text)?.[1];
      if (!callId) return;
      const t = d.timeUs / 1000;
      if (text.startsWith("INVITE ") && d.dstPort === serve.sipPort && !callerInvite.has(callId)) callerInvite.set(callId, t);
      else if (text.startsWith("INVITE ") && d.dstPort === callee.port) {
        const a = /\r\nX-Bench-Call:\s*([^\r\n]+)/i.exec(text)?.[1];
        if (a && !ourInvite.has(a)) {
          ourInvite.set(a, t);
          legOf.set(callId, a);
        }
      } else if (text.startsWith("SIP/2.0 200") && d.srcPort === callee.port && /\r\nCSeq:\s*\d+\s+INVITE/i.test(text)) {
        const a = legOf.get(callId);
        if (a && !calleeOk.has(a)) calleeOk.set(a, t);
      }
    });
    const dialOut: number[] = [];
    const answered: number[] = [];
    for (const [a, t] of callerInvite) {
      const out = ourInvite.get(a);
      const ok = calleeOk.get(a);
      if (out !== undefined) dialOut.push(out - t);
      if (ok !== undefined) answered.push(ok - t);
    }
    const window = samples.filter((s) => s.at >= steadyFrom && s.at <= steadyTo);
    const cpu = (window.length ? window : samples).map((s) => s.cpuPct);
    const cpuAvg = cpu.reduce((a, b) => a + b, 0) / Math.max(1, cpu.length);
    const rssMax = Math.max(...samples.map((s) => s.rssMb));
    return {
      options: o,
      loadAverage: [loadBefore, os.loadavg()[0]],
      callers: { successful: callers.successful, failed: callers.failed, code: callers.code },
      rtp: rtp.report(),
      lostInbound: metricValue(metrics, "ivr_rtp_packets", 'kind="lost"'),
      dialOutMs: percentiles(dialOut),
      answeredMs: percentiles(answered),
      bridged: answered.length,
      cpuPct: { avg: cpuAvg, perCall: cpuAvg / o.n },
      rssMb: { start: samples[0]?.rssMb ?? NaN, max: rssMax, perCall: (rssMax - (samples[0]?.rssMb ?? 0)) / o.n },
      seconds,
    };
  } finally {
    await serve.stop();
    callee.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (n: number | undefined, d = 1) => (n === undefined || Number.isNaN(n) ? "-" : n.toFixed(d));

export const TABLE_HEADER = [
  "| N bridged (legs) | codecs | RTP lateness p50 / p99 / max (ms) | streams slipped | RTP loss (sent / received) | failed calls | bridged | dial-out p50 / p99 (ms) | far end answered p50 / p99 (ms) | our CPU (% of a core), per call | our RSS max, per call | load avg before → after |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
].join("\n");

export function tableRow(r: BridgeResult): string {
  const o = r.options;
  const failed = Number.isNaN(r.callers.failed) ? "?" : String(r.callers.failed + Math.max(0, o.n - r.callers.successful - r.callers.failed));
  return `| ${[
    `${o.n} (${2 * o.n})`,
    `${o.codec} ↔ ${o.calleeCodec}`,
    `${f(r.rtp.lateMs.p50, 2)} / **${f(r.rtp.lateMs.p99, 2)}** / ${f(r.rtp.lateMs.max, 0)}`,
    `${r.rtp.slipped} of ${r.rtp.streams}`,
    `${r.rtp.lost} of ${r.rtp.packets} / ${r.lostInbound ?? "-"}`,
    `${failed} of ${o.n}`,
    `${r.bridged}`,
    `${f(r.dialOutMs.p50, 1)} / ${f(r.dialOutMs.p99, 1)}`,
    `${f(r.answeredMs.p50, 1)} / **${f(r.answeredMs.p99, 1)}**`,
    `${f(r.cpuPct.avg, 0)} %, ${f(r.cpuPct.perCall, 3)} %`,
    `${f(r.rssMb.max, 0)} MB, ${f(r.rssMb.perCall, 2)} MB`,
    `${f(r.loadAverage[0], 2)} → ${f(r.loadAverage[1], 2)}`,
  ].join(" | ")} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: "string", default: "50,200" },
      hold: { type: "string", default: "30" },
      codec: { type: "string", default: "PCMA" },
      "callee-codec": { type: "string", default: "PCMU" },
      json: { type: "boolean", default: false },
    },
  });
  const sizes = values.n.split(",").map((x) => Number(x.trim()));
  for (const n of sizes) if (!Number.isInteger(n) || n <= 0 || n > 1000) throw new Error(`--n takes sizes 1..1000, got ${values.n}`);
  const codec = (c: string): Codec => {
    const u = c.toUpperCase();
    if (u !== "PCMA" && u !== "PCMU") throw new Error(`codecs are PCMA or PCMU, got ${c}`);
    return u;
  };
  const holdSec = Number(values.hold);
  console.log(
    `# bench/bridge (issue 13) at ${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}\n` +
      `# N bridged calls (2·N legs), all up together: callers and callees are talking SIPp instances on the same cores; calls arrive at N/10 per second and last ${holdSec} s.\n` +
      `# Lateness: every RTP packet the server sends, both legs, against its stream's own schedule (loopback capture). Target: 200 bridged at p99 <= 5 ms, 0 loss.`,
  );
  console.log(TABLE_HEADER);
  for (const n of sizes) {
    const r = await runBridge({ n, holdSec, codec: codec(values.codec), calleeCodec: codec(values["callee-codec"]) });
    console.log(tableRow(r));
    if (values.json) console.log(JSON.stringify(r));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
