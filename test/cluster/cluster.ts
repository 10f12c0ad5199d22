// A cluster on loopback for test/cluster and bench/cluster: a PostgreSQL of its own (initdb in a
// temporary folder, so it can be stopped and started again), Kamailio with deploy/kamailio's
// config (foreground, its own runtime folder, free ports), runtimes started as `ivr serve
// --database`, and SIPp callers going through Kamailio. Nothing touches /etc or fixed ports.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { PrismaClient } from "../../prisma/generated/client/client";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const KAMAILIO = "/usr/sbin/kamailio";
export const KAMCMD = "/usr/sbin/kamcmd";
export const SIPP = "/usr/bin/sipp";
export const CALLER_SCENARIO = path.join(ROOT, "test", "cluster", "caller.xml");

/** The newest PostgreSQL server binaries installed (Debian: /usr/lib/postgresql/N/bin). */
export function postgresBin(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length ? path.join(base, versions.at(-1)!, "bin") : undefined;
}

/** Why the cluster cannot run here (one line), or undefined. */
export function clusterUnavailable(): string | undefined {
  const missing = [
    !existsSync(KAMAILIO) && "kamailio",
    !postgresBin() && "postgresql",
    !existsSync(SIPP) && "sip-tester (SIPp)",
  ].filter(Boolean);
  if (missing.length) return `cluster test skipped: ${missing.join(", ")} not installed (sudo apt-get install -y kamailio postgresql sip-tester)`;
  if (process.getuid?.() === 0) {
    try {
      execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
    } catch {
      return "cluster test skipped: running as root without a postgres user to run PostgreSQL as";
    }
  }
  return undefined;
}

