// Load bench, the workload of issue 12: N concurrent IVR calls from callers that talk.
//
// Each SIPp caller offers PCMA (or PCMU) + telephone-event, ptime 20, and after the 200 streams
// speech continuously (rtp_stream of a raw G.711 file cut from SIPp's g711a.pcap, looped); about
// 4 s in it pauses its audio, presses 1 2 3 # (RFC 2833, SIPp's dtmf_2833_*.pcap) 300 ms apart,
// resumes and waits for our BYE. The script (bench/load/ivr.lua or ivr.ts) answers, plays a 10.0 s
// prompt, then playAndGetDigits(1, 4, 1, 3000, "#", prompt, "", "\\d+"), logs the digits, hangs
// up. Calls arrive at N/10 per second, 3·N calls in all, at most N at once.
//
// Measured at the receiver, from a loopback capture (tcpdump) of the server's RTP: per-packet
// lateness against each stream's own schedule (p50/p99/p99.9/max), streams that slipped (a packet
// >= 20 ms behind), loss; from SIPp and the server's log: failed calls, digits correct; from a
// capture of SIP: INVITE -> 200; from /proc: the server's CPU and RSS while N calls are up.
// Prints one table row per N. Numbers only, asserts nothing.
//
//   npm run bench:load -- --n 450,900 --script lua          # or ts, or both (the default)
//   npm run bench:load -- --n 50,300,450,600,750,900 --script both --json
//   npm run bench:load -- --n 600 --script ts --workers 1,2 --pacer wheel,timers --nice=-10 --repeat 2
//   npm run bench:load -- --n 450,900 --script both --repeat 2 --quiet-below 0.5   # waits for a quiet machine before each step
//   npm run bench:load -- --n 600 --script ts --cpu-prof /tmp/prof --keep /tmp/captures
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { alawToLinear, linearToUlaw } from "../../runtime/media/g711";
import { InviteAnalyzer, percentiles, RtpAnalyzer, type Percentiles, type RtpReport } from "../../fixtures/rtp-analyze";
import { forEachUdp } from "../../fixtures/pcap-udp";
import { busiestThreads, machineBusyTicks, metricValue, ROOT, runSippLoad, sampleProcess, startCapture, startServe, threadTicks, udpDropCounter, type ThreadLoad, type ThreadSample } from "./proc";
import { writeBenchPrompts } from "./prompts";

export interface LoadOptions {
  /** At most N calls at once. */
  n: number;
  script: "ts" | "lua";
  codec?: "PCMA" | "PCMU";
  /** Calls in all (default 3·N). */
  calls?: number;
  /** New calls per second (default N/10). */
  rate?: number;
  rtpPorts?: [number, number];
  /** Media worker threads of the server (IVR_MEDIA_WORKERS); default the server's own choice. */
  mediaWorkers?: number;
  /** Nice value of the server's media threads (IVR_MEDIA_NICE); default the server's own choice. */
  mediaNice?: number;
  /** How the media workers wake their streams (IVR_MEDIA_PACER); default the server's own choice. */
  mediaPacer?: "wheel" | "timers";
  /** Run the whole server under `nice -n N` (FreeSWITCH asks for real-time priority for itself by default). */
  serverNice?: number;
  /** Write the server's CPU profiles (main thread and workers) into this directory. */
  cpuProfDir?: string;
  /** Keep the captures (rtp.pcap: our RTP headers; sip.pcap: SIP and the callers' key presses) and the server's log in this directory. */
  keepDir?: string;
}

