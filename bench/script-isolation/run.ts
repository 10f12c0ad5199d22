// Script isolation bench (numbers only, no assertions; issue 11):
//  1. what an isolated TS call costs: N scripts up at once (answer, then sleep), each in its own
//     isolate: RSS per call, CPU to start one, start latency (run() to the script's first
//     Session call) p50/p99;
//  2. the other options, for the choice in docs/runtime.md: a worker thread per call (RSS, start
//     time), and what a `vm` run with `timeout` costs per resume (each starts a watchdog thread);
//  3. a runaway TS script next to K calls playing audio: per-stream RTP inter-arrival gaps
//     (p50/p99/max, from a loopback capture: tcpdump or dumpcap) and OPTIONS round trips,
//     without and with the runaway (its whole CPU budget).
//
//   npx tsx bench/script-isolation/run.ts [--concurrent 300] [--workers 20] [--streams 20] [--budget 2000]
import dgram from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import { Worker } from "node:worker_threads";
import { TsHost, loadTsScript } from "../../runtime/host/ts-host";
import { compileRoute } from "../../runtime/routes";
import { IvrServer } from "../../runtime/server";
import { Channel } from "../../runtime/session/channel";
import type { MediaPort, PlayHandle, RecordHandle } from "../../runtime/session/ports";
import { FsSession } from "../../runtime/session/session";
import { forEachUdp } from "../../fixtures/pcap-udp";
import { startCapture } from "../load/proc";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const MB = 1024 * 1024;
const { values: args } = parseArgs({
  options: {
    concurrent: { type: "string", default: "300" },
    workers: { type: "string", default: "20" },
    streams: { type: "string", default: "20" },
    budget: { type: "string", default: "2000" },
  },
});
const dir = mkdtempSync(path.join(os.tmpdir(), "bench-script-isolation-"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const f1 = (n: number) => n.toFixed(1);
const rssMb = () => {
  gc();
  return process.memoryUsage().rss / MB;
};

/** A session with no SIP or media behind it: answer() notes the time, sleep() really waits. */
function benchSession(onAnswer: () => void, onHangup: () => void): FsSession {
  const channel = new Channel(`bench-${Math.random().toString(36).slice(2)}`, {});
  const noPlay: PlayHandle = {
    done: Promise.resolve({ reason: "done", ms: 0, samples: 0 }),
    stop() {},
    pause() {},
    seek() {},
    restart() {},
    adjust() {},
  };
  const noRecord: RecordHandle = { done: Promise.resolve({ reason: "stopped", ms: 0, samples: 0 }), stop() {}, truncate() {} };
  const media: MediaPort = { play: () => noPlay, record: () => noRecord, synthesize: async () => "", setInbandDtmf() {} };
  return new FsSession({
    channel,
    control: {
      answer: async () => {
        onAnswer();
        return true;
      },
      preAnswer: async () => true,
      hangup: (cause) => {
        channel.markHangup(cause);
        onHangup();
      },
      transfer: () => true,
    },
    media,
    log: () => undefined,
  });
}

async function tsCallCost(n: number): Promise<void> {
  const file = path.join(dir, "wait.ts");
  writeFileSync(file, `export default async function main(session: any) { await session.answer(); await session.sleep(600000); }\n`);
  const host = new TsHost({ httpAllowList: () => [], log: () => undefined });
  const script = await loadTsScript(file);
  // One warm-up run: the realm and the script get their V8 code caches.
  {
    let up!: () => void;
    const answered = new Promise<void>((r) => (up = r));
    const s = benchSession(up, () => undefined);
    const run = host.run(script, s, []);
    await answered;
    s.channel.markHangup("NORMAL_CLEARING");
    await run;
  }
  // One call at a time (the pool of prepared isolates refills between them).
  const single: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    let up!: () => void;
    const answered = new Promise<void>((r) => (up = r));
    const s = benchSession(() => {
      single.push(performance.now() - t);
      up();
    }, () => undefined);
    const r = host.run(script, s, []);
    await answered;
    s.channel.markHangup("NORMAL_CLEARING");
    await r;
    await sleep(30);
  }
  const rss0 = rssMb();
  const cpu0 = process.cpuUsage();
  const latencies: number[] = [];
  const sessions: FsSession[] = [];
  const runs: Promise<unknown>[] = [];
  let answered = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const s = benchSession(() => {
      latencies.push(performance.now() - started);
      answered++;
    }, () => undefined);
    sessions.push(s);
    runs.push(host.run(script, s, []));
    if (i % 20 === 19) await sleep(0);
  }
  while (answered < n) await sleep(10);
  const startMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await sleep(500);
  const rss1 = rssMb();
  const idle0 = process.cpuUsage();
  await sleep(2000);
  const idle = process.cpuUsage(idle0);
  for (const s of sessions) s.channel.markHangup("NORMAL_CLEARING");
  await Promise.all(runs);
  const rss2 = rssMb();
  console.log(`\n1. TS calls, an isolate each: ${n} scripts up at once (answer, then sleep)`);
  console.log(`   RSS ${f1(rss0)} MB before, ${f1(rss1)} MB with ${n} up, ${f1(rss2)} MB after they ended: ${f1(((rss1 - rss0) * 1024) / n)} KB per call`);
  console.log(`   start: ${f1(startMs)} ms for all ${n}; CPU ${f1((cpu.user + cpu.system) / 1000 / n)} ms per call start (this process, all threads)`);
  console.log(`   start latency, one call at a time (run() -> the script's answer() on the host): p50 ${f1(pct(single, 50))} ms, p99 ${f1(pct(single, 99))} ms`);
  console.log(`   start latency, all ${n} at once: p50 ${f1(pct(latencies, 50))} ms, p99 ${f1(pct(latencies, 99))} ms, max ${f1(Math.max(...latencies))} ms`);
  console.log(`   idle CPU with ${n} scripts waiting: ${f1((idle.user + idle.system) / 1000 / 2000 * 100)} % of a core`);
  await host.close();
}

