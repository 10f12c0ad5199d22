// The SIP/RTP runtime inside the `npm start` process. server.mjs bundles this file (with the
// media worker next to it) and calls startRuntime() once the database is open: an IvrServer
// (SIP on this thread, RTP in its own worker thread) serving the routes saved in the designer,
// refreshed when routes or publications change, with its call log written to the database.
import path from "node:path";
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import { IvrServer } from "../../../../runtime/server";
import { ensureStarterSounds } from "../../../../runtime/speech/starter-sounds";
import { getHttpAllowList } from "../settings";
import { CallLogWriter } from "./call-log-writer";
import { readRuntimeConfig, type RuntimeConfig } from "./config";
import { loadRouteTable, routeFingerprint, type RouteTable } from "./route-table";

export { runtimeEnabled, RuntimeConfigError } from "./config";

export interface StartRuntimeOptions {
  prisma: PrismaClient;
  /** Scripts go to <cacheDir>/scripts, prompt/TTS caches to <cacheDir>/runtime. */
  cacheDir: string;
  log?: (line: string) => void;
  /** How often the database is checked for route/publication changes. Default 2000 ms. */
  pollMs?: number;
  /** Default: from the environment (IVR_SIP, IVR_RTP_PORTS, IVR_SIP_ALLOW, IVR_MEDIA_DIR). */
  config?: RuntimeConfig;
  /** Call log batching (tests shorten it). */
  flushEveryMs?: number;
}

export interface RuntimeHandle {
  server: IvrServer;
  sipAddress: string;
  sipPort: number;
  readonly routeCount: number;
  writer: CallLogWriter;
  /** Re-read routes and publications now (also done by the poll when they change). */
  refresh(): Promise<void>;
  /** 503 to new calls, let calls finish up to graceMs, then write the rest of the call log. */
  stop(graceMs?: number): Promise<void>;
}

export async function startRuntime(options: StartRuntimeOptions): Promise<RuntimeHandle> {
  const { prisma, cacheDir } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const config = options.config ?? readRuntimeConfig();
  const scriptsDir = path.join(cacheDir, "scripts");
  const debug = !!process.env.IVR_DEBUG;

  const load = async (): Promise<{ table: RouteTable; httpAllowList: string[] }> => {
    const table = await loadRouteTable(prisma, scriptsDir);
    for (const line of table.skipped) log(`[runtime] ${line}`);
    return { table, httpAllowList: await getHttpAllowList(prisma) };
  };

  let fingerprint = await routeFingerprint(prisma);
  let { table, httpAllowList } = await load();
  const writer = new CallLogWriter(prisma, {
    targetOf: (pattern) => table.targets.get(pattern),
    log,
    flushEveryMs: options.flushEveryMs,
  });
  const server = new IvrServer({
    sipAddress: config.sipAddress,
    sipPort: config.sipPort,
    rtpPorts: config.rtpPorts,
    allowNetworks: config.allowNetworks,
    soundsDir: config.soundsDir,
    cacheDir: path.join(cacheDir, "runtime"),
    routes: table.routes,
    httpAllowList,
    callLog: writer.sink,
    log: (level, message, callId) => {
      if (level === "debug" && !debug) return;
      log(`[sip] ${level}${callId ? ` ${callId.slice(0, 8)}` : ""} ${message.replace(/\n$/, "")}`);
    },
  });
  try {
    await server.start();
  } catch (e) {
    await writer.close();
    throw e;
  }
  const shownHost = config.sipAddress.includes(":") ? `[${config.sipAddress}]` : config.sipAddress;
  log(`SIP: udp ${shownHost}:${server.sipPort} (${table.routes.length} routes)`);
  // Missing FreeSWITCH sounds (examples' prompts, say's digits/...) are spoken by flite meanwhile.
  const sounds = new AbortController();
  if (config.starterSounds) void ensureStarterSounds(config.soundsDir, (line) => log(`[sounds] ${line}`), { signal: sounds.signal });

  let refreshing: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        const next = await load();
        table = next.table;
        httpAllowList = next.httpAllowList;
        server.setRoutes(table.routes);
        // Read by the curl/HTTP API at each request.
        server.options.httpAllowList = httpAllowList;
        log(`[runtime] routes updated: ${table.routes.length} route(s) served`);
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  let lastPollError = "";
  const poll = async () => {
    try {
      const now = await routeFingerprint(prisma);
      if (now !== fingerprint) {
        await refresh();
        fingerprint = now;
      }
      lastPollError = "";
    } catch (e) {
      // Say it once per distinct error, not every 2 s.
      const msg = (e as Error)?.message?.split("\n")[0] ?? String(e);
      if (msg !== lastPollError) log(`[runtime] reading routes failed (the previous table stays in use): ${msg}`);
      lastPollError = msg;
    }
  };
  let polling: Promise<void> | undefined;
  const timer = setInterval(() => {
    polling ??= poll().finally(() => (polling = undefined));
  }, options.pollMs ?? 2000);
  timer.unref();

  let stopped: Promise<void> | undefined;
  return {
    server,
    sipAddress: config.sipAddress,
    sipPort: server.sipPort,
    get routeCount() {
      return table.routes.length;
    },
    writer,
    refresh,
    stop(graceMs = 10_000) {
      stopped ??= (async () => {
        clearInterval(timer);
        sounds.abort();
        // A poll in flight finishes before the database can be closed after us.
        await polling;
        await refreshing?.catch(() => undefined);
        try {
          await server.stop(graceMs);
        } finally {
          await writer.close();
        }
      })();
      return stopped;
    },
  };
}
