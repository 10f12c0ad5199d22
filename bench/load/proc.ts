// Child processes for the benches: the `ivr serve` runtime, SIPp load runs, tcpdump, and
// CPU/RSS sampling of a pid from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SCENARIOS = path.join(ROOT, "bench/sipp");

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  sipPort: number;
  metricsPort: number;
  stop(): Promise<void>;
}

export interface ServeOptions {
  script: string;
  number: string;
  rtpPorts: [number, number];
  soundsDir: string;
  extra?: string[];
  /** Extra environment (e.g. IVR_MEDIA_WORKERS). */
  env?: Record<string, string>;
  /** Node options before the CLI entry (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Start the server under `nice -n N` (its whole process; its media threads go 10 lower still). */
  nice?: number;
  /** Every stderr line of the server (its log), as it arrives. */
  onLine?: (line: string) => void;
}

/** `node cli/ivr.mjs serve` with one route, waiting for its ready line. */
export async function startServe(o: ServeOptions): Promise<ServeProcess> {
  const sipPort = await freeUdpPort();
  const args = [
    ...(o.nodeArgs ?? []), path.join(ROOT, "cli/ivr.mjs"), "serve", "--route", `${o.number}=${o.script}`, "--sip", `127.0.0.1:${sipPort}`,
    "--rtp-ports", `${o.rtpPorts[0]}-${o.rtpPorts[1]}`, "--sounds", o.soundsDir, "--metrics", "127.0.0.1:0",
    "--quiet", "--media-timeout", "300", "--grace", "1", ...(o.extra ?? []),
  ];
  const [cmd, argv] = o.nice === undefined ? [process.execPath, args] : ["nice", ["-n", String(o.nice), process.execPath, ...args]];
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...o.env } });
  let err = "";
  let partial = "";
  child.stderr!.on("data", (d: Buffer) => {
    if (err.length < 100_000) err += d;
    if (!o.onLine) return;
    const lines = (partial + d.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) o.onLine(l);
  });
  const metricsPort = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`ivr serve did not start: ${err.slice(-2000)}`)), 30_000);
    const onData = () => {
      const m = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err);
      if (m) {
        clearTimeout(t);
        child.stderr!.off("data", onData);
        resolve(Number(m[1]));
      }
    };
    child.stderr!.on("data", onData);
    child.on("exit", (c) => reject(new Error(`ivr serve exited (${c}): ${err.slice(-2000)}`)));
  });
  return {
    child,
    pid: child.pid!,
    sipPort,
    metricsPort,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const k = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(k);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

export interface SippLoadResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  pid: number;
  successful: number;
  failed: number;
  stderr: string;
}

/**
 * SIPp: `calls` calls at `rate`/s, at most `limit` at once, each holding `holdMs` (its `<pause/>`).
 * `scenario` is a name in bench/sipp or a path to an .xml file. onStart gets SIPp's pid.
 */
export async function runSippLoad(o: { scenario: string; port: number; number: string; calls: number; rate: number; limit: number; holdMs: number; statFile: string; timeoutSec: number; extra?: string[]; onStart?: (pid: number) => void }): Promise<SippLoadResult> {
  const local = await freeUdpPort();
  const media = await freeUdpPort();
  const scenario = o.scenario.endsWith(".xml") ? o.scenario : path.join(SCENARIOS, `${o.scenario}.xml`);
  const args = [
    `127.0.0.1:${o.port}`, "-sf", scenario, "-s", o.number, "-i", "127.0.0.1", "-mi", "127.0.0.1",
    "-p", String(local), "-mp", String(media), "-r", String(o.rate), "-l", String(o.limit), "-m", String(o.calls),
    "-d", String(o.holdMs), "-nostdin", "-timeout", `${o.timeoutSec}s`, "-timeout_error", "-trace_stat", "-stf", o.statFile, "-fd", "1",
    "-max_recv_loops", "10000", "-max_sched_loops", "10000", ...(o.extra ?? []),
  ];
  const child = spawn("sipp", args, { stdio: ["ignore", "ignore", "pipe"] });
  o.onStart?.(child.pid!);
  let stderr = "";
  child.stderr!.on("data", (d) => {
    if (stderr.length < 20_000) stderr += d;
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on("exit", (c, sig) => r([c, sig])));
  const stat = { successful: NaN, failed: NaN };
  if (existsSync(o.statFile)) {
    const lines = readFileSync(o.statFile, "utf8").trim().split("\n");
    const head = lines[0].split(";");
    const last = lines[lines.length - 1].split(";");
    stat.successful = Number(last[head.indexOf("SuccessfulCall(C)")]);
    stat.failed = Number(last[head.indexOf("FailedCall(C)")]);
  }
  return { code, signal, pid: child.pid!, ...stat, stderr };
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "").split(":").some((d) => d && existsSync(path.join(d, cmd)));
}

/**
 * A loopback capture into a pcap file (first `snaplen` bytes of each packet): tcpdump, or Wireshark's
 * dumpcap where tcpdump is not installed. stop() ends it and reports the packets the kernel dropped.
 */