async function otherOptions(workers: number): Promise<void> {
  console.log(`\n2. the other options`);
  // RSS with workers up is read without a GC in between (a GC here would shrink this thread's heap, not theirs).
  const rss0 = rssMb();
  const t0 = performance.now();
  const list: Worker[] = [];
  const heaps: number[] = [];
  for (let i = 0; i < workers; i++) {
    // A worker as a script host would be: a vm context with a small script run in it.
    const w = new Worker(
      `const vm = require("node:vm"); const ctx = vm.createContext({}); vm.runInContext("globalThis.x = JSON.stringify({a: [1,2,3]}).repeat(100)", ctx); const h = require("node:v8").getHeapStatistics(); require("node:worker_threads").parentPort.postMessage(h.total_physical_size + h.malloced_memory);`,
      { eval: true, resourceLimits: { maxOldGenerationSizeMb: 32 } },
    );
    heaps.push(await new Promise<number>((r) => w.once("message", r)));
    list.push(w);
  }
  const startMs = (performance.now() - t0) / workers;
  await sleep(300);
  const rss1 = process.memoryUsage().rss / MB;
  for (const w of list) await w.terminate();
  console.log(
    `   worker thread per call: ${f1(((rss1 - rss0) * 1024) / workers)} KB process RSS each (${workers} up), V8 heap ${f1(pct(heaps, 50) / 1024)} KB each (V8's count; the thread and Node's per-worker state come on top), ${f1(startMs)} ms to start one`,
  );
  const c0 = rssMb();
  const contexts = Array.from({ length: 200 }, () => {
    const c = vm.createContext({}, { microtaskMode: "afterEvaluate" });
    vm.runInContext("globalThis.main = async (s) => { await s.answer(); }", c);
    return c;
  });
  const c1 = rssMb();
  console.log(`   vm context per call (a pool of workers would hold these; one heap per worker): ${f1(((c1 - c0) * 1024) / contexts.length)} KB RSS each`);
  const ctx = vm.createContext({}, { microtaskMode: "afterEvaluate" });
  const script = new vm.Script("1");
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    script.runInContext(ctx, { timeout: 1000 });
    times.push(performance.now() - t);
  }
  const plain: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    script.runInContext(ctx);
    plain.push(performance.now() - t);
  }
  console.log(`   vm run with timeout (a pool's per-resume cost): p50 ${pct(times, 50).toFixed(3)} ms, p99 ${pct(times, 99).toFixed(3)} ms; without timeout p50 ${pct(plain, 50).toFixed(4)} ms`);
}

