// The IVR server: SIP calls in, the routed script run for each with FreeSWITCH's session
// semantics, media in the worker thread. It takes scripts (.ts/.js or .lua); generating a
// script from a flow is the CLI's job.
import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { CallMedia } from "./call-media";
import { callVariables } from "./call-variables";
import { executeApi } from "./host/fs-api";
import { registerGuardedFetch, unregisterGuardedFetch } from "./host/http-guard";
import { LuaHost, readLuaScript } from "./host/lua-host";
import { loadTsScript, runTsScript, type ScriptEnd } from "./host/ts-host";
import { MediaEngine, type MediaStreamHandle } from "./media/engine";
import { SdpAnswerer, chooseCodec, parseOffer } from "./media/sdp";
import { RuntimeMetrics, type RtpTotals } from "./metrics";
import { DEFAULT_ALLOWED_NETWORKS, NetworkAllowList } from "./net-allow";
import { findRoute, type Route } from "./routes";
import { CallLogger, type CallLogSink } from "./session/call-log";
import { Channel } from "./session/channel";
import { FsSession } from "./session/session";
import { createSipStack, type Call, type CallEnded, type CallEvents, type ReinviteRequest, type SipStack } from "./sip";
import { FliteTts } from "./speech/tts";

export interface IvrServerOptions {
  sipAddress: string;
  sipPort: number;
  /** Address RTP binds to and SDP announces; default the SIP address, or the first external IPv4 when that is 0.0.0.0. */
  mediaAddress?: string;
  /** Inclusive RTP port range (default 35000-39999, outside FreeSWITCH's 16384-32768). */
  rtpPorts?: [number, number];
  routes: Route[];
  maxCalls?: number;
  /** Source networks whose INVITEs are served (default loopback only); others get 403. */
  allowNetworks?: string[];
  callLog?: CallLogSink;
  log?: (level: string, message: string, callId?: string) => void;
  /** Where relative prompt paths resolve (FreeSWITCH's sounds dir); default ./media. */
  soundsDir?: string;
  cacheDir?: string;
  /** No RTP from the caller for this long ends the call with MEDIA_TIMEOUT; 0 = off. Default 60 s. */
  mediaTimeoutSec?: number;
  /** Longest call; ends with ALLOTTED_TIMEOUT. Default 4 h; 0 = unlimited. */
  maxDurationSec?: number;
  /** Routes (patterns) whose calls start with in-band DTMF detection on (start_dtmf). */
  inbandDtmfRoutes?: string[];
  cpuBudgetMs?: number;
  httpAllowList?: string[];
  /** Dialplan context reported in channel variables. */
  context?: string;
  /** SIP timers (tests shorten them). */
  sipTimers?: { T1?: number; T2?: number; T4?: number };
  metrics?: { host: string; port: number };
}

interface ActiveCall {
  uuid: string;
  call: Call;
  session?: FsSession;
  stream?: MediaStreamHandle;
}

const MAX_TRANSFERS = 16;