export async function startCapture(file: string, filter: string, snaplen = 1500): Promise<{ stop(): Promise<{ dropped: number }> }> {
  const tcpdump = onPath("tcpdump");
  const child = tcpdump
    ? spawn("tcpdump", ["-i", "lo", "-n", "-s", String(snaplen), "-B", "65536", "-w", file, filter], { stdio: ["ignore", "ignore", "pipe"] })
    : spawn("dumpcap", ["-q", "-i", "lo", "-s", String(snaplen), "-B", "64", "-P", "-f", filter, "-w", file], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`capture did not start: ${err}`)), 10_000);
    child.once("error", (e) => {
      clearTimeout(t);
      reject(new Error(`cannot run ${tcpdump ? "tcpdump" : "dumpcap"}: ${e.message}`));
    });
    const check = () => {
      if (/listening on|Capturing on/.test(err)) {
        clearTimeout(t);
        resolve();
      } else if (child.exitCode !== null) {
        clearTimeout(t);
        reject(new Error(`capture exited: ${err}`));
      } else setTimeout(check, 20);
    };
    check();
  });
  const dropped = () => {
    const m = /(\d+) packets? dropped by kernel/.exec(err) ?? /received\/dropped on interface[^:]*: \d+\/(\d+)/.exec(err);
    return Number(m?.[1] ?? NaN);
  };
  return {
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve({ dropped: dropped() });
        child.once("exit", () => resolve({ dropped: dropped() }));
        child.kill("SIGINT");
      }),
  };
}

/** CPU% (of one core) and RSS of a pid, sampled every intervalMs. */
export function sampleProcess(pid: number, intervalMs = 1000) {
  const ticks = 100; // USER_HZ
  const read = () => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpu = Number(f[11]) + Number(f[12]); // utime + stime
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
    return { t: performance.now(), cpu, rss };
  };
  const samples: { cpuPct: number; rssMb: number; at: number }[] = [];
  let prev = read();
  const start = prev.t;
  const timer = setInterval(() => {
    try {
      const cur = read();
      samples.push({ cpuPct: ((cur.cpu - prev.cpu) / ticks / ((cur.t - prev.t) / 1000)) * 100, rssMb: cur.rss, at: (cur.t - start) / 1000 });
      prev = cur;
    } catch {
      /* process gone */
    }
  }, intervalMs);
  return {
    samples,
    /** RSS when sampling began (before the first call of the step). */
    startRssMb: prev.rss,
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** One metric value from a Prometheus text page. */
export function metricValue(text: string, name: string, labels = ""): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}${labels ? `{${labels}}` : ""} `)) return Number(line.split(" ").pop());
  }
  return undefined;
}

export interface ThreadSample {
  name: string;
  /** utime + stime, 1/100 s */
  ticks: number;
  /** from schedstat: ns on a CPU, ns runnable but waiting for one */
  runNs: number;
  waitNs: number;
}

/** CPU time per thread of a process, with the thread's name and its run-queue wait (Linux schedstat). */
export function threadTicks(pid: number): Map<number, ThreadSample> {
  const out = new Map<number, ThreadSample>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
        const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        let runNs = NaN;
        let waitNs = NaN;
        try {
          [runNs, waitNs] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").trim().split(" ").map(Number);
        } catch {
          /* no schedstat (kernel without CONFIG_SCHEDSTATS) */
        }
        out.set(Number(tid), { name, ticks: Number(f[11]) + Number(f[12]), runNs, waitNs });
      } catch {
        /* thread gone */
      }
    }
  } catch {
    /* process gone */
  }
  return out;
}

export interface ThreadLoad {
  name: string;
  tid: number;
  /** % of one core */
  cpuPct: number;
  /** share of the window it was runnable but waited for a CPU (the machine was too busy to run it) */
  waitPct: number;
}

/** The busiest threads between two threadTicks snapshots. */
export function busiestThreads(a: Map<number, ThreadSample>, b: Map<number, ThreadSample>, seconds: number, top = 4): ThreadLoad[] {
  const rows: ThreadLoad[] = [];
  for (const [tid, e] of b) {
    const p = a.get(tid);
    rows.push({ name: e.name, tid, cpuPct: (e.ticks - (p?.ticks ?? 0)) / seconds, waitPct: ((e.waitNs - (p?.waitNs ?? 0)) / 1e9 / seconds) * 100 });
  }
  return rows.sort((x, y) => y.cpuPct - x.cpuPct).slice(0, top);
}

/** Whole-machine busy time from /proc/stat, in % of one core (200 % = both cores of this VM busy). */
export function machineBusyTicks(): { busy: number; total: number } {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3] + cpu[4];
  const total = cpu.slice(0, 8).reduce((s, x) => s + x, 0);
  return { busy: total - idle, total };
}

/**
 * Datagrams the kernel dropped on UDP sockets bound to local ports [lo, hi] (receive buffer full:
 * the owner did not read in time), summed over every socket seen; call sample() now and then while
 * sockets come and go, total() at the end.
 */
export function udpDropCounter(lo: number, hi: number) {
  const maxByInode = new Map<string, number>();
  const sample = () => {
    let text = "";
    try {
      text = readFileSync("/proc/net/udp", "utf8");
    } catch {
      return;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13) continue;
      const port = parseInt(f[1].split(":")[1], 16);
      if (port < lo || port > hi) continue;
      const drops = Number(f[12]);
      if (drops > (maxByInode.get(f[9]) ?? 0)) maxByInode.set(f[9], drops);
    }
  };
  return { sample, total: () => [...maxByInode.values()].reduce((a, b) => a + b, 0) };
}