export async function freePort(kind: "udp" | "tcp", host = "127.0.0.1"): Promise<number> {
  if (kind === "udp") {
    const s = dgram.createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, host, () => r()));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export interface Postgres {
  url: string;
  port: number;
  /** pg_ctl stop -m fast: connections are cut, the port closes. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin()!;
  const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-cluster-pg-"));
  // initdb refuses to run as root: as root, PostgreSQL runs as the postgres user (as .ci/run does).
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
      const child = spawn(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} failed (${code}): ${out.slice(-2000)}`))));
    });
  const port = await freePort("tcp");
  const data = path.join(dir, "data");
  await run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const start = () =>
    run("pg_ctl", ["-D", data, "-l", path.join(dir, "log"), "-w", "-t", "30", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`, "start"]);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]),
    start,
    async destroy() {
      await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A short SQL query on a fresh connection (the test's own view of the database). */
export async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Migrations, an author, and per route a flow with a published version: calls to NUMBER run a
 * script that answers, waits holdMs, and hangs up (our BYE). The version's TS snapshot is what the
 * runtimes run, as for a flow published in the designer.
 */
export async function seedRoutes(url: string, routes: Record<string, number>): Promise<void> {
  const { openDatabase } = await import("../../app/lib/server/db/client");
  const db = await openDatabase({ url, migrationsDir: path.join(ROOT, "prisma", "migrations") });
  try {
    const user = await db.prisma.user.create({ data: { email: "ops@example.com", name: "Ops", passwordHash: "x", role: "admin" } });
    for (const [number, holdMs] of Object.entries(routes)) await seedRoute(db.prisma, user.id, number, holdMs);
  } finally {
    await db.close();
  }
}

async function seedRoute(prisma: PrismaClient, userId: string, number: string, holdMs: number): Promise<void> {
  const graph = { nodes: [], edges: [] };
  const flow = await prisma.flow.create({ data: { name: `Cluster ${number}`, graph, createdById: userId, updatedById: userId } });
  const ts = [
    'import type { Session } from "ivr-studio/runtime";',
    "export default async function main(session: Session): Promise<void> {",
    '  session.setVariable("ivr_node", "answer");',
    "  await session.answer();",
    '  session.setVariable("ivr_node", "hold");',
    `  await session.sleep(${holdMs});`,
    '  await session.hangup("NORMAL_CLEARING");',
    "}",
    "",
  ].join("\n");
  await prisma.flowVersion.create({ data: { flowId: flow.id, number: 1, graph, lua: "-- not used", ts, authorId: userId } });
  await prisma.route.create({ data: { pattern: number, flowId: flow.id } });
}

// ---------------------------------------------------------------------------------------------
// Runtimes

export interface RuntimeProcess {
  id: string;
  sipPort: number;
  metricsPort: number;
  child: ChildProcess;
  logFile: string;
  /** stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** Build the `ivr` bundle once before starting several runtimes at the same moment. */
export function warmCli(): void {
  execFileSync(process.execPath, [path.join(ROOT, "cli", "bundle.mjs")], { stdio: "inherit" });
}

export async function startRuntimeProcess(o: {
  url: string;
  id: string;
  rtpPorts: [number, number];
  workDir: string;
  allow: string;
  sounds: string;
  env?: Record<string, string>;
  grace?: number;
  /** Its SIP port (a runtime started again takes its old one: Kamailio's list names it); default a free one. */
  sipPort?: number;
}): Promise<RuntimeProcess> {
  const sipPort = o.sipPort ?? (await freePort("udp"));
  const cache = path.join(o.workDir, o.id, "cache");
  mkdirSync(cache, { recursive: true });
  const logFile = path.join(o.workDir, o.id, "calls.jsonl");
  const args = [
    path.join(ROOT, "cli", "ivr.mjs"), "serve", "--database", o.url, "--sip", `127.0.0.1:${sipPort}`,
    "--rtp-ports", `${o.rtpPorts[0]}-${o.rtpPorts[1]}`, "--allow", o.allow, "--runtime-id", o.id, "--cache", cache,
    "--log", logFile, "--sounds", o.sounds, "--metrics", "127.0.0.1:0", "--poll-ms", "500", "--grace", String(o.grace ?? 5), "--quiet",
  ];
  const child = spawn(process.execPath, args, {
    cwd: o.workDir,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, IVR_STARTER_SOUNDS: "0", ...o.env },
  });
  let out = "";
  child.stderr!.on("data", (d) => {
    out += d;
    if (out.length > 400_000) out = out.slice(-200_000);
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const line = await Promise.race([
    waitFor(`runtime ${o.id} to start`, () => /ivr serve: SIP on udp .*metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1], 60_000, 50),
    exited.then((code) => {
      throw new Error(`runtime ${o.id} exited (${code}) before it started:\n${out}`);
    }),
  ]);
  return { id: o.id, sipPort, metricsPort: Number(line), child, logFile, output: () => out, exited };
}

/** The entries of a runtime's JSONL call log. */
export function readCallLog(file: string): Array<Record<string, unknown> & { callId: string; seq: number }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return []; // a line cut by SIGKILL
      }
    });
}

// ---------------------------------------------------------------------------------------------
// Kamailio

