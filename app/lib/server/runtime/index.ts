// The SIP/RTP runtime of `npm start`, seen from the web server's thread. server.mjs bundles this
// file with the runtime thread's entry (runtime-thread.ts) and the media worker beside it, and
// calls startRuntime() once the database is open. The runtime (SIP, calls, scripts; RTP in its
// own media worker) runs in a worker thread; this side keeps what needs the database (PGlite has
// one owner): it builds the route table, sends it over when routes or publications change, and
// writes the call log entries the runtime thread sends back. A runtime thread that dies is
// restarted (a few times a minute at most); the designer keeps running either way.
import os from "node:os";
import path from "node:path";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import packageJson from "../../../../package.json";
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import type { OutboundState } from "../../../../runtime/server";
import { loadOutboundConfig, outboundFingerprint, type OutboundConfigData } from "../gateways/store";
import type { CallLogSink } from "../../../../runtime/session/call-log";
import { getHttpAllowList } from "../settings";
import { CallLogWriter } from "./call-log-writer";
import { readRuntimeConfig, type RuntimeConfig } from "./config";
import { Heartbeat, HEARTBEAT_MS, type RuntimeState } from "./heartbeat";
import type { FromRuntime, LiveCall, RuntimeThreadData, RuntimeThreadStats, ToRuntime } from "./protocol";
import { registerRuntime } from "./registry";
import { loadRouteTable, routeFingerprint, type RouteTable } from "./route-table";

export { runtimeEnabled, RuntimeConfigError } from "./config";
export type { LiveCall, RuntimeThreadStats } from "./protocol";

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
  /** Restarts of a runtime thread that died, per minute, before giving up. Default 5. */
  maxRestartsPerMinute?: number;
  /** This runtime's id in the heartbeat table and on its calls; default HOSTNAME:SIPPORT. */
  runtimeId?: string;
  /** Where Kamailio (and the Cluster page) reach it, host:port; default the SIP address and port. */
  address?: string;
  /** Shown on the Cluster page; default IVR_VERSION, else package.json's version. */
  version?: string;
  /** Heartbeat interval (ms); 0: no heartbeat. Default 2000. */
  heartbeatMs?: number;
  /** Call log entries wait here (a folder per runtime id) while the database is away; default: in memory only. */
  spoolDir?: string;
  /** Call log entries kept in memory while the database is away (then spooled, or dropped). */
  callLogMemory?: number;
  /** Every call log entry also goes here (ivr serve --log). */
  tee?: CallLogSink;
  /** An admin asked (through the heartbeat table) for this runtime to drain; default: drain(). */
  onDrainRequested?: () => void;
}

export interface RuntimeHandle {
  /** In a worker thread of its own (false only with IVR_RUNTIME_THREAD=off). */
  ownThread: boolean;
  sipAddress: string;
  /** Where SIP listens now (a restarted runtime thread binds again; with port 0, elsewhere). */
  readonly sipPort: number;
  readonly routeCount: number;
  writer: CallLogWriter;
  /** Id in the heartbeat table (RuntimeNode) and on its calls (Call.runtimeId). */
  readonly runtimeId: string;
  /** Where /metrics and /health listen (config.metrics), once started. */
  readonly metricsPort: number | undefined;
  /** New calls are refused (drain() or stop() began). */
  readonly draining: boolean;
  /** Refuse new calls (503 to INVITE and OPTIONS, /health 503); calls in progress go on. */
  drain(): Promise<void>;
  /** Resolves once draining with no call in progress (polls the runtime thread). */
  drained(pollMs?: number): Promise<void>;
  /** Re-read routes and publications now (also done by the poll when they change). */
  refresh(): Promise<void>;
  /** Calls in progress, the runtime thread's event-loop delay, ...; rejects when it is not running. */
  stats(timeoutMs?: number): Promise<RuntimeThreadStats>;
  /** The calls in progress now, each with the node it is in; rejects when the runtime is not running. */
  live(timeoutMs?: number): Promise<LiveCall[]>;
  /**
   * Follow the calls in progress: the listener gets the whole list now (once known) and after
   * every change (pushed by the runtime thread at most every LIVE_PUSH_MS). Returns the unsubscribe.
   */
  watchLive(listener: (calls: LiveCall[]) => void): () => void;
  /** Hang up a call in progress (an admin's request): false when no such call is in progress. */
  hangup(callId: string, timeoutMs?: number): Promise<boolean>;
  /** 503 to new calls, let calls finish up to graceMs, then write the rest of the call log. */
  stop(graceMs?: number): Promise<void>;
}