/** Bound to every interface: announce the first external IPv4 (loopback if there is none). */
function mediaAddressFor(sipAddress: string): string {
  if (sipAddress !== "0.0.0.0") return sipAddress;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

export class IvrServer {
  private sip!: SipStack;
  private engine!: MediaEngine;
  private luaHost!: LuaHost;
  private readonly tts: FliteTts;
  private readonly allow: NetworkAllowList;
  private readonly active = new Map<string, ActiveCall>();
  private readonly sessions = new Map<string, FsSession>();
  private readonly globals = new Map<string, string>();
  readonly metrics: RuntimeMetrics;
  private rtpTotals: RtpTotals = { sent: 0, received: 0, late: 0, lost: 0 };
  private statsTimer?: NodeJS.Timeout;
  /** TS scripts' fetch, limited to the HTTP allow-list. */
  private readonly fetchGlobal: string;
  private stopping = false;
  private readonly log: (level: string, message: string, callId?: string) => void;
  private readonly soundsDir: string;
  metricsPort?: number;

  constructor(readonly options: IvrServerOptions) {
    this.allow = new NetworkAllowList(options.allowNetworks ?? DEFAULT_ALLOWED_NETWORKS);
    this.log = options.log ?? (() => {});
    this.soundsDir = path.resolve(options.soundsDir ?? "media");
    const cacheDir = options.cacheDir ?? path.join(os.tmpdir(), "ivr-studio-cache");
    this.tts = new FliteTts({ cacheDir: path.join(cacheDir, "tts") });
    this.metrics = new RuntimeMetrics(() => this.rtpTotals);
    // Read at each request: the allow-list can change while the server runs (npm start).
    this.fetchGlobal = registerGuardedFetch(() => this.options.httpAllowList ?? []);
    this.globals.set("sounds_dir", this.soundsDir);
    this.globals.set("recordings_dir", path.join(cacheDir, "recordings"));
    this.globals.set("base_dir", process.cwd());
  }

  get activeCalls(): number {
    return this.active.size;
  }

  /** Swap the route table live: new INVITEs and transfers use it; calls in progress keep their script. */
  setRoutes(routes: Route[]): void {
    this.options.routes = routes;
  }

  get sipPort(): number {
    return this.sip.transport.local.port;
  }

  async start(): Promise<void> {
    const cacheDir = this.options.cacheDir ?? path.join(os.tmpdir(), "ivr-studio-cache");
    this.engine = await MediaEngine.start({
      cacheDir: path.join(cacheDir, "media"),
      localAddress: this.options.mediaAddress ?? mediaAddressFor(this.options.sipAddress),
      portRange: this.options.rtpPorts ?? [35000, 39999],
    });
    this.luaHost = new LuaHost({
      cpuBudgetMs: this.options.cpuBudgetMs,
      globals: this.globals,
      log: this.log,
      api: (cmd, args, s) =>
        executeApi(cmd, args, s, { globals: this.globals, httpAllowList: this.options.httpAllowList ?? [], calls: this.sessions }),
      onEvent: (json) => this.log("info", `event fired: ${json}`),
    });
    try {
      this.sip = await createSipStack({
        address: this.options.sipAddress,
        port: this.options.sipPort,
        timerConfig: this.options.sipTimers,
        onInvite: (call) => this.onInvite(call),
        log: (level, msg) => this.log(level, msg),
        // Bound to every interface: the peer must reach us at a real address, as in our SDP.
        contactHost: this.options.mediaAddress ?? mediaAddressFor(this.options.sipAddress),
      });
      if (this.options.metrics) {
        this.metricsPort = await this.metrics.listen(this.options.metrics.host, this.options.metrics.port);
        // The media thread reports its event-loop delay; /metrics shows the last reading.
        const poll = () => {
          this.engine.stats().then((s) => (this.rtpTotals.loopLagP99Ms = s.loopLagP99Ms), () => undefined);
        };
        poll();
        this.statsTimer = setInterval(poll, 5000);
        this.statsTimer.unref();
      }
    } catch (e) {
      // A half-started server (SIP port taken...) must not leave the media worker behind.
      await this.sip?.close().catch(() => undefined);
      await this.engine.close().catch(() => undefined);
      await this.metrics.close().catch(() => undefined);
      throw e;
    }
  }

  /** Graceful stop: refuse new calls (503), let calls finish up to graceMs, then hang up the rest. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.metrics.draining = true;
    await this.sip.shutdown(false);
    const deadline = Date.now() + graceMs;
    while (this.active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const a of this.active.values()) {
      if (a.session) a.session.doHangup("SYSTEM_SHUTDOWN");
      else void a.call.hangup("SYSTEM_SHUTDOWN");
    }
    const until = Date.now() + 2000;
    while (this.active.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (this.statsTimer) clearInterval(this.statsTimer);
    unregisterGuardedFetch(this.fetchGlobal);
    await this.sip.close();
    this.luaHost.close();
    await this.engine.close();
    await this.metrics.close();
  }

  private async onInvite(call: Call): Promise<void> {
    if (!this.allow.allows(call.source.address)) {
      this.log("warning", `INVITE from ${call.source.address} refused: not an allowed network`);
      call.reject(403, "Forbidden");
      return;
    }
    if (this.stopping) {
      call.reject(503, "Service Unavailable");
      return;
    }
    if (this.options.maxCalls !== undefined && this.active.size >= this.options.maxCalls) {
      call.reject(503, "Maximum Calls In Progress");
      return;
    }
    const route = findRoute(this.options.routes, call.destinationNumber);
    if (!route) {
      call.reject(404, "Not Found");
      return;
    }
    // An INVITE without SDP (late offer) is fine: we offer in the 200 and read the answer in the ACK.
    const lateOffer = call.offer.trim() === "";
    const parsed = lateOffer ? undefined : parseOffer(call.offer);
    const chosen = parsed?.ok ? chooseCodec(parsed.offer) : undefined;
    if (parsed && (!parsed.ok || !chosen)) {
      this.log("notice", `INVITE ${call.callId}: ${parsed.ok ? "no common codec" : parsed.reason}`);
      call.reject(488, "Not Acceptable Here");
      return;
    }
    const uuid = randomUUID();
    const entry: ActiveCall = { uuid, call };
    this.active.set(uuid, entry);
    this.metrics.activeCalls.set(this.active.size);
    try {
      await this.runCall(entry, route);
    } catch (e) {
      this.log("err", `call ${uuid}: ${(e as Error)?.stack ?? e}`, uuid);
      if (call.state !== "ended") void call.hangup("NORMAL_TEMPORARY_FAILURE");
    } finally {
      this.active.delete(uuid);
      this.sessions.delete(uuid);
      this.metrics.activeCalls.set(this.active.size);
    }
  }

  /** Negotiate media and open the call's RTP stream; undefined (call rejected) when nothing fits. */
  private async openMedia(call: Call) {
    const mediaTimeoutMs = (this.options.mediaTimeoutSec ?? 60) * 1000;
    if (call.offer.trim() === "") {
      // Late offer: PCMU until the answer in the ACK says otherwise; the remote is latched or read from it.
      const stream = await this.engine.createStream({ codec: "PCMU", ptime: 20, dtmfPt: 101, mediaTimeoutMs });
      const sdp = new SdpAnswerer({ address: stream.address });
      return { stream, sdp, localSdp: sdp.offer(stream.port), lateOffer: true };
    }
    const probe = new SdpAnswerer({ address: this.engine.localAddress }).answer(call.offer, 9); // negotiation only
    if (!probe.ok) {
      call.reject(488, "Not Acceptable Here");
      return undefined;
    }
    const m = probe.media;
    const stream = await this.engine.createStream({
      remote: { address: m.remoteAddress, port: m.remotePort },
      codec: m.codec,
      payloadType: m.payloadType,
      ptime: m.ptime,
      dtmfPt: m.dtmfPayloadType,
      mediaTimeoutMs,
    });
    const sdp = new SdpAnswerer({ address: stream.address });
    const ans = sdp.answer(call.offer, stream.port);
    if (!ans.ok) {
      await stream.close().catch(() => undefined);
      call.reject(488, "Not Acceptable Here");
      return undefined;
    }
    return { stream, sdp, localSdp: ans.sdp, lateOffer: false };
  }

  private async runCall(entry: ActiveCall, firstRoute: Route): Promise<void> {
    const { call, uuid } = entry;
    const media0 = await this.openMedia(call);
    if (!media0) return;
    const { stream, localSdp, lateOffer } = media0;
    const answered = media0.sdp;
    entry.stream = stream;
    if (lateOffer) {
      call.once("ack", (ack) => {
        const a = answered.readAnswer(ack.body.toString("utf8"));
        if (!a.ok) {
          this.log("notice", `call ${uuid}: no usable answer in the ACK (${a.reason})`, uuid);
          return;
        }
        const m = a.media;
        void stream
          .update({ remote: { address: m.remoteAddress, port: m.remotePort }, codec: m.codec, payloadType: m.payloadType, dtmfPt: m.dtmfPayloadType ?? null })
          .catch(() => undefined);
      });
    }
    const local = this.sip.transport.local;
    const channel = new Channel(
      uuid,
      callVariables(call, {
        uuid,
        context: this.options.context ?? "default",
        profile: "ivr",
        localAddress: local.address,
        localPort: local.port,
      }),
    );
    for (const [k, v] of this.globals) if (k === "sounds_dir") channel.setVar("sound_prefix", v);
    const logger = this.options.callLog ? new CallLogger(uuid, this.options.callLog) : undefined;
    logger?.start(channel.getVar("caller_id_number") ?? "", call.destinationNumber, {
      uuid,
      sipCallId: call.callId,
      route: firstRoute.pattern,
    });

    // Call and media events feed the channel.
    const onSipDtmf = (d: CallEvents["dtmf"][0]) => channel.pushDtmf(d.digit, Math.round(d.durationMs * 8));
    call.on("dtmf", onSipDtmf);
    stream.on("dtmf", (d) => channel.pushDtmf(d.digit, d.durationSamples));
    let endCause: string | undefined;
    const onEnded = (e: CallEnded) => {
      endCause = e.cause;
      channel.markHangup(e.cause);
    };
    call.on("ended", onEnded);
    const onReinvite = (r: ReinviteRequest) => {
      const a = answered.answer(r.offer || call.offer, stream.port);
      if (!a.ok) {
        r.reject(488, "Not Acceptable Here");
        return;
      }
      void stream
        .update({
          remote: { address: a.media.remoteAddress, port: a.media.remotePort },
          sending: a.media.direction === "sendrecv" || a.media.direction === "sendonly",
        })
        .catch(() => undefined);
      r.accept(a.sdp);
    };
    call.on("reinvite", onReinvite);

    let session: FsSession | undefined;
    const hangupWith = (cause: string) => {
      if (session) session.doHangup(cause);
      else if (call.state !== "ended") void call.hangup(cause as never);
    };
    stream.on("mediaTimeout", () => {
      this.log("notice", `call ${uuid}: no RTP from the caller: MEDIA_TIMEOUT`, uuid);
      hangupWith("MEDIA_TIMEOUT");
    });
    const maxMs = (this.options.maxDurationSec ?? 4 * 3600) * 1000;
    const maxTimer = maxMs > 0 ? setTimeout(() => hangupWith("ALLOTTED_TIMEOUT"), maxMs) : undefined;

    const media = new CallMedia(
      stream,
      channel,
      this.soundsDir,
      this.tts,
      (level, msg) => this.log(level, msg, uuid),
      this.globals.get("recordings_dir"),
    );
    const control = {
      answer: async () => {
        if (call.state === "answered" || call.state === "confirmed") return true;
        return call.answer(localSdp);
      },
      preAnswer: async () => {
        if (call.state === "early" && (call.localSdp || lateOffer)) return true;
        // Without an offer there is no early media (that needs 100rel): ringing only.
        if (lateOffer) return call.ring();
        return call.progress(localSdp);
      },
      hangup: (cause: string) => {
        if (call.state !== "ended") void call.hangup(cause as never);
      },
      transfer: () => true,
    };

    try {
      let route: Route | undefined = firstRoute;
      let transfers = 0;
      const inband = new Set(this.options.inbandDtmfRoutes ?? []);
      while (route) {
        if (inband.has(route.pattern)) media.setInbandDtmf(true);
        session = new FsSession({
          channel,
          control,
          media,
          log: (level, msg) => this.log(level, msg, uuid),
          onMethod: logger ? (r) => logger.method(r) : undefined,
          globals: this.globals,
        });
        entry.session = session;
        this.sessions.set(uuid, session);
        const end = await this.runScript(route, session);
        if (end.kind === "error") this.log("err", `call ${uuid}: script ${route.script} failed: ${end.message}`, uuid);
        const t = channel.transferPending;
        if (t && channel.up) {
          if (++transfers > MAX_TRANSFERS) {
            session.doHangup("EXCHANGE_ROUTING_ERROR");
            break;
          }
          channel.resetForTransfer();
          channel.setVar("destination_number", t.extension);
          route = findRoute(this.options.routes, t.extension);
          if (!route) {
            this.log("notice", `call ${uuid}: transfer to ${t.extension}: no route`, uuid);
            session.doHangup("NO_ROUTE_DESTINATION");
          }
          continue;
        }
        // The dialplan has no further action: FreeSWITCH hangs up with NORMAL_CLEARING.
        if (channel.up) session.doHangup("NORMAL_CLEARING");
        route = undefined;
      }
    } finally {
      if (maxTimer) clearTimeout(maxTimer);
      const stats = await stream.close().catch(() => undefined);
      if (stats) {
        this.rtpTotals.sent += stats.packetsSent;
        this.rtpTotals.received += stats.packetsReceived;
        this.rtpTotals.late += stats.lateCount;
        this.rtpTotals.lost += stats.lost;
      }
      const cause = channel.hangupCause ?? endCause ?? "NORMAL_CLEARING";
      this.metrics.callsTotal.inc({ cause });
      logger?.end(cause, { uuid });
      // Wait for the SIP side to finish (our BYE answered) so the call is really over.
      const until = Date.now() + 5000;
      while (call.state !== "ended" && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      // The SIP layer keeps the ended Call for Timer L (64*T1 = 32 s, RFC 6026); without these
      // listeners it no longer holds the session, channel and media of the call (~30 KB each).
      call.off("dtmf", onSipDtmf);
      call.off("ended", onEnded);
      call.off("reinvite", onReinvite);
    }
  }

  private async runScript(route: Route, session: FsSession): Promise<ScriptEnd> {
    const file = route.script;
    try {
      if (file.endsWith(".lua")) return await this.luaHost.run(readLuaScript(file), session, route.argv);
      // Compiled scripts go under the server's cache dir too (not a shared folder in /tmp).
      const cacheDir = this.options.cacheDir ?? path.join(os.tmpdir(), "ivr-studio-cache");
      const main = await loadTsScript(file, { cacheDir: path.join(cacheDir, "scripts"), fetchGlobal: this.fetchGlobal });
      return await runTsScript(main, session, route.argv);
    } catch (e) {
      return { kind: "error", message: (e as Error)?.message ?? String(e) };
    }
  }
}