export interface Kamailio {
  host: string;
  port: number;
  ctl: string;
  child: ChildProcess;
  output(): string;
  /** dispatcher.list through kamcmd: destination URI -> flags ("AP" active, "IP" inactive probing, ...). */
  destinations(): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Kamailio on `host` (default 127.0.0.1; the test puts it on 127.0.0.2 so that the runtimes'
 * allow-list, Kamailio's address only, keeps out callers on 127.0.0.1).
 */
export async function startKamailio(o: { workDir: string; runtimes: Array<{ id: string; sipPort: number }>; host?: string; alg?: string; defines?: Record<string, string> }): Promise<Kamailio> {
  const host = o.host ?? "127.0.0.1";
  const dir = path.join(o.workDir, "kamailio");
  mkdirSync(dir, { recursive: true });
  const list = path.join(dir, "dispatcher.list");
  writeFileSync(list, o.runtimes.map((r) => `1 sip:127.0.0.1:${r.sipPort} 0 0 duid=${r.id};maxload=500;weight=${Math.floor(100 / o.runtimes.length)}\n`).join(""));
  const port = await freePort("udp", host);
  const ctl = path.join(dir, "ctl.sock");
  const defines: Record<string, string> = {
    LISTEN: `udp:${host}:${port}`,
    DS_LIST: JSON.stringify(list),
    CTL_SOCKET: JSON.stringify(`unix:${ctl}`),
    DS_PING_INTERVAL: "1",
    FR_TIMER: "2000",
    CHILDREN: "2",
    DS_ALG: JSON.stringify(o.alg ?? "10"),
    // SIPp callers are one source sending many calls: the flood limits are raised for them.
    PIKE_DENSITY: "100000",
    RL_PIPE: JSON.stringify("0:TAILDROP:100000"),
    LOG_LEVEL: "1",
    ...o.defines,
  };
  const args = ["-DD", "-E", "-f", path.join(ROOT, "deploy", "kamailio", "kamailio.cfg"), "-Y", dir, "-m", "64", "-M", "8", ...Object.entries(defines).flatMap(([k, v]) => ["-A", `${k}=${v}`])];
  const child = spawn(KAMAILIO, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const add = (d: Buffer) => {
    out += d;
    if (out.length > 400_000) out = out.slice(-200_000);
  };
  child.stdout!.on("data", add);
  child.stderr!.on("data", add);
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const k: Kamailio = {
    host,
    port,
    ctl,
    child,
    output: () => out,
    destinations() {
      const text = execFileSync(KAMCMD, ["-s", `unix:${ctl}`, "dispatcher.list"], { encoding: "utf8" });
      const result: Record<string, string> = {};
      for (const m of text.matchAll(/URI:\s*(\S+)\s+FLAGS:\s*(\S+)/g)) result[m[1]] = m[2];
      return result;
    },
    async stop() {
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
  await Promise.race([
    waitFor("Kamailio to answer OPTIONS", async () => (await sipOptions(port, 300, `sip:${host}:${port}`, host)) === 200, 15_000, 100),
    exited.then((code) => {
      throw new Error(`kamailio exited (${code}):\n${out}`);
    }),
  ]);
  return k;
}

/** Send one OPTIONS to 127.0.0.1:port; the status of the answer, or undefined after timeoutMs. */
export async function sipOptions(port: number, timeoutMs = 500, uri = `sip:127.0.0.1:${port}`, host = "127.0.0.1"): Promise<number | undefined> {
  return sipRequest("OPTIONS", host, port, uri, timeoutMs);
}

/** A new INVITE (one PCMU offer) from 127.0.0.1 to host:port: the status of its final answer. */
export async function sipInvite(port: number, number: string, timeoutMs = 2000, host = "127.0.0.1"): Promise<number | undefined> {
  return sipRequest("INVITE", host, port, `sip:${number}@${host}:${port}`, timeoutMs);
}

async function sipRequest(method: "OPTIONS" | "INVITE", host: string, port: number, uri: string, timeoutMs: number): Promise<number | undefined> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const local = s.address().port;
  const branch = `z9hG4bK${Math.random().toString(36).slice(2)}`;
  const sdp = method === "INVITE" ? `v=0\r\no=probe 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n` : "";
  const msg = [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch};rport`,
    "Max-Forwards: 70",
    `From: <sip:probe@127.0.0.1:${local}>;tag=${branch.slice(7)}`,
    `To: <${uri}>`,
    `Call-ID: ${branch}@probe`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:probe@127.0.0.1:${local}>`,
    ...(sdp ? ["Content-Type: application/sdp"] : []),
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    "",
    sdp,
  ].join("\r\n");
  try {
    return await new Promise<number | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), timeoutMs);
      s.on("message", (m) => {
        const status = /^SIP\/2\.0 (\d{3})/.exec(m.toString())?.[1];
        if (status && Number(status) >= 200) {
          clearTimeout(t);
          resolve(Number(status));
        }
      });
      s.send(msg, port, host);
    });
  } finally {
    s.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Callers

export interface SippLoad {
  child: ChildProcess;
  /** Stop placing calls; resolves when the calls in progress are over and SIPp has exited. */
  finish(): Promise<SippOutcome>;
  done: Promise<SippOutcome>;
}

export interface SippOutcome {
  code: number | null;
  successful: number;
  failed: number;
  /** INVITE -> 200 response times of successful calls (ms), from SIPp's rtt file. */
  rtts: number[];
  /** The same with when each was measured (ms since SIPp started): [at, rtt]. */
  rttAt: Array<[number, number]>;
  stderr: string;
  errors: string;
}

/** SIPp callers through Kamailio: `rate` calls a second to `number`, at most `limit` at once, `calls` in all (0: until finish()). */
export async function startCallers(o: {
  port: number;
  /** Where to call (default 127.0.0.1). */
  host?: string;
  /** SIPp's own address (default 127.0.0.1). */
  local?: string;
  number: string;
  rate: number;
  calls: number;
  limit?: number;
  workDir: string;
  name: string;
  timeoutSec?: number;
}): Promise<SippLoad> {
  const dir = path.join(o.workDir, `sipp-${o.name}`);
  mkdirSync(dir, { recursive: true });
  const ip = o.local ?? "127.0.0.1";
  const local = await freePort("udp", ip);
  const media = await freePort("udp", ip);
  const stat = path.join(dir, "stat.csv");
  const args = [
    `${o.host ?? "127.0.0.1"}:${o.port}`, "-sf", CALLER_SCENARIO, "-s", o.number, "-i", ip, "-mi", ip,
    "-p", String(local), "-mp", String(media), "-r", String(o.rate), "-l", String(o.limit ?? 200),
    ...(o.calls > 0 ? ["-m", String(o.calls)] : []),
    "-nostdin", "-timeout", `${o.timeoutSec ?? 120}s`, "-timeout_error",
    "-trace_stat", "-stf", stat, "-fd", "1", "-trace_err", "-error_file", path.join(dir, "errors.log"),
    "-trace_rtt", "-rtt_freq", "1",
  ];
  const child = spawn(SIPP, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    if (stderr.length < 20_000) stderr += d;
  });
  const done = new Promise<SippOutcome>((resolve) =>
    child.on("exit", (code) => {
      const outcome: SippOutcome = { code, successful: NaN, failed: NaN, rtts: [], rttAt: [], stderr, errors: "" };
      if (existsSync(stat)) {
        const lines = readFileSync(stat, "utf8").trim().split("\n");
        const head = lines[0].split(";");
        const last = lines[lines.length - 1].split(";");
        outcome.successful = Number(last[head.indexOf("SuccessfulCall(C)")]);
        outcome.failed = Number(last[head.indexOf("FailedCall(C)")]);
      }
      const rttFile = readdirSync(dir).find((f) => f.endsWith("_rtt.csv"));
      if (rttFile) {
        for (const line of readFileSync(path.join(dir, rttFile), "utf8").split("\n").slice(1)) {
          const [at, ms] = line.split(";").map(Number);
          if (Number.isFinite(ms) && line.trim()) {
            outcome.rtts.push(ms);
            outcome.rttAt.push([at, ms]);
          }
        }
      }
      if (existsSync(path.join(dir, "errors.log"))) outcome.errors = readFileSync(path.join(dir, "errors.log"), "utf8").slice(-6000);
      resolve(outcome);
    }),
  );
  return {
    child,
    done,
    finish() {
      // SIGUSR1: SIPp stops placing calls and exits once the calls in progress end.
      if (child.exitCode === null) child.kill("SIGUSR1");
      return done;
    },
  };
}