/** The runtime thread's entry: beside this bundle, or from the sources (through tsx in a worker). */
function threadModule(): { url: URL; bootstrap?: URL } {
  const here = import.meta.url;
  if (here.endsWith(".ts")) return { url: new URL("./runtime-thread.ts", here), bootstrap: new URL("../../../../runtime/media/worker/bootstrap.mjs", here) };
  return { url: new URL("./runtime-thread.js", here) };
}

/** The runtime as this thread sees it: a worker thread, or (IVR_RUNTIME_THREAD=off) a port on this thread. */
interface Thread {
  ready: Promise<number>;
  /** Settles with the exit code when the thread ends (in-thread: when end() is called). */
  exited: Promise<number>;
  post(m: ToRuntime): void;
  end(): Promise<void>;
}

export async function startRuntime(options: StartRuntimeOptions): Promise<RuntimeHandle> {
  const { prisma, cacheDir } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const config = options.config ?? readRuntimeConfig();
  const scriptsDir = path.join(cacheDir, "scripts");
  const debug = !!process.env.IVR_DEBUG;
  // Before server.mjs lowers this thread's priority (lowerWebThreadPriority): what the runtime keeps.
  const priority = os.getPriority();

  const load = async (): Promise<{ table: RouteTable; httpAllowList: string[] }> => {
    const table = await loadRouteTable(prisma, scriptsDir);
    for (const line of table.skipped) log(`[runtime] ${line}`);
    return { table, httpAllowList: await getHttpAllowList(prisma) };
  };

  let fingerprint = await routeFingerprint(prisma);
  let { table, httpAllowList } = await load();
  const loadOutbound = async (): Promise<OutboundConfigData> => {
    const { config, skipped } = await loadOutboundConfig(prisma);
    for (const line of skipped) log(`[runtime] ${line}`);
    return config;
  };
  let outboundPrint = await outboundFingerprint(prisma);
  let outbound = await loadOutbound();
  let outboundState: OutboundState = { gateways: [], registeredUsers: [] };
  const writer = new CallLogWriter(prisma, {
    targetOf: (pattern) => table.targets.get(pattern),
    log,
    flushEveryMs: options.flushEveryMs,
    maxQueue: options.callLogMemory,
  });
  const sink: CallLogSink = options.tee
    ? (e) => {
        options.tee!(e);
        writer.sink(e);
      }
    : writer.sink;
  let draining = false;
  let metricsPort: number | undefined;

  let nextStatsId = 1;
  const pendingStats = new Map<number, (s: RuntimeThreadStats) => void>();
  // Replies to "live" and "hangup" requests, by request id.
  const pendingReplies = new Map<number, (m: FromRuntime) => void>();
  const liveWatchers = new Set<(calls: LiveCall[]) => void>();
  let lastLive: LiveCall[] | undefined;
  const publishLive = (calls: LiveCall[]) => {
    lastLive = calls;
    for (const w of liveWatchers) w(calls);
  };
  let stopRequested = false;
  let stoppingReply: ((activeCalls: number) => void) | undefined;
  let stoppedReply: (() => void) | undefined;

  async function spawn(): Promise<Thread> {
    const mod = threadModule();
    const data: RuntimeThreadData & { role: string; entry?: string } = {
      role: "ivr-runtime",
      entry: mod.bootstrap ? mod.url.href : undefined,
      config,
      cacheDir: path.join(cacheDir, "runtime"),
      routes: table.routes,
      httpAllowList,
      outbound,
      phrases: table.phrases,
      debug,
      priority,
    };
    let resolveReady!: (port: number) => void;
    let rejectReady!: (e: Error) => void;
    const ready = new Promise<number>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    ready.catch(() => undefined);
    let end!: () => Promise<void>;
    const onMessage = (m: FromRuntime) => {
      switch (m.type) {
        case "ready":
          metricsPort = m.metricsPort;
          resolveReady(m.sipPort);
          break;
        case "failed":
          rejectReady(new Error(m.message));
          void end();
          break;
        case "log":
          log(m.line);
          break;
        case "calls":
          for (const e of m.entries) sink(e);
          break;
        case "outbound-state":
          outboundState = m.state;
          break;
        case "stats":
          pendingStats.get(m.id)?.(m.stats);
          pendingStats.delete(m.id);
          break;
        case "live":
          if (m.id === undefined) publishLive(m.calls);
          else pendingReplies.get(m.id)?.(m);
          break;
        case "hangup":
          pendingReplies.get(m.id)?.(m);
          break;
        case "stopping":
          stoppingReply?.(m.activeCalls);
          break;
        case "stopped":
          stoppedReply?.();
          break;
        case "draining":
          log(`SIP: draining: new calls get 503, ${m.activeCalls} call(s) in progress go on`);
          break;
      }
    };

    if (!config.ownThread) {
      // For comparison and debugging only: the runtime shares this thread, as before it had its own.
      const { port1, port2 } = new MessageChannel();
      const { serveRuntime } = (await import(mod.url.href)) as { serveRuntime(port: MessagePort, data: RuntimeThreadData): void };
      let resolveExit!: (code: number) => void;
      const exited = new Promise<number>((r) => (resolveExit = r));
      port1.on("message", onMessage);
      end = async () => {
        port1.close();
        rejectReady(new Error("the runtime stopped before it was ready"));
        resolveExit(0);
      };
      serveRuntime(port2, data);
      return { ready, exited, post: (m) => port1.postMessage(m), end };
    }

    const worker = new Worker(mod.bootstrap ?? mod.url, { workerData: data, name: "ivr-runtime" });
    worker.on("message", onMessage);
    let lastError: Error | undefined;
    worker.on("error", (e) => {
      lastError = e;
      log(`[runtime] the runtime thread failed: ${e?.stack ?? e}`);
    });
    const exited = new Promise<number>((resolve) =>
      worker.once("exit", (code) => {
        rejectReady(lastError ?? new Error(`the runtime thread exited (code ${code}) before it was ready`));
        resolve(code);
      }),
    );
    end = async () => {
      await worker.terminate();
    };
    return { ready, exited, post: (m) => worker.postMessage(m), end };
  }

  let thread = await spawn();
  let sipPort: number;
  try {
    sipPort = await thread.ready;
  } catch (e) {
    await thread.end();
    await thread.exited;
    await writer.close();
    throw e;
  }
  const shownHost = config.sipAddress.includes(":") ? `[${config.sipAddress}]` : config.sipAddress;
  const runtimeId = options.runtimeId ?? `${os.hostname()}:${sipPort}`;
  writer.setIdentity(runtimeId, options.spoolDir ? path.join(options.spoolDir, runtimeId.replace(/[^A-Za-z0-9._-]/g, "_")) : undefined);
  const routesSaid = () => `${table.routes.length} route${table.routes.length === 1 ? "" : "s"}`;
  const rtpSaid = `RTP ports ${config.rtpPorts[0]}-${config.rtpPorts[1]}`;
  log(`SIP: udp ${shownHost}:${sipPort} (${routesSaid()}), ${rtpSaid}${config.ownThread ? "" : "; on the web server's thread (IVR_RUNTIME_THREAD=off)"}`);

  // A runtime thread that dies (a bug, out of memory) is started again; the designer is unaffected.
  const maxRestarts = options.maxRestartsPerMinute ?? 5;
  const restarts: number[] = [];
  let running = true;
  const supervise = (t: Thread) => {
    void t.exited.then(async (code) => {
      if (stopRequested || t !== thread) return;
      running = false;
      // Its calls went with it.
      if (liveWatchers.size) publishLive([]);
      const now = Date.now();
      while (restarts.length && now - restarts[0] > 60_000) restarts.shift();
      if (restarts.length >= maxRestarts) {
        log(`SIP: the runtime thread stopped (code ${code}) ${maxRestarts} times within a minute; not restarting. Calls are not answered until the server restarts.`);
        return;
      }
      restarts.push(now);
      log(`SIP: the runtime thread stopped unexpectedly (code ${code}); calls in progress were lost. Restarting it.`);
      await new Promise((r) => setTimeout(r, 500));
      if (stopRequested) return;
      const next = await spawn();
      // stop() may have come while it was starting: it stops the thread it knew, so this one ends here.
      if (stopRequested) return void next.end();
      thread = next;
      supervise(thread);
      if (liveWatchers.size) thread.post({ type: "live-watch", on: true });
      try {
        sipPort = await thread.ready;
        running = true;
        // A drain outlives the thread that was told.
        if (draining) thread.post({ type: "drain" });
        log(`SIP: udp ${shownHost}:${sipPort} (${routesSaid()}; runtime thread restarted)`);
      } catch (e) {
        log(`SIP: the runtime thread did not start again: ${(e as Error).message}`);
      }
    });
  };
  supervise(thread);

  let refreshing: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        const next = await load();
        table = next.table;
        httpAllowList = next.httpAllowList;
        thread.post({ type: "routes", routes: table.routes, httpAllowList, phrases: table.phrases });
        log(`[runtime] routes updated: ${table.routes.length} route(s) served`);
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  let refreshingOutbound: Promise<void> | undefined;
  const refreshOutbound = (): Promise<void> => {
    refreshingOutbound ??= (async () => {
      try {
        const print = await outboundFingerprint(prisma);
        outbound = await loadOutbound();
        outboundPrint = print;
        thread.post({ type: "outbound", outbound });
        log(`[runtime] gateways and SIP users updated: ${outbound.gateways.length} gateway(s), ${outbound.users.length} user(s)`);
      } finally {
        refreshingOutbound = undefined;
      }
    })();
    return refreshingOutbound;
  };

  let lastPollError = "";
  const poll = async () => {
    try {
      const now = await routeFingerprint(prisma);
      if (now !== fingerprint) {
        await refresh();
        fingerprint = now;
      }
      if ((await outboundFingerprint(prisma)) !== outboundPrint) await refreshOutbound();
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

  /** One request to the runtime thread and its reply (by id), or a rejection after timeoutMs. */
  function ask<R extends FromRuntime>(message: (id: number) => ToRuntime, timeoutMs: number): Promise<R> {
    if (!running) return Promise.reject(new Error("the runtime thread is not running"));
    const id = nextStatsId++;
    return new Promise<R>((resolve, reject) => {
      const t = setTimeout(() => {
        pendingReplies.delete(id);
        reject(new Error(`the runtime thread did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      pendingReplies.set(id, (m) => {
        clearTimeout(t);
        pendingReplies.delete(id);
        resolve(m as R);
      });
      thread.post(message(id));
    });
  }

  const state = (): RuntimeState => (draining ? "draining" : "up");
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const heartbeat =
    heartbeatMs > 0
      ? new Heartbeat({
          prisma,
          id: runtimeId,
          address: options.address ?? `${shownHost}:${sipPort}`,
          version: options.version ?? process.env.IVR_VERSION ?? packageJson.version,
          everyMs: heartbeatMs,
          report: async () => ({ activeCalls: (await handle.stats(1000)).activeCalls, state: state() }),
          onDrainRequested: () => {
            log("SIP: an admin asked this runtime to drain");
            if (options.onDrainRequested) options.onDrainRequested();
            else void handle.drain();
          },
          log,
        })
      : undefined;

  let stopped: Promise<void> | undefined;
  const handle: RuntimeHandle = {
    ownThread: config.ownThread,
    sipAddress: config.sipAddress,
    get sipPort() {
      return sipPort;
    },
    get routeCount() {
      return table.routes.length;
    },
    writer,
    runtimeId,
    get metricsPort() {
      return metricsPort;
    },
    get draining() {
      return draining;
    },
    async drain() {
      if (draining) return;
      draining = true;
      thread.post({ type: "drain" });
      await heartbeat?.beat();
    },
    async drained(pollMs = 200) {
      for (;;) {
        if (stopRequested) return;
        try {
          const s = await handle.stats(2000);
          if (s.draining && s.activeCalls === 0) return;
        } catch {
          if (!running) return;
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    refresh,
    stats(timeoutMs = 2000) {
      if (!running) return Promise.reject(new Error("the runtime thread is not running"));
      const id = nextStatsId++;
      return new Promise<RuntimeThreadStats>((resolve, reject) => {
        const t = setTimeout(() => {
          pendingStats.delete(id);
          reject(new Error(`the runtime thread did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pendingStats.set(id, (s) => {
          clearTimeout(t);
          resolve(s);
        });
        thread.post({ type: "stats", id });
      });
    },
    async live(timeoutMs = 2000) {
      const m = await ask<Extract<FromRuntime, { type: "live" }>>((id) => ({ type: "live", id }), timeoutMs);
      return m.calls;
    },
    watchLive(listener) {
      liveWatchers.add(listener);
      if (liveWatchers.size === 1) {
        lastLive = undefined;
        if (running) thread.post({ type: "live-watch", on: true });
      } else if (lastLive) listener(lastLive);
      return () => {
        if (!liveWatchers.delete(listener) || liveWatchers.size) return;
        lastLive = undefined;
        if (running && !stopRequested) thread.post({ type: "live-watch", on: false });
      };
    },
    async hangup(callId, timeoutMs = 2000) {
      const m = await ask<Extract<FromRuntime, { type: "hangup" }>>((id) => ({ type: "hangup", id, callId }), timeoutMs);
      return m.found;
    },
    stop(graceMs = 10_000) {
      stopped ??= (async () => {
        draining = true;
        // The Cluster page shows it draining while its calls finish.
        await heartbeat?.beat();
        stopRequested = true;
        registerRuntime(undefined);
        clearInterval(timer);
        // A poll in flight finishes before the database can be closed after us.
        await polling;
        await refreshing?.catch(() => undefined);
        await refreshingOutbound?.catch(() => undefined);
        const t = thread;
        const gone = t.exited.then(() => undefined);
        const acknowledged = new Promise<number>((r) => (stoppingReply = r));
        const done = new Promise<void>((r) => (stoppedReply = r));
        t.post({ type: "stop", graceMs });
        const active = await Promise.race([acknowledged, gone.then(() => undefined)]);
        if (active !== undefined) log(`SIP: refusing new calls, ${active} call(s) in progress`);
        // Calls get graceMs, then 2 s to hang up; past that the thread is ended regardless.
        let kill: NodeJS.Timeout | undefined;
        await Promise.race([done, gone, new Promise<void>((r) => (kill = setTimeout(r, graceMs + 5000)))]);
        clearTimeout(kill);
        await t.end();
        running = false;
        await heartbeat?.stop("down");
        await writer.close();
      })();
      return stopped;
    },
  };
  heartbeat?.start();
  // GET /api/runtime (Next's bundle) reads it from here.
  registerRuntime({
    sipAddress: config.sipAddress,
    get sipPort() {
      return sipPort;
    },
    stats: (timeoutMs) => handle.stats(timeoutMs),
    live: (timeoutMs) => handle.live(timeoutMs),
    watchLive: (listener) => handle.watchLive(listener),
    hangup: (callId, timeoutMs) => handle.hangup(callId, timeoutMs),
    outboundState: () => outboundState,
    refreshOutbound: () => (stopRequested ? Promise.resolve() : refreshOutbound()),
  });
  return handle;
}
