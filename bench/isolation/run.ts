// Isolation bench (issue 11): does work on the web server's thread move the runtime's timing?
//
// One `npm start` server (server.mjs, production build, fresh data folder) serves a flow published
// through its REST API: answer, a 10 s prompt, read up to 4 digits ended by #, hang up. SIPp
// callers that talk (bench/load's caller: G.711 speech streamed the whole call, 1 2 3 # by RFC
// 2833) keep N calls up (default 200). Two phases of the same call load, each with its own
// loopback capture:
//   quiet: the calls only;
//   storm: the calls plus a loop of 150,000-node flow imports (64 MB each, the server's limits
//          raised for the bench) and page loads (designer pages and API lists, 4 loops at once).
// Throughout, this process sends SIP OPTIONS every 50 ms; their round trip is measured from the
// capture (kernel timestamps, so a busy bench process does not skew it), as are the server's RTP
// lateness against each stream's own schedule and INVITE -> 200. Prints one table row per phase.
// Numbers only, asserts nothing.
//
//   npx tsx bench/isolation/run.ts                          # 200 calls, ~45 s per phase
//   npx tsx bench/isolation/run.ts --n 200 --nodes 150000 --root /path/to/other/checkout
//
// --runtime web-thread runs the same server with the runtime on the web server's thread
// (IVR_RUNTIME_THREAD=off, IVR_WEB_NICE=0), as before it had its own: the before/after comparison
// on one build. --web-nice N sets IVR_WEB_NICE. --root runs another checkout's server.mjs (it needs
// its own `next build`).
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { defaultParams } from "../../flow/catalog";
import { SCHEMA_VERSION, type FlowGraphInput } from "../../flow/graph";
import { bigFlow } from "../../fixtures/designer-big-flow";
import { forEachUdp, type Datagram } from "../../fixtures/pcap-udp";
import { InviteAnalyzer, percentiles, RtpAnalyzer, type Percentiles, type RtpReport } from "../../fixtures/rtp-analyze";
import { busiestThreads, freeUdpPort, ROOT, runSippLoad, startCapture, threadTicks } from "../load/proc";
import { writeBenchPrompts } from "../load/prompts";
import { writeScenario, writeSpeech } from "../load/run";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Its own range: bench/load (20000-23999) may run on the same machine, and the capture must see our RTP only.
let RTP_PORTS: [number, number] = [26000, 27999];

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The bench's IVR as a designer flow: answer, 10 s prompt, read digits, hang up. */
function benchFlow(): FlowGraphInput {
  const node = (id: string, kind: string, params: Record<string, unknown>, y: number) => ({
    id,
    kind,
    label: id,
    params: { ...(defaultParams(kind as never) as Record<string, unknown>), ...params },
    position: { x: 0, y },
  });
  return {
    schemaVersion: SCHEMA_VERSION,
    name: "Isolation bench",
    description: "",
    nodes: [
      node("start", "start", {}, 0),
      node("answer", "answer", {}, 100),
      node("prompt", "play", { file: "prompt.wav" }, 200),
      node("digits", "read_digits", { prompt: "prompt.wav", minDigits: 1, maxDigits: 4, timeoutMs: 3000, terminators: "#" }, 300),
      node("bye", "hangup", {}, 400),
    ],
    edges: [
      { source: "start", outcome: "next", target: "answer" },
      { source: "answer", outcome: "next", target: "prompt" },
      { source: "prompt", outcome: "next", target: "digits" },
      { source: "digits", outcome: "next", target: "bye" },
      { source: "digits", outcome: "failed", target: "bye" },
    ],
  };
}

interface Server {
  child: ChildProcess;
  pid: number;
  base: string;
  sipPort: number;
  output: () => string;
  stop(): Promise<void>;
}

