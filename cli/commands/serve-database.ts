// ivr serve --database URL: the runtime as a service of its own, one of N behind Kamailio. It
// takes routes and published versions from the shared PostgreSQL exactly as `npm start` does
// (app/lib/server/runtime: the same route table, runtime thread and call log writer), writes
// its calls there, and beats in the RuntimeNode table. It keeps serving with the routes it has
// when the database goes away; the call log waits in memory, then on disk (--cache/spool).
//
// Signals: SIGTERM/SIGINT stop (503 to new calls, calls get --grace seconds). SIGUSR2, or an
// admin's drain on the Cluster page, drains: new INVITEs and OPTIONS get 503 (Kamailio takes
// the runtime out and sends new calls elsewhere), calls in progress finish however long they
// take, then the process exits 0, so a supervisor can start the new version (rolling upgrade).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase, type Database } from "../../app/lib/server/db/client";
import { parseAllowList, parseRtpPorts, parseSipAddress, RuntimeConfigError, type RuntimeConfig } from "../../app/lib/server/runtime/config";
import { startRuntime, type RuntimeHandle } from "../../app/lib/server/runtime";
import { JsonlCallLog } from "../../runtime/session/call-log";
import { starterSoundsEnabled } from "../../runtime/speech/starter-sounds";
import { intOption } from "../args";
import { CliError, EXIT } from "../errors";
import type { Output } from "../output";

/** Options that only make sense with routes from the command line. */
const FILE_ROUTE_OPTIONS = ["route", "flow-lang", "confine", "inband-dtmf", "http-allow", "gateway", "user", "outbound-max", "outbound-cpm", "media-address", "media-timeout", "max-duration", "cpu-budget"];

/** The repository's prisma/migrations, from the sources (cli/commands) or the bundle (.ivr-cache/cli). */
function migrationsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "prisma", "migrations");
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve("prisma", "migrations");
}

/** A drained runtime answers 503 for at least this long before it exits (a few of Kamailio's probes). */
const DRAIN_LINGER_MS = 3000;

const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");

type Values = Record<string, string | string[] | boolean | undefined>;

export async function runServeDatabase(v: Values, explicit: Set<string>, io: Output): Promise<number> {
  const url = String(v.database ?? "").trim();
  if (!url) throw new CliError("--database needs a PostgreSQL URL (postgres://user:pass@host:5432/db); is DATABASE_URL set?");
  if (!/^postgres(ql)?:\/\//.test(url)) throw new CliError(`--database must be a postgres:// URL, got '${redact(url)}'`);
  const clash = FILE_ROUTE_OPTIONS.filter((o) => explicit.has(o));
  if (clash.length) throw new CliError(`--${clash[0]} cannot be used with --database: routes, flows and their settings come from the database`);

  let config: RuntimeConfig;
  try {
    const sip = parseSipAddress(String(v.sip));
    const metrics = typeof v.metrics === "string" ? parseSipAddress(v.metrics) : undefined;
    config = {
      sipAddress: sip.host,
      sipPort: sip.port,
      rtpPorts: parseRtpPorts(String(v["rtp-ports"])),
      allowNetworks: parseAllowList(((v.allow as string[] | undefined) ?? ["127.0.0.0/8", "::1/128"]).join(",")),
      soundsDir: path.resolve(String(v.sounds)),
      starterSounds: starterSoundsEnabled(),
      recordingsDir: path.resolve(String(v.recordings)),
      ownThread: true,
      metrics: metrics && { host: metrics.host, port: typeof v.metrics === "string" && /:\d+$/.test(v.metrics) ? metrics.port : 9464 },
      maxCalls: intOption("max-calls", v["max-calls"] as string | undefined, 1),
    };
  } catch (e) {
    if (e instanceof RuntimeConfigError) throw new CliError(e.message.replace(/IVR_SIP(_ALLOW)?|IVR_RTP_PORTS/g, (m) => ({ IVR_SIP: "--sip", IVR_SIP_ALLOW: "--allow", IVR_RTP_PORTS: "--rtp-ports" })[m] ?? m));
    throw e;
  }
  const grace = (intOption("grace", v.grace as string) ?? 10) * 1000;
  const cacheDir = path.resolve(typeof v.cache === "string" ? v.cache : ".ivr-cache");
  const quiet = v.quiet === true;
  const say = (line: string) => {
    if (quiet && /^\[sip\] debug/.test(line)) return;
    io.err(`${new Date().toISOString()} ${line}`);
  };

  let db: Database;
  try {
    db = await openDatabase({ url, migrationsDir: migrationsDir() });
  } catch (e) {
    throw new CliError(`cannot open the database ${redact(url)}: ${(e as Error).message.split("\n")[0]}`);
  }
  const callLog = typeof v.log === "string" ? new JsonlCallLog(v.log) : undefined;

  let runtime: RuntimeHandle;
  let exitWhenDrained: (() => void) | undefined;
  try {
    runtime = await startRuntime({
      prisma: db.prisma,
      cacheDir,
      config,
      log: say,
      pollMs: intOption("poll-ms", v["poll-ms"] as string | undefined, 50) ?? 2000,
      runtimeId: typeof v["runtime-id"] === "string" ? v["runtime-id"] : undefined,
      address: typeof v.advertise === "string" ? v.advertise : undefined,
      spoolDir: path.join(cacheDir, "spool"),
      callLogMemory: process.env.IVR_CALL_LOG_MEMORY ? Number(process.env.IVR_CALL_LOG_MEMORY) : undefined,
      tee: callLog?.write,
      onDrainRequested: () => exitWhenDrained?.(),
    });
  } catch (e) {
    await db.close().catch(() => undefined);
    throw new CliError(`cannot start: ${(e as Error).message}`);
  }
  io.err(
    `ivr serve: SIP on udp ${config.sipAddress}:${runtime.sipPort}, RTP ${config.rtpPorts.join("-")}, ${runtime.routeCount} route(s) from ${redact(url)}, runtime id ${runtime.runtimeId}` +
      (runtime.metricsPort ? `, metrics on http://${config.metrics!.host}:${runtime.metricsPort}/metrics` : ""),
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const finish = async (how: () => Promise<void>) => {
      try {
        await how();
      } finally {
        await callLog?.close();
        await db.close().catch(() => undefined);
        resolve();
      }
    };
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      io.err(`ivr serve: ${sig}: refusing new calls, letting calls finish for up to ${grace / 1000} s`);
      void finish(() => runtime.stop(grace));
    };
    exitWhenDrained = () => {
      if (stopping) return;
      stopping = true;
      void finish(async () => {
        const began = Date.now();
        await runtime.drain();
        io.err("ivr serve: draining: new calls get 503; exiting once the calls in progress are over");
        await runtime.drained();
        // Answer 503 a little longer, so Kamailio's probe takes us out before the port goes quiet
        // (a runtime that is gone costs each call sent to it a timeout before it fails over).
        await new Promise((r) => setTimeout(r, Math.max(0, DRAIN_LINGER_MS - (Date.now() - began))));
        io.err("ivr serve: drained: no call in progress, exiting");
        await runtime.stop(0);
      });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
    process.on("SIGUSR2", () => exitWhenDrained?.());
  });
  return EXIT.OK;
}