export interface LoadResult {
  options: Required<Omit<LoadOptions, "mediaWorkers" | "mediaNice" | "mediaPacer" | "serverNice" | "cpuProfDir" | "rtpPorts" | "keepDir">> & {
    mediaWorkers?: number;
    mediaNice?: number;
    mediaPacer?: string;
    serverNice?: number;
  };
  /** 1-minute load average before and after the run (other work on the machine skews timings). */
  loadAverage: [number, number];
  sipp: { successful: number; failed: number; code: number | null; signal: string | null; aborted: boolean };
  digits: { logged: number; correct: number; wrong: string[]; /** key presses that reached our ports (4 per call) */ delivered: number };
  rtp: RtpReport;
  inviteTo200Ms: Percentiles & { calls: number; answered: number };
  /** Averages while all N calls are up (after the ramp, before arrivals stop). */
  cpuPct: { avg: number; max: number; perCall: number; sipp: number; machine: number };
  /** perCall: max / N; aboveIdle: (max - the idle server's RSS before the first call) / N. */
  rssMb: { start: number; max: number; perCall: number; aboveIdle: number };
  /** The server's busiest threads while N calls are up (main, media workers...): CPU and run-queue wait. */
  threads: ThreadLoad[];
  captureDropped: number;
  /** Caller packets the kernel dropped because our RTP sockets were not read in time. */
  inboundDropped: number;
  server: { loopLagP99Ms: { main?: number; media?: number }; rtpLate?: number; rtpLostInbound?: number };
  seconds: number;
}

const SPEECH_PCAP = "/usr/share/sip-tester/g711a.pcap";

/** The caller's speech: the A-law payloads of SIPp's g711a.pcap, as a raw file (rtp_stream reads raw G.711). */
export function writeSpeech(file: string, codec: "PCMA" | "PCMU"): void {
  const parts: Buffer[] = [];
  forEachUdp(SPEECH_PCAP, (d) => {
    if (d.payload.length > 12 && (d.payload[1] & 0x7f) === 8) parts.push(Buffer.from(d.payload.subarray(12)));
  });
  const alaw = Buffer.concat(parts);
  if (alaw.length < 8000) throw new Error(`${SPEECH_PCAP}: no PCMA audio found`);
  writeFileSync(file, codec === "PCMA" ? alaw : Buffer.from(alaw.map((b) => linearToUlaw(alawToLinear(b)))));
}

