// The runtime thread of `npm start`: SIP, call sessions and scripts, off the web server's
// thread, so that rendering pages or parsing a large import never delays a SIP answer or a
// script (RTP pacing runs in the media worker this thread starts). It owns no database: routes
// arrive as messages and call log entries leave as messages (protocol.ts). serveRuntime() is the
// whole of it, on any message port: the worker's parentPort, or (IVR_RUNTIME_THREAD=off, for
// comparison and debugging) one end of a MessageChannel on the web server's own thread.
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";
import { compileRoute, type Route } from "../../../../runtime/routes";
import { IvrServer } from "../../../../runtime/server";
import type { CallLogEntry } from "../../../../runtime/session/call-log";
import { ensureStarterSounds } from "../../../../runtime/speech/starter-sounds";
import { LIVE_PUSH_MS, type FromRuntime, type LiveCall, type RuntimeThreadData, type ThreadRoute, type ToRuntime } from "./protocol";

export function serveRuntime(port: MessagePort, data: RuntimeThreadData): void {
  const post = (m: FromRuntime) => port.postMessage(m);
  const log = (line: string) => post({ type: "log", line });

  // Started after the web server's thread lowered its priority (a restart), this thread inherited
  // it: take back the priority the runtime had (needs CAP_SYS_NICE or RLIMIT_NICE; else say so).
  if (!isMainThread && os.getPriority() > data.priority) {
    try {
      os.setPriority(data.priority);
    } catch (e) {
      log(`[runtime] this runtime thread runs at the web server's lower CPU priority (nice ${os.getPriority()}): ${(e as Error).message}`);
    }
  }

  /** pattern -> what it runs, to stamp each call's start entry exactly as the call was routed. */
  let targets = new Map<string, { flowId: string; version: number }>();

  function compile(routes: ThreadRoute[]): Route[] {
    const out: Route[] = [];
    for (const r of routes) {
      try {
        // compileRoute splits its target on blanks; the script path is set afterwards so a
        // project folder with spaces still works.
        out.push({ ...compileRoute({ pattern: r.pattern, target: "flow.ts" }), script: r.script });
      } catch (e) {
        log(`[runtime] route ${r.pattern}: ${(e as Error).message}; skipped`);
      }
    }
    targets = new Map(routes.map((r) => [r.pattern, { flowId: r.flowId, version: r.version }]));
    return out;
  }

  // Call log entries go to the web server's thread in batches: a call never waits for it.
  let batch: CallLogEntry[] = [];
  let batchTimer: NodeJS.Timeout | undefined;
  let sentEntries = 0;
  function flushCalls(): void {
    if (batchTimer) clearTimeout(batchTimer);
    batchTimer = undefined;
    if (!batch.length) return;
    sentEntries += batch.length;
    post({ type: "calls", entries: batch });
    batch = [];
  }
  // The live view: calls in progress and the node each is in, kept from the call log as it passes
  // (a node entry is logged as setVariable("ivr_node", id) the moment it happens).
  const live = new Map<string, LiveCall>();
  let liveWatched = false;
  let liveDirty = false;
  let liveTimer: NodeJS.Timeout | undefined;
  let lastLivePush = 0;
  const liveCalls = () => [...live.values()];
  function pushLive(): void {
    liveTimer = undefined;
    if (!liveWatched || !liveDirty) return;
    liveDirty = false;
    lastLivePush = Date.now();
    post({ type: "live", calls: liveCalls() });
  }
  function liveChanged(): void {
    liveDirty = true;
    if (liveWatched) liveTimer ??= setTimeout(pushLive, Math.max(0, lastLivePush + LIVE_PUSH_MS - Date.now()));
  }
  function trackLive(entry: CallLogEntry): void {
    if ("event" in entry) {
      if (entry.event === "start") {
        live.set(entry.callId, {
          callId: entry.callId,
          from: String(entry.from ?? ""),
          to: String(entry.to ?? ""),
          flowId: typeof entry.flowId === "string" ? entry.flowId : null,
          version: typeof entry.version === "number" ? entry.version : null,
          startedAt: entry.ts,
          node: null,
          nodeSince: entry.ts,
        });
      } else if (!live.delete(entry.callId)) return;
      liveChanged();
      return;
    }
    const call = live.get(entry.callId);
    if (!call) return;
    const node = entry.method === "setVariable" && entry.args[0] === "ivr_node" && typeof entry.args[1] === "string" ? entry.args[1] : entry.node;
    if (node && node !== call.node) {
      call.node = node;
      call.nodeSince = entry.ts;
      liveChanged();
    }
  }

  function callLog(entry: CallLogEntry): void {
    if ("event" in entry && entry.event === "start" && typeof entry.route === "string") {
      const target = targets.get(entry.route);
      if (target) entry = { ...entry, flowId: target.flowId, version: target.version };
    }
    trackLive(entry);
    batch.push(entry);
    if (batch.length >= 200) flushCalls();
    else batchTimer ??= setTimeout(flushCalls, 20);
  }

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  const { config } = data;
  const server = new IvrServer({
    sipAddress: config.sipAddress,
    sipPort: config.sipPort,
    rtpPorts: config.rtpPorts,
    allowNetworks: config.allowNetworks,
    soundsDir: config.soundsDir,
    recordingsDir: config.recordingsDir,
    cacheDir: data.cacheDir,
    routes: compile(data.routes),
    metrics: config.metrics,
    maxCalls: config.maxCalls,
    httpAllowList: data.httpAllowList,
    // Gateways and SIP users from the designer; later edits arrive as "outbound" messages.
    outbound: { ...data.outbound, live: true, onState: (state) => post({ type: "outbound-state", state }) },
    phrases: data.phrases,
    callLog,
    log: (level, message, callId) => {
      if (level === "debug" && !data.debug) return;
      log(`[sip] ${level}${callId ? ` ${callId.slice(0, 8)}` : ""} ${message.replace(/\n$/, "")}`);
    },
  });

  // Missing FreeSWITCH sounds (examples' prompts, say's digits/...) are spoken by flite once SIP is up.
  const sounds = new AbortController();
  let stopping: Promise<void> | undefined;
  port.on("message", (m: ToRuntime) => {
    switch (m.type) {
      case "routes":
        server.setRoutes(compile(m.routes));
        server.setPhrases(m.phrases);
        // Read by the curl/HTTP API at each request.
        server.options.httpAllowList = m.httpAllowList;
        break;
      case "outbound":
        try {
          server.setOutbound(m.outbound);
        } catch (e) {
          log(`[runtime] gateways and SIP users not updated: ${(e as Error).message}`);
        }
        break;
      case "stats": {
        const ms = (ns: number) => Math.round(ns / 1e4) / 100;
        const stats = {
          activeCalls: server.activeCalls,
          routes: server.options.routes.length,
          sipPort: server.sipPort,
          loopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
          callLogEntries: sentEntries + batch.length,
          draining: server.draining,
        };
        loopDelay.reset();
        post({ type: "stats", id: m.id, stats });
        break;
      }
      case "live-watch":
        liveWatched = m.on;
        if (m.on) {
          liveDirty = true;
          pushLive();
        } else if (liveTimer) {
          clearTimeout(liveTimer);
          liveTimer = undefined;
        }
        break;
      case "live":
        post({ type: "live", id: m.id, calls: liveCalls() });
        break;
      case "hangup":
        post({ type: "hangup", id: m.id, found: server.hangupCall(m.callId, "NORMAL_CLEARING", "admin") });
        break;
      case "drain":
        // Kamailio sees 503 to its next OPTIONS probe and sends new calls elsewhere.
        void server.drain().then(() => post({ type: "draining", activeCalls: server.activeCalls }));
        break;
      case "stop":
        stopping ??= (async () => {
          post({ type: "stopping", activeCalls: server.activeCalls });
          sounds.abort();
          try {
            await server.stop(m.graceMs);
          } catch (e) {
            log(`[runtime] stop failed: ${(e as Error)?.message ?? e}`);
          }
          loopDelay.disable();
          if (liveTimer) clearTimeout(liveTimer);
          flushCalls();
          post({ type: "stopped" });
        })();
        break;
    }
  });

  server.start().then(
    () => {
      // Sounds first: their one line ("Speaking N starter sounds...") then precedes the start
      // summary instead of trailing after the admin instructions; the speaking runs in the background.
      if (config.starterSounds) void ensureStarterSounds(config.soundsDir, (line) => log(`[sounds] ${line}`), { signal: sounds.signal });
      post({ type: "ready", sipPort: server.sipPort, metricsPort: server.metricsPort });
    },
    (e: Error) => post({ type: "failed", message: e?.message ?? String(e) }),
  );
}

// Started as the runtime's worker thread (index.ts marks its workerData): serve at once.
if (!isMainThread && parentPort && (workerData as { role?: string } | null)?.role === "ivr-runtime") serveRuntime(parentPort, workerData as RuntimeThreadData);