// --- 3. RTP next to a runaway script ------------------------------------------------------

interface Caller {
  bye(): Promise<void>;
  close(): void;
}

async function call(sipPort: number, number: string, id: number): Promise<Caller> {
  const sip = dgram.createSocket("udp4");
  const rtp = dgram.createSocket("udp4");
  const received: string[] = [];
  rtp.on("message", () => undefined); // the capture times the packets
  sip.on("message", (m) => received.push(m.toString("latin1")));
  await new Promise<void>((r) => sip.bind(0, "127.0.0.1", () => r()));
  await new Promise<void>((r) => rtp.bind(0, "127.0.0.1", () => r()));
  const sp = sip.address().port;
  const callId = `bench-${id}-${sp}`;
  const send = (t: string) => new Promise<void>((r) => sip.send(t.replace(/\r?\n/g, "\r\n"), sipPort, "127.0.0.1", () => r()));
  const wait = async (re: RegExp) => {
    const until = Date.now() + 10_000;
    for (;;) {
      const hit = received.find((m) => re.test(m));
      if (hit) return hit;
      if (Date.now() > until) throw new Error(`call ${id}: no ${re}`);
      await sleep(5);
    }
  };
  const sdp = `v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rtp.address().port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
  const head = (method: string, cseq: number, toTag = "") =>
    `${method} sip:${number}@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${sp};branch=z9hG4bK-${method}${cseq}${sp};rport\n` +
    `From: <sip:bench@127.0.0.1:${sp}>;tag=b${id}\nTo: <sip:${number}@127.0.0.1>${toTag}\nCall-ID: ${callId}\nCSeq: ${cseq} ${method}\n` +
    `Contact: <sip:bench@127.0.0.1:${sp}>\nMax-Forwards: 70\n`;
  await send(`${head("INVITE", 1)}Content-Type: application/sdp\nContent-Length: ${sdp.length}\n\n${sdp}`);
  const ok = await wait(/^SIP\/2\.0 200[^]*CSeq: 1 INVITE/i);
  const tag = /^To:.*(;tag=[^;\s]+)/im.exec(ok)?.[1] ?? "";
  await send(`${head("ACK", 1, tag)}Content-Length: 0\n\n`);
  return {
    async bye() {
      await send(`${head("BYE", 2, tag)}Content-Length: 0\n\n`);
      await wait(/^SIP\/2\.0 200[^]*CSeq: 2 BYE/i).catch(() => undefined);
    },
    close() {
      sip.close();
      rtp.close();
    },
  };
}

/** OPTIONS round trips while `ms` pass. */
async function optionsRtts(sipPort: number, ms: number): Promise<number[]> {
  const sock = dgram.createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const sent = new Map<string, number>();
  const rtts: number[] = [];
  sock.on("message", (m) => {
    const id = /Call-ID: (\S+)/i.exec(m.toString("latin1"))?.[1];
    const t = id ? sent.get(id) : undefined;
    if (t !== undefined) rtts.push(performance.now() - t);
  });
  const port = sock.address().port;
  const end = performance.now() + ms;
  for (let i = 0; performance.now() < end; i++) {
    const id = `opt-${i}-${port}`;
    sent.set(id, performance.now());
    const msg = `OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-o${i}x${port};rport\r\nFrom: <sip:p@127.0.0.1>;tag=o${i}\r\nTo: <sip:ping@127.0.0.1>\r\nCall-ID: ${id}\r\nCSeq: ${i + 1} OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
    sock.send(msg, sipPort, "127.0.0.1");
    await sleep(50);
  }
  await sleep(300);
  sock.close();
  for (let i = rtts.length; i < sent.size; i++) rtts.push(Infinity); // unanswered
  return rtts;
}