export function writeScenario(file: string, audio: string, codec: "PCMA" | "PCMU"): void {
  const xml = readFileSync(path.join(ROOT, "bench/load/caller.xml"), "utf8")
    .replaceAll("__AUDIO__", audio)
    .replaceAll("__PT__", codec === "PCMA" ? "8" : "0")
    .replaceAll("__CODEC__", codec);
  writeFileSync(file, xml);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One load step on a fresh `ivr serve`. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const codec = o.codec ?? "PCMA";
  const calls = o.calls ?? 3 * o.n;
  const rate = o.rate ?? o.n / 10;
  const rtpPorts = o.rtpPorts ?? [20000, 23999]; // below the ephemeral range SIPp's own ports come from
  const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-bench-load-"));
  writeBenchPrompts(path.join(dir, "sounds"));
  const audio = path.join(dir, `speech.${codec === "PCMA" ? "al" : "ul"}`);
  writeSpeech(audio, codec);
  const scenario = path.join(dir, "caller.xml");
  writeScenario(scenario, audio, codec);
  const digits = { logged: 0, correct: 0, wrong: [] as string[], delivered: NaN };
  if (o.cpuProfDir) mkdirSync(o.cpuProfDir, { recursive: true });
  const log: string[] = [];
  const serve = await startServe({
    script: path.join(ROOT, `bench/load/ivr.${o.script}`),
    number: "7000",
    rtpPorts,
    soundsDir: path.join(dir, "sounds"),
    extra: ["--max-calls", String(o.n + 50)],
    // no starter sounds: generating them (flite, ffmpeg) would run during the measurement
    env: {
      IVR_STARTER_SOUNDS: "0",
      ...(o.mediaWorkers ? { IVR_MEDIA_WORKERS: String(o.mediaWorkers) } : {}),
      ...(o.mediaNice !== undefined ? { IVR_MEDIA_NICE: String(o.mediaNice) } : {}),
      ...(o.mediaPacer ? { IVR_MEDIA_PACER: o.mediaPacer } : {}),
    },
    nodeArgs: o.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", o.cpuProfDir] : [],
    nice: o.serverNice,
    onLine: (line) => {
      if (o.keepDir) log.push(line);
      const m = /bench digits=(\S*)/.exec(line);
      if (!m) return;
      digits.logged++;
      if (m[1] === "123") digits.correct++;
      else if (digits.wrong.length < 10) digits.wrong.push(m[1] || "(empty)");
    },
  });
  try {
    // One call first: the script's compilation and first-use costs are not what is measured.
    await runSippLoad({ scenario, port: serve.sipPort, number: "7000", calls: 1, rate: 1, limit: 1, holdMs: 0, statFile: path.join(dir, "warm.csv"), timeoutSec: 60 });
    await sleep(500);
    Object.assign(digits, { logged: 0, correct: 0, wrong: [], delivered: NaN });
    const loadBefore = os.loadavg()[0];
    const rtpPcap = path.join(dir, "rtp.pcap");
    const sipPcap = path.join(dir, "sip.pcap");
    // Our RTP: headers only (snaplen 64: link + IP + UDP + RTP header). In a second capture, SIP in
    // full and the callers' key presses (telephone-event, PT 101) as they reach our ports, so that a
    // wrong digit count can be told apart from digits the caller never delivered. Two capture
    // processes, not three: they share the cores with us.
    const rtpCapture = await startCapture(rtpPcap, `udp and src portrange ${rtpPorts[0]}-${rtpPorts[1]}`, 64);
    const sipCapture = await startCapture(sipPcap, `udp and (port ${serve.sipPort} or (dst portrange ${rtpPorts[0]}-${rtpPorts[1]} and (udp[9] & 0x7f) = 101))`);
    const sampler = sampleProcess(serve.pid);
    const drops = udpDropCounter(rtpPorts[0], rtpPorts[1]);
    const dropTimer = setInterval(drops.sample, 500);
    const rssStart = sampler.startRssMb;
    const rampSec = calls / rate;
    // Steady state: every call lasts ~10.5 s, so N are up from ~11 s until arrivals stop.
    const steadyFrom = Math.min(12, rampSec * 0.4);
    const steadyTo = Math.max(steadyFrom + 1, rampSec);
    let sippPid = 0;
    let sippTicks0 = 0;
    let threads0 = new Map<number, ThreadSample>();
    let machine0 = { busy: 0, total: 0 };
    let steady: { threads: ReturnType<typeof busiestThreads>; sippPct: number; machinePct: number } | undefined;
    const t0 = performance.now();
    const sippTicks = () => {
      try {
        const f = readFileSync(`/proc/${sippPid}/stat`, "utf8");
        const x = f.slice(f.lastIndexOf(")") + 2).split(" ");
        return Number(x[11]) + Number(x[12]);
      } catch {
        return NaN;
      }
    };
    const windowStart = setTimeout(() => {
      threads0 = threadTicks(serve.pid);
      sippTicks0 = sippTicks();
      machine0 = machineBusyTicks();
    }, steadyFrom * 1000);
    const windowEnd = setTimeout(() => {
      const secs = steadyTo - steadyFrom;
      const m = machineBusyTicks();
      steady = {
        threads: busiestThreads(threads0, threadTicks(serve.pid), secs),
        sippPct: (sippTicks() - sippTicks0) / secs,
        machinePct: ((m.busy - machine0.busy) / (m.total - machine0.total)) * os.cpus().length * 100,
      };
    }, steadyTo * 1000);
    const sipp = await runSippLoad({
      scenario,
      port: serve.sipPort,
      number: "7000",
      calls,
      rate,
      limit: o.n,
      holdMs: 0,
      statFile: path.join(dir, "stat.csv"),
      timeoutSec: Math.ceil(rampSec + 120),
      onStart: (pid) => (sippPid = pid),
    });
    clearInterval(dropTimer);
    drops.sample();
    clearTimeout(windowStart);
    clearTimeout(windowEnd);
    const seconds = (performance.now() - t0) / 1000;
    const samples = sampler.stop();
    await sleep(1000); // the last BYEs and hang-ups
    const dropped = (await rtpCapture.stop()).dropped + (await sipCapture.stop()).dropped;
    const metrics = await fetch(`http://127.0.0.1:${serve.metricsPort}/metrics`).then((r) => r.text()).catch(() => "");
    const rtpA = new RtpAnalyzer(rtpPorts[0], rtpPorts[1]);
    forEachUdp(rtpPcap, (d) => rtpA.add(d));
    const invA = new InviteAnalyzer(serve.sipPort);
    // Distinct key presses delivered: (our port, RTP timestamp, event), the packets of one press within
    // 2 s of each other (every call replays the same pcaps, and a port serves many calls in turn).
    const lastSeen = new Map<string, number>();
    let presses = 0;
    forEachUdp(sipPcap, (d) => {
      if (d.dstPort === serve.sipPort || d.srcPort === serve.sipPort) return invA.add(d);
      if (d.payload.length < 16 || (d.payload[1] & 0x7f) !== 101) return;
      const key = `${d.dstPort}/${d.payload.readUInt32BE(4)}/${d.payload[12]}`;
      const prev = lastSeen.get(key);
      if (prev === undefined || d.timeUs - prev > 2e6) presses++;
      lastSeen.set(key, d.timeUs);
    });
    digits.delivered = presses;
    const window = samples.filter((s) => s.at >= steadyFrom && s.at <= steadyTo);
    const cpu = (window.length ? window : samples).map((s) => s.cpuPct);
    const cpuAvg = cpu.reduce((a, b) => a + b, 0) / Math.max(1, cpu.length);
    const rssMax = Math.max(...samples.map((s) => s.rssMb));
    const lag = (t: string) => {
      const v = metricValue(metrics, "ivr_event_loop_lag_seconds", `thread="${t}"`);
      return v === undefined ? undefined : v * 1000;
    };
    // SIPp 3.6.1 aborts itself now and then under load; such a step is not a measurement.
    const aborted = sipp.signal !== null || (sipp.code !== 0 && sipp.code !== 1);
    return {
      options: { n: o.n, script: o.script, codec, calls, rate, mediaWorkers: o.mediaWorkers, mediaNice: o.mediaNice, mediaPacer: o.mediaPacer, serverNice: o.serverNice },
      loadAverage: [loadBefore, os.loadavg()[0]],
      sipp: { successful: sipp.successful, failed: sipp.failed, code: sipp.code, signal: sipp.signal, aborted },
      digits,
      rtp: rtpA.report(),
      inviteTo200Ms: invA.report(),
      cpuPct: { avg: cpuAvg, max: Math.max(...cpu), perCall: cpuAvg / o.n, sipp: steady?.sippPct ?? NaN, machine: steady?.machinePct ?? NaN },
      rssMb: { start: rssStart ?? samples[0]?.rssMb ?? NaN, max: rssMax, perCall: rssMax / o.n, aboveIdle: (rssMax - (rssStart ?? samples[0]?.rssMb ?? NaN)) / o.n },
      threads: steady?.threads ?? [],
      captureDropped: dropped,
      inboundDropped: drops.total(),
      server: {
        loopLagP99Ms: { main: lag("main"), media: lag("media") },
        rtpLate: metricValue(metrics, "ivr_rtp_packets", 'kind="late"'),
        rtpLostInbound: metricValue(metrics, "ivr_rtp_packets", 'kind="lost"'),
      },
      seconds,
    };
  } finally {
    await serve.stop();
    if (o.keepDir) {
      mkdirSync(o.keepDir, { recursive: true });
      for (const f of ["rtp.pcap", "sip.pcap"]) if (existsSync(path.join(dir, f))) renameSync(path.join(dir, f), path.join(o.keepDir, f));
      writeFileSync(path.join(o.keepDir, "server.log"), log.join("\n"));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (n: number | undefined, d = 1) => (n === undefined || Number.isNaN(n) ? "-" : n.toFixed(d));

export const TABLE_HEADER = [
  "| N | script | RTP lateness p50 / p99 / p99.9 / max (ms) | streams slipped | RTP loss | failed calls | digits correct | INVITE→200 p50 / p99 / max (ms) | our CPU (% of a core), per call | our RSS max, per call (above idle) | SIPp CPU, machine busy (of 200 %) | our threads' run-queue wait | load avg before → after |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
].join("\n");

/** One table row in the shape of issue 12's table. */
export function tableRow(r: LoadResult): string {
  const o = r.options;
  const failed = Number.isNaN(r.sipp.failed) ? "?" : String(r.sipp.failed + Math.max(0, o.calls - r.sipp.successful - r.sipp.failed));
  const cells = [
    String(o.n) + (r.sipp.aborted ? " (SIPp aborted: not a measurement)" : ""),
    o.script +
      (o.mediaWorkers ? `, ${o.mediaWorkers} media workers` : "") +
      (o.mediaPacer ? `, ${o.mediaPacer}` : "") +
      (o.mediaNice !== undefined ? `, media nice ${o.mediaNice}` : "") +
      (o.serverNice !== undefined ? `, server nice ${o.serverNice}` : ""),
    `${f(r.rtp.lateMs.p50, 2)} / **${f(r.rtp.lateMs.p99, 2)}** / ${f(r.rtp.lateMs.p999, 1)} / ${f(r.rtp.lateMs.max, 0)}`,
    `${r.rtp.slipped} of ${r.rtp.streams}${r.rtp.skippedFrames ? ` (${r.rtp.skippedFrames} frames skipped)` : ""}`,
    `${r.rtp.lost} of ${r.rtp.packets}${r.captureDropped ? ` (capture dropped ${r.captureDropped})` : ""}`,
    `${failed} of ${o.calls}`,
    `${r.digits.correct} of ${o.calls}${r.digits.wrong.length ? ` (wrong: ${r.digits.wrong.join(" ")}; key presses delivered ${r.digits.delivered} of ${4 * o.calls})` : ""}`,
    `${f(r.inviteTo200Ms.p50, 1)} / ${f(r.inviteTo200Ms.p99, 1)} / ${f(r.inviteTo200Ms.max, 0)}`,
    `${f(r.cpuPct.avg, 0)} %, ${f(r.cpuPct.perCall, 3)} %`,
    `${f(r.rssMb.max, 0)} MB, ${f(r.rssMb.perCall, 2)} MB (${f(r.rssMb.aboveIdle, 2)})`,
    `${f(r.cpuPct.sipp, 0)} %, ${f(r.cpuPct.machine, 0)} %`,
    // how long our busiest threads were runnable but got no CPU: lateness from a machine too busy to run us
    r.threads.length ? `${f(Math.max(...r.threads.slice(0, 3).map((t) => t.waitPct)), 0)} %` : "-",
    `${f(r.loadAverage[0], 2)} → ${f(r.loadAverage[1], 2)}`,
  ];
  return `| ${cells.join(" | ")} |`;
}

function commit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).trim();
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return "?";
  }
}

