// ivr serve: run the bundled SIP/RTP runtime. Routes map a called number (exact, or a
// ^regex$) to a TS/JS script, a Lua script, or a flow (its script is generated here,
// at start: the runtime itself only takes scripts).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generate, GenerateError } from "../../generators";
import { JsonlCallLog } from "../../runtime/session/call-log";
import { DestinationError, parseGatewaySpec, parseUserSpec, type GatewayConfig, type LocalUserConfig } from "../../runtime/outbound/destinations";
import { DEFAULT_OUTBOUND_LIMITS } from "../../runtime/outbound/policy";
import { compileRoute, parseRouteArg, RouteError, type Route } from "../../runtime/routes";
import { IvrServer } from "../../runtime/server";
import { ensureStarterSounds, starterSoundsEnabled } from "../../runtime/speech/starter-sounds";
import { intOption, parseCommandArgs } from "../args";
import { CliError, EXIT } from "../errors";
import { readFlowFile } from "../load-flow";
import { readPhrasesFile } from "../phrases-file";
import type { Output } from "../output";

function hostPort(value: string, what: string, defPort: number): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value);
  if (!m) throw new CliError(`--${what} must be HOST[:PORT], got '${value}'`);
  return { host: m[1].replace(/^\[|\]$/g, ""), port: m[2] ? Number(m[2]) : defPort };
}

/** A flow route becomes a generated script (TS by default, Lua with --flow-lang lua). */
function scriptForFlow(file: string, lang: "ts" | "lua", dir: string): string {
  const flow = readFlowFile(file);
  try {
    const out = generate(flow, lang, { validate: { authorIsAdmin: true } });
    const target = path.join(dir, `${path.basename(file, ".json")}.${lang}`);
    writeFileSync(target, out.code);
    return target;
  } catch (e) {
    if (e instanceof GenerateError) {
      const first = e.diagnostics.find((d) => d.severity === "error");
      throw new CliError(`${file}: ${e.message}${first ? ` (first: ${first.code} ${first.message})` : ""}`, EXIT.FLOW_ERRORS);
    }
    throw e;
  }
}

