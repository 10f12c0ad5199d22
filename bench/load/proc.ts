// Child processes for the benches: the `ivr serve` runtime, SIPp load runs, tcpdump, and
// CPU/RSS sampling of a pid from /proc.
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SCENARIOS = path.join(ROOT, "test/sipp");

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

/** `node cli/ivr.mjs serve` with one route, waiting for its ready line. */
export async function startServe(o: { script: string; number: string; rtpPorts: [number, number]; soundsDir: string; extra?: string[] }): Promise<ServeProcess> {
  const sipPort = await freeUdpPort();
  const args = [
    path.join(ROOT, "cli/ivr.mjs"), "serve", "--route", `${o.number}=${o.script}`, "--sip", `127.0.0.1:${sipPort}`,
    "--rtp-ports", `${o.rtpPorts[0]}-${o.rtpPorts[1]}`, "--sounds", o.soundsDir, "--metrics", "127.0.0.1:0",
    "--quiet", "--media-timeout", "300", "--grace", "1", ...(o.extra ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const metricsPort = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`ivr serve did not start: ${err.slice(-2000)}`)), 30_000);
    child.stderr!.on("data", (d: Buffer) => {
      if (err.length < 100_000) err += d;
      const m = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
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
        const k = setTimeout(() => child.kill("SIGKILL"), 5000);
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
  successful: number;
  failed: number;
  stderr: string;
}

/** SIPp: `calls` calls at `rate`/s, at most `limit` at once, each holding `holdMs`. */
export async function runSippLoad(o: { scenario: string; port: number; number: string; calls: number; rate: number; limit: number; holdMs: number; statFile: string; timeoutSec: number }): Promise<SippLoadResult> {
  const local = await freeUdpPort();
  const media = await freeUdpPort();
  const args = [
    `127.0.0.1:${o.port}`, "-sf", path.join(SCENARIOS, `${o.scenario}.xml`), "-s", o.number, "-i", "127.0.0.1",
    "-p", String(local), "-mp", String(media), "-r", String(o.rate), "-l", String(o.limit), "-m", String(o.calls),
    "-d", String(o.holdMs), "-nostdin", "-timeout", `${o.timeoutSec}s`, "-timeout_error", "-trace_stat", "-stf", o.statFile, "-fd", "1",
    "-max_recv_loops", "10000", "-max_sched_loops", "10000",
  ];
  const child = spawn("sipp", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    if (stderr.length < 20_000) stderr += d;
  });
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  const stat = { successful: NaN, failed: NaN };
  if (existsSync(o.statFile)) {
    const lines = readFileSync(o.statFile, "utf8").trim().split("\n");
    const head = lines[0].split(";");
    const last = lines[lines.length - 1].split(";");
    stat.successful = Number(last[head.indexOf("SuccessfulCall(C)")]);
    stat.failed = Number(last[head.indexOf("FailedCall(C)")]);
  }
  return { code, ...stat, stderr };
}

/** tcpdump on lo into file; stop() ends it and reports kernel drops. */
export async function startCapture(file: string, filter: string): Promise<{ stop(): Promise<{ dropped: number }> }> {
  const child = spawn("tcpdump", ["-i", "lo", "-n", "-s", "1500", "-B", "32768", "-w", file, filter], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 5000);
    const check = () => {
      if (/listening on/.test(err)) {
        clearTimeout(t);
        resolve();
      } else setTimeout(check, 20);
    };
    check();
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve({ dropped: Number(/(\d+) packets? dropped by kernel/.exec(err)?.[1] ?? NaN) }));
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