/** Waits until the 1-minute load average is below `below` (up to timeoutSec); returns it. */
async function waitQuiet(below: number, timeoutSec: number): Promise<number> {
  const until = Date.now() + timeoutSec * 1000;
  let announced = false;
  while (os.loadavg()[0] >= below && Date.now() < until) {
    if (!announced) console.error(`# waiting for load average < ${below} (now ${os.loadavg()[0].toFixed(2)}, at most ${timeoutSec} s)`);
    announced = true;
    await sleep(5000);
  }
  return os.loadavg()[0];
}

const list = (v: string | undefined) => (v === undefined ? [undefined] : v.split(",").map((x) => x.trim()));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: "string", default: "300,450,600,750,900" },
      script: { type: "string", default: "both" },
      codec: { type: "string", default: "PCMA" },
      calls: { type: "string" },
      rate: { type: "string" },
      workers: { type: "string" },
      pacer: { type: "string" },
      nice: { type: "string" },
      "server-nice": { type: "string" },
      repeat: { type: "string", default: "1" },
      "quiet-below": { type: "string" },
      "quiet-timeout": { type: "string", default: "900" },
      "cpu-prof": { type: "string" },
      keep: { type: "string" },
      json: { type: "boolean", default: false },
      details: { type: "boolean", default: false },
    },
  });
  const sizes = values.n.split(",").map((x) => Number(x.trim()));
  for (const n of sizes) if (!Number.isInteger(n) || n <= 0 || n > 2000) throw new Error(`--n takes sizes 1..2000, got ${values.n}`);
  const scripts: ("ts" | "lua")[] = values.script === "both" ? ["lua", "ts"] : values.script === "lua" || values.script === "ts" ? [values.script] : [];
  if (!scripts.length) throw new Error(`--script must be lua, ts or both, got ${values.script}`);
  const codec = values.codec.toUpperCase();
  if (codec !== "PCMA" && codec !== "PCMU") throw new Error(`--codec must be PCMA or PCMU, got ${values.codec}`);
  const workerList = list(values.workers).map((w) => (w === undefined ? undefined : Number(w)));
  for (const w of workerList) if (w !== undefined && !(Number.isInteger(w) && w >= 1 && w <= 16)) throw new Error(`--workers takes 1..16, got ${values.workers}`);
  const pacerList = list(values.pacer);
  for (const p of pacerList) if (p !== undefined && p !== "wheel" && p !== "timers") throw new Error(`--pacer takes wheel or timers, got ${values.pacer}`);
  const niceList = list(values.nice).map((v) => (v === undefined ? undefined : Number(v)));
  for (const v of niceList) if (v !== undefined && !(Number.isInteger(v) && v >= -20 && v <= 19)) throw new Error(`--nice takes -20..19 (write --nice=-10), got ${values.nice}`);
  const repeat = Number(values.repeat);
  const quietBelow = values["quiet-below"] !== undefined ? Number(values["quiet-below"]) : undefined;
  console.log(
    `# bench/load (issue 12 workload) at ${commit()}, ${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}\n` +
      `# each step: 3·N calls at N/10 per second, at most N at once, ${codec}, talking SIPp callers on the same cores; lateness against each stream's own schedule from a loopback capture;\n` +
      `# CPU/RSS: the ivr serve process while N calls are up (% of one core); "slipped": a packet >= 20 ms behind its stream's schedule; "run-queue wait": the\n` +
      `# longest time one of our 3 busiest threads was runnable but got no CPU (Linux schedstat), in % of the window: above a few %, lateness is the machine's. Targets: 900 at p99 <= 5 ms, 0 failed, all digits;\n` +
      `# CPU <= 0.15 % of a core and RSS <= 0.5 MB per call; INVITE→200 p99 <= 20 ms; 50 calls p99 <= 2 ms. Numbers taken at load average >= 0.5 are not quiet-machine numbers.`,
  );
  console.log(TABLE_HEADER);
  for (const script of scripts) {
    for (const n of sizes) {
      for (const mediaWorkers of workerList) {
        for (const mediaPacer of pacerList as ("wheel" | "timers" | undefined)[]) {
          for (const mediaNice of niceList) {
            for (let run = 0; run < repeat; run++) {
              if (quietBelow !== undefined) await waitQuiet(quietBelow, Number(values["quiet-timeout"]));
              const r = await runLoad({
                n,
                script,
                codec,
                calls: values.calls ? Number(values.calls) : undefined,
                rate: values.rate ? Number(values.rate) : undefined,
                mediaWorkers,
                mediaPacer,
                mediaNice,
                serverNice: values["server-nice"] !== undefined ? Number(values["server-nice"]) : undefined,
                cpuProfDir: values["cpu-prof"] ? path.join(values["cpu-prof"], `${script}-${n}-${run}`) : undefined,
                keepDir: values.keep ? path.join(values.keep, `${script}-${n}-${run}`) : undefined,
              });
              console.log(tableRow(r));
              if (values.details) {
                console.error(
                  `#   ${script} ${n}: busiest threads ${r.threads.map((t) => `${t.name}/${t.tid} ${t.cpuPct.toFixed(0)}% (waited ${t.waitPct.toFixed(0)}%)`).join(", ")}; ` +
                    `server loop lag p99 main ${f(r.server.loopLagP99Ms.main, 1)} ms media ${f(r.server.loopLagP99Ms.media, 1)} ms; ` +
                    `server-counted late ${r.server.rtpLate ?? "-"}; key presses delivered ${r.digits.delivered} of ${4 * r.options.calls}; caller packets dropped by our sockets ${r.inboundDropped}; SIPp exit ${r.sipp.code ?? r.sipp.signal}; ${r.seconds.toFixed(0)} s`,
                );
              }
              if (values.json) console.log(JSON.stringify(r));
            }
          }
        }
      }
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
export { percentiles };