export async function runServe(argv: string[], io: Output): Promise<number> {
  const { values } = parseCommandArgs("serve", argv, {
    sip: { type: "string", default: "127.0.0.1:5080" },
    "media-address": { type: "string" },
    "rtp-ports": { type: "string", default: "35000-39999" },
    route: { type: "string", multiple: true },
    "max-calls": { type: "string" },
    log: { type: "string" },
    metrics: { type: "string" },
    allow: { type: "string", multiple: true },
    sounds: { type: "string", default: "media" },
    recordings: { type: "string", default: "recordings" },
    confine: { type: "boolean", default: false },
    "flow-lang": { type: "string", default: "ts" },
    "media-timeout": { type: "string", default: "60" },
    "max-duration": { type: "string", default: "14400" },
    "inband-dtmf": { type: "string", multiple: true },
    "http-allow": { type: "string", multiple: true },
    "cpu-budget": { type: "string", default: "2000" },
    grace: { type: "string", default: "10" },
    gateway: { type: "string", multiple: true },
    user: { type: "string", multiple: true },
    "outbound-max": { type: "string" },
    "outbound-cpm": { type: "string" },
    quiet: { type: "boolean", default: false },
    phrases: { type: "string" },
    database: { type: "string" },
    "runtime-id": { type: "string" },
    advertise: { type: "string" },
    cache: { type: "string" },
    "poll-ms": { type: "string" },
  } as never);
  const v = values as Record<string, string | string[] | boolean | undefined>;
  // Routes from the shared database: the runtime as one service of a cluster (serve-database.ts).
  if (v.database !== undefined) {
    const explicit = new Set(argv.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=")[0]));
    return (await import("./serve-database")).runServeDatabase(v, explicit, io);
  }
  for (const o of ["runtime-id", "advertise", "cache", "poll-ms"]) if (v[o] !== undefined) throw new CliError(`--${o} needs --database (see: ivr help serve)`);
  const sip = hostPort(String(v.sip), "sip", 5080);
  const ports = /^(\d+)-(\d+)$/.exec(String(v["rtp-ports"]));
  if (!ports || Number(ports[1]) > Number(ports[2])) throw new CliError(`--rtp-ports must be MIN-MAX, got '${v["rtp-ports"]}'`);
  const flowLang = String(v["flow-lang"]);
  if (flowLang !== "ts" && flowLang !== "lua") throw new CliError(`--flow-lang must be ts or lua, got '${flowLang}'`);
  const routeArgs = (v.route as string[] | undefined) ?? [];
  if (!routeArgs.length) throw new CliError("serve needs at least one --route NUMBER=SCRIPT, or --database URL (see: ivr help serve)");

  const genDir = mkdtempSync(path.join(os.tmpdir(), "ivr-serve-"));
  const routes: Route[] = [];
  for (const arg of routeArgs) {
    try {
      const spec = parseRouteArg(arg);
      // A flow is editors' data: confined to the roots. A script routed by hand is the operator's
      // own, trusted like FreeSWITCH's scripts dir, unless --confine.
      const route = compileRoute({ ...spec, files: v.confine === true ? "confined" : "trusted" });
      if (route.script.endsWith(".json")) {
        route.script = scriptForFlow(route.script, flowLang, genDir);
        route.files = "confined";
      } else if (!/\.(ts|mts|js|mjs|lua)$/.test(route.script)) {
        throw new CliError(`route ${spec.pattern}: ${route.script} is not a .ts, .js, .lua or .json file`);
      }
      routes.push(route);
    } catch (e) {
      if (e instanceof RouteError) throw new CliError(e.message);
      throw e;
    }
  }

  const gateways: GatewayConfig[] = [];
  const users: LocalUserConfig[] = [];
  try {
    for (const g of (v.gateway as string[] | undefined) ?? []) gateways.push(parseGatewaySpec(g, process.env));
    for (const u of (v.user as string[] | undefined) ?? []) users.push(parseUserSpec(u, process.env));
  } catch (e) {
    if (e instanceof DestinationError) throw new CliError(e.message);
    throw e;
  }
  const outboundLimits = {
    maxCalls: intOption("outbound-max", v["outbound-max"] as string | undefined) ?? DEFAULT_OUTBOUND_LIMITS.maxCalls,
    callsPerMinute: intOption("outbound-cpm", v["outbound-cpm"] as string | undefined) ?? DEFAULT_OUTBOUND_LIMITS.callsPerMinute,
  };

  const callLog = typeof v.log === "string" ? new JsonlCallLog(v.log) : undefined;
  const quiet = v.quiet === true;
  const metrics = typeof v.metrics === "string" ? hostPort(v.metrics, "metrics", 9464) : undefined;
  const server = new IvrServer({
    sipAddress: sip.host,
    sipPort: sip.port,
    mediaAddress: typeof v["media-address"] === "string" ? v["media-address"] : undefined,
    rtpPorts: [Number(ports[1]), Number(ports[2])],
    routes,
    maxCalls: intOption("max-calls", v["max-calls"] as string | undefined, 1),
    allowNetworks: v.allow as string[] | undefined,
    callLog: callLog?.write,
    soundsDir: String(v.sounds),
    recordingsDir: path.resolve(String(v.recordings)),
    mediaTimeoutSec: intOption("media-timeout", v["media-timeout"] as string),
    maxDurationSec: intOption("max-duration", v["max-duration"] as string),
    inbandDtmfRoutes: v["inband-dtmf"] as string[] | undefined,
    httpAllowList: v["http-allow"] as string[] | undefined,
    cpuBudgetMs: intOption("cpu-budget", v["cpu-budget"] as string, 1),
    metrics: metrics ? { host: metrics.host, port: metrics.port } : undefined,
    outbound: { gateways, users, limits: outboundLimits },
    phrases: typeof v.phrases === "string" ? readPhrasesFile(v.phrases) : undefined,
    log: (level, msg, callId) => {
      if (quiet && level === "debug") return;
      io.err(`${new Date().toISOString()} [${level}]${callId ? ` ${callId.slice(0, 8)}` : ""} ${msg.replace(/\n$/, "")}`);
    },
  });
  try {
    await server.start();
  } catch (e) {
    throw new CliError(`cannot start: ${(e as Error).message}`);
  }
  io.err(
    `ivr serve: SIP on udp ${sip.host}:${server.sipPort}, RTP ${ports[1]}-${ports[2]}, ${routes.length} route(s)` +
      (gateways.length || users.length ? `, ${gateways.length} gateway(s), ${users.length} local user(s)` : "") +
      (metrics ? `, metrics on http://${metrics.host}:${server.metricsPort}/metrics` : ""),
  );
  // Missing FreeSWITCH sounds (examples' prompts, say's digits/...) are spoken by flite meanwhile.
  const sounds = new AbortController();
  if (starterSoundsEnabled()) void ensureStarterSounds(path.resolve(String(v.sounds)), (line) => io.err(`ivr serve: ${line}`), { signal: sounds.signal });
  const grace = (intOption("grace", v.grace as string) ?? 10) * 1000;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (sig: string) => {
      if (stopping) return;
      stopping = true;
      sounds.abort();
      io.err(`ivr serve: ${sig}: refusing new calls, ${server.activeCalls} call(s) in progress`);
      server
        .stop(grace)
        .then(() => callLog?.close())
        .finally(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return EXIT.OK;
}