/** Per-stream gaps (ms) between our RTP packets captured in [from, to] (epoch ms). */
function gapsIn(capture: string, from: number, to: number): number[] {
  const last = new Map<string, number>();
  const gaps: number[] = [];
  forEachUdp(capture, (d) => {
    const t = d.timeUs / 1000;
    if (t < from || t > to) return;
    const key = `${d.srcPort}>${d.dstPort}`;
    const prev = last.get(key);
    if (prev !== undefined) gaps.push(t - prev);
    last.set(key, t);
  });
  return gaps;
}

async function runawayBeside(streams: number, budgetMs: number): Promise<void> {
  const steady = path.join(dir, "steady.ts");
  writeFileSync(steady, `export default async function main(session: any) { await session.answer(); while (await session.ready()) await session.streamFile("tone_stream://%(1000,0,440);loops=10"); }\n`);
  const runaway = path.join(dir, "runaway.ts");
  writeFileSync(runaway, `export default async function main(session: any) { await session.answer(); for (;;) {} }\n`);
  const server = new IvrServer({
    sipAddress: "127.0.0.1",
    sipPort: 0,
    rtpPorts: [45000, 45999],
    cacheDir: path.join(dir, "cache"),
    soundsDir: dir,
    cpuBudgetMs: budgetMs,
    routes: [compileRoute({ pattern: "100", target: steady }), compileRoute({ pattern: "200", target: runaway })],
  });
  await server.start();
  const pcap = path.join(dir, "rtp.pcap");
  const capture = await startCapture(pcap, "udp and src portrange 45000-45999", 96);
  try {
    const callers: Caller[] = [];
    for (let i = 0; i < streams; i++) callers.push(await call(server.sipPort, "100", i));
    await sleep(1000);
    const baseFrom = Date.now();
    const baseRtt = await optionsRtts(server.sipPort, budgetMs);
    const baseTo = Date.now();
    const runFrom = Date.now();
    const bad = call(server.sipPort, "200", 999);
    const runRtt = await optionsRtts(server.sipPort, budgetMs + 200);
    const runTo = Date.now();
    const b = await bad;
    await b.bye();
    b.close();
    await sleep(200);
    await capture.stop();
    const base = gapsIn(pcap, baseFrom, baseTo);
    const run = gapsIn(pcap, runFrom, runTo);
    for (const c of callers) await c.bye();
    for (const c of callers) c.close();
    const line = (name: string, gaps: number[], rtts: number[]) =>
      `   ${name.padEnd(26)} RTP gap p50 ${f1(pct(gaps, 50))} ms, p99 ${f1(pct(gaps, 99))} ms, max ${f1(Math.max(...gaps))} ms (${gaps.length} gaps); OPTIONS RTT p50 ${f1(pct(rtts, 50))} ms, p99 ${f1(pct(rtts, 99))} ms, unanswered ${rtts.filter((r) => r === Infinity).length}/${rtts.length}`;
    console.log(`\n3. ${streams} calls playing audio, then a runaway TS script (for(;;){}) for its ${budgetMs} ms budget`);
    console.log(line("without the runaway:", base, baseRtt));
    console.log(line("with the runaway:", run, runRtt));
  } finally {
    await capture.stop();
    await server.stop(500);
  }
}

try {
  console.log(`script isolation bench: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)}, node ${process.version}`);
  if (Number(args.concurrent) > 0) await tsCallCost(Number(args.concurrent));
  if (Number(args.workers) > 0) await otherOptions(Number(args.workers));
  if (Number(args.streams) > 0) await runawayBeside(Number(args.streams), Number(args.budget));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