async function startServer(root: string, dir: string, env: Record<string, string>): Promise<Server> {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) throw new Error(`${root} has no production build: run \`npx next build\` there first`);
  const port = await freeTcpPort();
  const sip = await freeUdpPort();
  const child = spawn(process.execPath, [path.join(root, "server.mjs")], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      IVR_ROOT: root,
      IVR_DATA_DIR: path.join(dir, "data"),
      IVR_MEDIA_DIR: path.join(dir, "sounds"),
      IVR_STARTER_SOUNDS: "0",
      PORT: String(port),
      HOST: "127.0.0.1",
      IVR_SIP: `127.0.0.1:${sip}`,
      IVR_RTP_PORTS: `${RTP_PORTS[0]}-${RTP_PORTS[1]}`,
      // The storm's imports are the worst case the issue measured, so the limits let them in.
      IVR_MAX_BODY_BYTES: "512MB",
      IVR_MAX_FLOW_NODES: "1000000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const keep = (d: Buffer) => {
    out += d;
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const until = Date.now() + 120_000;
  let sipPort = 0;
  while (!sipPort) {
    if (child.exitCode !== null) throw new Error(`server.mjs exited (${child.exitCode}):\n${out.slice(-3000)}`);
    if (Date.now() > until) throw new Error(`server.mjs did not start:\n${out.slice(-3000)}`);
    const m = /SIP: udp 127\.0\.0\.1:(\d+)/.exec(out);
    if (m) sipPort = Number(m[1]);
    else await sleep(100);
  }
  return {
    child,
    pid: child.pid!,
    base: `http://127.0.0.1:${port}`,
    sipPort,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const k = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.once("exit", () => {
          clearTimeout(k);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** The REST calls the bench needs: setup, a token, publish and route the bench flow. */
async function prepare(s: Server): Promise<{ bearer: string; cookie: string; flowId: string }> {
  const api = async (method: string, url: string, body: unknown, headers: Record<string, string>) => {
    const r = await fetch(`${s.base}${url}`, { method, headers: { "content-type": "application/json", origin: s.base, ...headers }, body: JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text.slice(0, 500)}`);
    return { body: JSON.parse(text), headers: r.headers };
  };
  const setup = await api("POST", "/api/auth/setup", { email: "bench@example.com", name: "Bench", password: "correct horse battery" }, {});
  const cookie = (setup.headers.get("set-cookie") ?? "").split(";")[0];
  const token = (await api("POST", "/api/tokens", { name: "bench" }, { cookie })).body.token as string;
  const bearer = { authorization: `Bearer ${token}` };
  const flow = (await api("POST", "/api/flows", { name: "Isolation bench", graph: benchFlow() }, bearer)).body.flow;
  await api("POST", `/api/flows/${flow.id}/publish`, { note: "bench", publishAnyway: true }, bearer);
  await api("POST", "/api/routes", { pattern: "7000", flowId: flow.id }, bearer);
  const until = Date.now() + 20_000;
  while (!/routes updated: 1 route/.test(s.output())) {
    if (Date.now() > until) throw new Error(`the runtime did not pick up route 7000:\n${s.output().slice(-2000)}`);
    await sleep(100);
  }
  return { bearer: token, cookie, flowId: flow.id };
}

/** SIP OPTIONS every intervalMs from one UDP socket; their round trips are read from the capture. */
async function startPinger(sipPort: number, intervalMs: number, tag: string): Promise<{ port: number; stop(): Promise<number> }> {
  const sock = dgram.createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const port = sock.address().port;
  sock.on("message", () => undefined);
  let n = 0;
  const send = () => {
    n++;
    const msg =
      `OPTIONS sip:ping@127.0.0.1:${sipPort} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${tag}-${n};rport\r\n` +
      `From: <sip:bench@127.0.0.1:${port}>;tag=${tag}${n}\r\n` +
      `To: <sip:ping@127.0.0.1:${sipPort}>\r\n` +
      `Call-ID: ${tag}-ping-${n}@bench\r\n` +
      "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    sock.send(msg, sipPort, "127.0.0.1");
  };
  const timer = setInterval(send, intervalMs);
  return {
    port,
    async stop() {
      clearInterval(timer);
      // Late answers still count: wait for them before the capture stops.
      await sleep(3000);
      sock.close();
      return n;
    },
  };
}

/** OPTIONS -> 200 round trips, by Call-ID, for the pinger's port. */
class OptionsAnalyzer {
  private readonly sent = new Map<string, number>();
  private readonly answered = new Map<string, number>();
  constructor(
    private readonly sipPort: number,
    private readonly pingPort: number,
  ) {}
  add(d: Datagram): void {
    const toServer = d.dstPort === this.sipPort && d.srcPort === this.pingPort;
    const fromServer = d.srcPort === this.sipPort && d.dstPort === this.pingPort;
    if (!toServer && !fromServer) return;
    const text = d.payload.toString("latin1");
    const callId = /\r\nCall-ID:\s*([^\r\n]+)/i.exec(text)?.[1];
    if (!callId) return;
    const t = d.timeUs / 1000;
    if (toServer && text.startsWith("OPTIONS ") && !this.sent.has(callId)) this.sent.set(callId, t);
    else if (fromServer && text.startsWith("SIP/2.0 200") && !this.answered.has(callId)) this.answered.set(callId, t);
  }
  report(): Percentiles & { sent: number; answered: number } {
    const rtt: number[] = [];
    for (const [id, t] of this.sent) {
      const a = this.answered.get(id);
      if (a !== undefined) rtt.push(a - t);
    }
    return { ...percentiles(rtt), sent: this.sent.size, answered: rtt.length };
  }
}

interface StormStats {
  imports: { ok: number; failed: number; seconds: Percentiles; lastError?: string };
  pages: { ok: number; failed: number; ms: Percentiles };
}

/** Large imports in one loop, page loads in `pageLoops` loops, until stop(). */
function startStorm(s: Server, auth: { bearer: string; cookie: string; flowId: string }, nodes: number, pageLoops: number) {
  const body = Buffer.from(JSON.stringify(bigFlow(nodes)));
  const importTimes: number[] = [];
  const pageTimes: number[] = [];
  const stats = { importsOk: 0, importsFailed: 0, pagesOk: 0, pagesFailed: 0, lastError: undefined as string | undefined };
  const abort = new AbortController();
  let running = true;
  const importLoop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const r = await fetch(`${s.base}/api/flows/import`, {
          method: "POST",
          headers: { authorization: `Bearer ${auth.bearer}`, "content-type": "application/json" },
          body,
          signal: abort.signal,
        });
        const text = await r.text();
        if (r.status === 201) {
          stats.importsOk++;
          importTimes.push((performance.now() - t0) / 1000);
          // The imported flow is deleted again: the data folder stays the same size from phase to phase.
          const id = JSON.parse(text).flow.id as string;
          await fetch(`${s.base}/api/flows/${id}?confirm=true`, { method: "DELETE", headers: { authorization: `Bearer ${auth.bearer}` }, signal: abort.signal }).then((x) => x.text());
        } else {
          stats.importsFailed++;
          stats.lastError = `${r.status} ${text.slice(0, 200)}`;
          await sleep(500);
        }
      } catch (e) {
        if (!running) break;
        stats.importsFailed++;
        stats.lastError = (e as Error).message;
        await sleep(500);
      }
    }
  })();
  const pages = ["/", "/login", `/flows/${auth.flowId}`, "/routes", "/api/flows", "/api/routes", `/api/flows/${auth.flowId}`, "/api/calls?limit=50"];
  const pageLoop = async (offset: number) => {
    for (let i = offset; running; i++) {
      const t0 = performance.now();
      try {
        const r = await fetch(`${s.base}${pages[i % pages.length]}`, { headers: { cookie: auth.cookie }, signal: abort.signal });
        await r.arrayBuffer();
        if (r.ok) {
          stats.pagesOk++;
          pageTimes.push(performance.now() - t0);
        } else stats.pagesFailed++;
      } catch {
        if (!running) break;
        stats.pagesFailed++;
      }
    }
  };
  const loops = [importLoop, ...Array.from({ length: pageLoops }, (_, k) => pageLoop(k * 2))];
  return {
    bodyMb: body.length / 1024 / 1024,
    async stop(): Promise<StormStats> {
      running = false;
      abort.abort();
      await Promise.allSettled(loops);
      return {
        imports: { ok: stats.importsOk, failed: stats.importsFailed, seconds: percentiles(importTimes), lastError: stats.lastError },
        pages: { ok: stats.pagesOk, failed: stats.pagesFailed, ms: percentiles(pageTimes) },
      };
    },
  };
}

interface PhaseResult {
  phase: "quiet" | "storm";
  loadAverage: [number, number];
  sipp: { successful: number; failed: number; code: number | null };
  rtp: RtpReport;
  options: Percentiles & { sent: number; answered: number };
  inviteTo200Ms: Percentiles & { calls: number; answered: number };
  storm?: StormStats & { bodyMb: number };
  threads: { name: string; tid: number; cpuPct: number }[];
  seconds: number;
}

async function runPhase(
  phase: "quiet" | "storm",
  s: Server,
  o: { n: number; scenario: string; dir: string; nodes: number; pageLoops: number },
  auth: { bearer: string; cookie: string; flowId: string },
): Promise<PhaseResult> {
  const calls = 3 * o.n;
  const rate = Math.max(1, o.n / 10);
  const rtpPcap = path.join(o.dir, `${phase}-rtp.pcap`);
  const sipPcap = path.join(o.dir, `${phase}-sip.pcap`);
  const rtpCapture = await startCapture(rtpPcap, `udp and src portrange ${RTP_PORTS[0]}-${RTP_PORTS[1]}`, 64);
  const sipCapture = await startCapture(sipPcap, `udp and port ${s.sipPort}`);
  const loadBefore = os.loadavg()[0];
  const storm = phase === "storm" ? startStorm(s, auth, o.nodes, o.pageLoops) : undefined;
  // The storm first reaches full strength (the first import is on its way) before calls start.
  if (storm) await sleep(2000);
  const pinger = await startPinger(s.sipPort, 50, phase);
  const threads0 = threadTicks(s.pid);
  const t0 = performance.now();
  const sipp = await runSippLoad({
    scenario: o.scenario,
    port: s.sipPort,
    number: "7000",
    calls,
    rate,
    limit: o.n,
    holdMs: 0,
    statFile: path.join(o.dir, `${phase}-stat.csv`),
    timeoutSec: Math.ceil(calls / rate + 120),
  });
  const seconds = (performance.now() - t0) / 1000;
  // The process's first thread is the web server's (Next.js, the database); Node names no other.
  const threads = busiestThreads(threads0, threadTicks(s.pid), seconds, 4).map((t) => ({ ...t, name: t.tid === s.pid ? "web" : "other" }));
  await pinger.stop();
  const stormStats = await storm?.stop();
  await sleep(500);
  await rtpCapture.stop();
  await sipCapture.stop();
  const rtpA = new RtpAnalyzer(RTP_PORTS[0], RTP_PORTS[1]);
  forEachUdp(rtpPcap, (d) => rtpA.add(d));
  const optA = new OptionsAnalyzer(s.sipPort, pinger.port);
  const invA = new InviteAnalyzer(s.sipPort);
  forEachUdp(sipPcap, (d) => {
    optA.add(d);
    invA.add(d);
  });
  rmSync(rtpPcap, { force: true });
  rmSync(sipPcap, { force: true });
  return {
    phase,
    loadAverage: [loadBefore, os.loadavg()[0]],
    sipp: { successful: sipp.successful, failed: sipp.failed, code: sipp.code },
    rtp: rtpA.report(),
    options: optA.report(),
    inviteTo200Ms: invA.report(),
    storm: stormStats && storm ? { ...stormStats, bodyMb: storm.bodyMb } : undefined,
    threads,
    seconds,
  };
}

const f = (n: number | undefined, d = 1) => (n === undefined || Number.isNaN(n) ? "-" : n.toFixed(d));

export const TABLE_HEADER = [
  "| phase | RTP lateness p50 / p99 / p99.9 / max (ms) | streams slipped | RTP loss | failed calls | OPTIONS round trip p50 / p99 / max (ms), answered | INVITE→200 p50 / p99 / max (ms) | storm: imports done (s each, p50 / max) | storm: page loads (p50 / p99 ms) | busiest server threads, % of a core (web = the web server's thread) | load avg before → after |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
].join("\n");

export function tableRow(r: PhaseResult, calls: number): string {
  const failed = Number.isNaN(r.sipp.failed) ? "?" : String(r.sipp.failed + Math.max(0, calls - r.sipp.successful - r.sipp.failed));
  const st = r.storm;
  const cells = [
    r.phase,
    `${f(r.rtp.lateMs.p50, 2)} / **${f(r.rtp.lateMs.p99, 2)}** / ${f(r.rtp.lateMs.p999, 1)} / ${f(r.rtp.lateMs.max, 0)}`,
    `${r.rtp.slipped} of ${r.rtp.streams}`,
    `${r.rtp.lost} of ${r.rtp.packets}`,
    `${failed} of ${calls}`,
    `${f(r.options.p50, 2)} / **${f(r.options.p99, 2)}** / ${f(r.options.max, 0)}, ${r.options.answered} of ${r.options.sent}`,
    `${f(r.inviteTo200Ms.p50, 1)} / ${f(r.inviteTo200Ms.p99, 1)} / ${f(r.inviteTo200Ms.max, 0)}`,
    st ? `${st.imports.ok} of ${f(st.bodyMb, 0)} MB (${f(st.imports.seconds.p50, 1)} / ${f(st.imports.seconds.max, 1)})${st.imports.failed ? `, ${st.imports.failed} failed` : ""}` : "-",
    st ? `${st.pages.ok} (${f(st.pages.ms.p50, 0)} / ${f(st.pages.ms.p99, 0)})${st.pages.failed ? `, ${st.pages.failed} failed` : ""}` : "-",
    r.threads.map((t) => `${t.name} ${f(t.cpuPct, 0)}`).join(", "),
    `${f(r.loadAverage[0], 2)} → ${f(r.loadAverage[1], 2)}`,
  ];
  return `| ${cells.join(" | ")} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: "string", default: "200" },
      nodes: { type: "string", default: "150000" },
      "page-loops": { type: "string", default: "4" },
      root: { type: "string", default: ROOT },
      phases: { type: "string", default: "quiet,storm" },
      "rtp-ports": { type: "string", default: "26000-27999" },
      runtime: { type: "string", default: "own-thread" },
      "web-nice": { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const n = Number(values.n);
  const nodes = Number(values.nodes);
  const pageLoops = Number(values["page-loops"]);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`--n takes 1..1000, got ${values.n}`);
  if (!Number.isInteger(nodes) || nodes < 10) throw new Error(`--nodes takes a node count >= 10, got ${values.nodes}`);
  const phases = values.phases.split(",").map((p) => p.trim()) as ("quiet" | "storm")[];
  if (!phases.every((p) => p === "quiet" || p === "storm")) throw new Error(`--phases takes quiet and/or storm, got ${values.phases}`);
  const range = /^(\d+)-(\d+)$/.exec(values["rtp-ports"]);
  if (!range) throw new Error(`--rtp-ports takes MIN-MAX, got ${values["rtp-ports"]}`);
  RTP_PORTS = [Number(range[1]), Number(range[2])];
  const root = path.resolve(values.root);
  if (values.runtime !== "own-thread" && values.runtime !== "web-thread") throw new Error(`--runtime takes own-thread or web-thread, got ${values.runtime}`);
  const env: Record<string, string> = values.runtime === "web-thread" ? { IVR_RUNTIME_THREAD: "off", IVR_WEB_NICE: "0" } : {};
  if (values["web-nice"] !== undefined) env.IVR_WEB_NICE = values["web-nice"];
  const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-bench-isolation-"));
  writeBenchPrompts(path.join(dir, "sounds"));
  const audio = path.join(dir, "speech.al");
  writeSpeech(audio, "PCMA");
  const scenario = path.join(dir, "caller.xml");
  writeScenario(scenario, audio, "PCMA");
  console.log(
    `# bench/isolation: ${root === ROOT ? "this checkout" : root}, runtime on ${values.runtime === "web-thread" ? "the web server's thread" : "its own thread"}` +
      `${env.IVR_WEB_NICE !== undefined ? `, IVR_WEB_NICE=${env.IVR_WEB_NICE}` : ""}, ${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}\n` +
      `# each phase: ${3 * n} talking SIPp calls at ${n / 10}/s, at most ${n} at once (10 s prompt + read digits); OPTIONS every 50 ms; ` +
      `storm = a loop of ${nodes}-node imports + ${pageLoops} page-load loops against the same server.\n` +
      `# RTP lateness against each stream's own schedule and OPTIONS/INVITE round trips from loopback captures.`,
  );
  const server = await startServer(root, dir, env);
  try {
    const auth = await prepare(server);
    // One call first: the flow's script is compiled on first use, which is not what is measured.
    await runSippLoad({ scenario, port: server.sipPort, number: "7000", calls: 1, rate: 1, limit: 1, holdMs: 0, statFile: path.join(dir, "warm.csv"), timeoutSec: 60 });
    console.log(TABLE_HEADER);
    for (const phase of phases) {
      const r = await runPhase(phase, server, { n, scenario, dir, nodes, pageLoops }, auth);
      console.log(tableRow(r, 3 * n));
      if (r.storm?.imports.lastError) console.error(`#   last import error: ${r.storm.imports.lastError}`);
      if (values.json) console.log(JSON.stringify(r));
      await sleep(3000);
    }
  } catch (e) {
    console.error(server.output().slice(-3000));
    throw e;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
