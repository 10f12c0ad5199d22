// The IVR server: SIP calls in, the routed script run for each with FreeSWITCH's session
// semantics, media in the worker thread. It takes scripts (.ts/.js or .lua); generating a
// script from a flow is the CLI's job.
import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { HangupCause } from "../flow/hangup-causes";
import { CallSession, type HangupBy } from "./call-session";
import { createClock, type Clock, type ClockSetting } from "./clock";
import { executeApi } from "./host/fs-api";
import { LuaHost, readLuaScript } from "./host/lua-host";
import { TsHost, loadTsScript, type ScriptEnd } from "./host/ts-host";
import { MediaEngine } from "./media/engine";
import { setThreadNice } from "./media/thread-priority";
import { chooseCodec, parseOffer } from "./media/sdp";
import { RuntimeMetrics, type RtpTotals } from "./metrics";
import { DEFAULT_ALLOWED_NETWORKS, NetworkAllowList } from "./net-allow";
import { Destinations, type GatewayConfig, type LocalUserConfig } from "./outbound/destinations";
import type { Dialer } from "./outbound/dialer";
import { GatewayMonitor, type GatewayState } from "./outbound/gateway-monitor";
import { Outbound } from "./outbound/outbound";
import { DEFAULT_OUTBOUND_LIMITS, OutboundPolicy, type OutboundLimits } from "./outbound/policy";
import { RING_TONES } from "./outbound/ring-tones";
import { RtpLegMediaFactory, StreamRelay } from "./outbound/rtp-leg-media";
import { SipDialer } from "./outbound/sip-dialer";
import { findRoute, type Route } from "./routes";
import type { CallLogSink } from "./session/call-log";
import { FsSession } from "./session/session";
import { PhraseBook } from "./session/phrases";
import type { PhraseMacro } from "../flow/phrases";
import { createSipStack, type Call, type SipStack } from "./sip";
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
  /** Where recordings go (the global recordings_dir); default <cacheDir>/recordings. */
  recordingsDir?: string;
  cacheDir?: string;
  /** No RTP from the caller for this long ends the call with MEDIA_TIMEOUT; 0 = off. Default 60 s. */
  mediaTimeoutSec?: number;
  /** Longest call; ends with ALLOTTED_TIMEOUT. Default 4 h; 0 = unlimited. */
  maxDurationSec?: number;
  /** Routes (patterns) whose calls start with in-band DTMF detection on (start_dtmf). */
  inbandDtmfRoutes?: string[];
  /** CPU time one call's script may use, Lua or TS (default 2000 ms): past it only that call ends. */
  cpuBudgetMs?: number;
  /** Heap limit of one call's TS script in MB (default 64): past it only that call ends. */
  scriptMemoryMb?: number;
  httpAllowList?: string[];
  /** Dialplan context reported in channel variables. */
  context?: string;
  /** SIP timers (tests shorten them). */
  sipTimers?: { T1?: number; T2?: number; T4?: number };
  metrics?: { host: string; port: number };
  /** Pin what scripts see as now and their local zone (tests); default the real clock. */
  clock?: ClockSetting;
  /** Where bridge/originate may call: gateways, local users, limits (default: nowhere). */
  outbound?: OutboundConfig;
  /** Phrase macros sayPhrase plays (the designer's library, ivr serve --phrases); default none. */
  phrases?: PhraseMacro[];
}

export interface OutboundConfig {
  gateways?: GatewayConfig[];
  users?: LocalUserConfig[];
  limits?: OutboundLimits;
  /** The SIP client placing the legs (tests may pass a fake); default: runtime/sip's placeCall. */
  dialer?: Dialer;
  /**
   * Gateways and users change while the server runs (setOutbound: npm start's designer pages):
   * REGISTER is answered (401, then by the user's password) even while no user is configured.
   */
  live?: boolean;
  /** Called (at most every 100 ms) when a gateway's status, registration or ping, or a user's registration, changes. */
  onState?: (state: OutboundState) => void;
  /** One gateway `ping` second in ms (default 1000; tests shorten it). */
  pingSecondMs?: number;
}

/** Gateways as the runtime sees them now, and which local users have a live registration. */
export interface OutboundState {
  gateways: GatewayState[];
  registeredUsers: string[];
}

interface ActiveCall {
  session: CallSession;
  /** Settles when the call is over (its SIP side included). */
  done: Promise<void>;
}

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
  private tsHost!: TsHost;
  private outbound!: Outbound;
  private outboundPolicy!: OutboundPolicy;
  /** Local users' passwords (the registrar asks per REGISTER, so edits apply at once). */
  private readonly sipUsers = new Map<string, string>();
  private readonly gatewayMonitors = new Map<string, GatewayMonitor>();
  private stateTimer?: NodeJS.Timeout;
  private readonly tts: FliteTts;
  private readonly allow: NetworkAllowList;
  private readonly active = new Map<string, ActiveCall>();
  private readonly sessions = new Map<string, FsSession>();
  private readonly globals = new Map<string, string>();
  readonly metrics: RuntimeMetrics;
  private rtpTotals: RtpTotals = { sent: 0, received: 0, late: 0, lost: 0 };
  private statsTimer?: NodeJS.Timeout;
  /** Scripts' now and zone (runtime/clock.ts); clock.setting is what the script isolates build theirs from. */
  readonly clock: Clock;
  private stopping = false;
  private readonly log: (level: string, message: string, callId?: string) => void;
  private readonly soundsDir: string;
  private readonly recordingsDir: string;
  metricsPort?: number;

  constructor(readonly options: IvrServerOptions) {
    this.allow = new NetworkAllowList(options.allowNetworks ?? DEFAULT_ALLOWED_NETWORKS);
    this.log = options.log ?? (() => {});
    this.soundsDir = path.resolve(options.soundsDir ?? "media");
    const cacheDir = options.cacheDir ?? path.join(os.tmpdir(), "ivr-studio-cache");
    this.tts = new FliteTts({ cacheDir: path.join(cacheDir, "tts") });
    this.metrics = new RuntimeMetrics(() => this.rtpTotals);
    this.clock = createClock(options.clock);
    this.globals.set("sounds_dir", this.soundsDir);
    this.recordingsDir = path.resolve(options.recordingsDir ?? path.join(cacheDir, "recordings"));
    this.globals.set("recordings_dir", this.recordingsDir);
    this.globals.set("base_dir", process.cwd());
    for (const [name, tone] of Object.entries(RING_TONES)) this.globals.set(name, tone);
    if (options.phrases) this.phraseBook = new PhraseBook(options.phrases);
  }

  get activeCalls(): number {
    return this.active.size;
  }

  /**
   * Hang up one call in progress by its uuid (the call log's callId), e.g. an admin on the
   * Calls page; false when no such call is in progress here.
   */
  hangupCall(uuid: string, cause: HangupCause = "NORMAL_CLEARING", by: HangupBy = "admin"): boolean {
    const a = this.active.get(uuid);
    if (!a) return false;
    a.session.hangup(cause, by);
    return true;
  }

  /** Swap the route table live: new INVITEs and transfers use it; calls in progress keep their script. */
  setRoutes(routes: Route[]): void {
    this.options.routes = routes;
  }

  private phraseBook = new PhraseBook();

  /** Swap the phrase macros live: calls that start from now on play these (a call keeps the ones it started with). */
  setPhrases(phrases: PhraseMacro[]): void {
    this.options.phrases = phrases;
    this.phraseBook = new PhraseBook(phrases);
  }

  /** Whether a local user (--user) has a live registration: user/NUMBER can reach it. */
  isRegistered(user: string): boolean {
    return (this.sip?.registrar?.lookup(user).length ?? 0) > 0;
  }

  /** Whether a gateway may be dialed now (undefined: no such gateway). */
  gatewayStatus(name: string): "up" | "down" | undefined {
    return this.gatewayMonitors.get(name)?.status;
  }

  get sipPort(): number {
    return this.sip.transport.local.port;
  }

  /**
   * IVR_SIP_NICE: the nice value of the thread running SIP and the scripts (Linux, per thread).
   * Left as it is by default; see bench/README.md (issue 12) for what it changes under load.
   */
  private applySipNice(): void {
    const v = process.env.IVR_SIP_NICE?.trim();
    if (!v || v === "off") return;
    const r = setThreadNice(Number(v));
    if (!r.ok) this.log("warning", `IVR_SIP_NICE=${v} not applied: ${r.reason}`);
  }

  async start(): Promise<void> {
    const cacheDir = this.options.cacheDir ?? path.join(os.tmpdir(), "ivr-studio-cache");
    this.engine = await MediaEngine.start({
      cacheDir: path.join(cacheDir, "media"),
      localAddress: this.options.mediaAddress ?? mediaAddressFor(this.options.sipAddress),
      portRange: this.options.rtpPorts ?? [35000, 39999],
    });
    this.applySipNice();
    this.luaHost = new LuaHost({
      cpuBudgetMs: this.options.cpuBudgetMs,
      globals: this.globals,
      log: this.log,
      clock: this.clock,
      api: (cmd, args, s) =>
        executeApi(cmd, args, s, {
          globals: this.globals,
          httpAllowList: this.options.httpAllowList ?? [],
          calls: this.sessions,
          clock: this.clock,
          log: (level, message) => this.log(level, message),
        }),
      onEvent: (json) => this.log("info", `event fired: ${json}`),
    });
    this.tsHost = new TsHost({
      cpuBudgetMs: this.options.cpuBudgetMs,
      memoryLimitMb: this.options.scriptMemoryMb,
      // Read at each request: the allow-list can change while the server runs (npm start).
      httpAllowList: () => this.options.httpAllowList ?? [],
      clock: this.clock.setting,
      log: this.log,
    });
    const out = this.options.outbound ?? {};
    const cacheDirForLegs = this.options.cacheDir ?? path.join(os.tmpdir(), "ivr-studio-cache");
    for (const u of out.users ?? []) this.sipUsers.set(u.number, u.password);
    this.outboundPolicy = new OutboundPolicy(out.limits ?? DEFAULT_OUTBOUND_LIMITS);
    this.outbound = new Outbound({
      destinations: this.destinationsFor(out.gateways ?? [], out.users ?? []),
      policy: this.outboundPolicy,
      dialer: out.dialer ?? new SipDialer((o) => this.sip.placeCall(o), (level, msg) => this.log(level, msg)),
      media: new RtpLegMediaFactory(this.engine, {
        mediaTimeoutMs: (this.options.mediaTimeoutSec ?? 60) * 1000,
        soundsDir: this.soundsDir,
        recordingsDir: this.globals.get("recordings_dir") ?? path.join(cacheDirForLegs, "recordings"),
        tts: this.tts,
        log: this.log,
      }),
      relay: new StreamRelay(),
      log: this.log,
      globals: this.globals,
      referTargets: {
        ours: () => ({
          hosts: [...new Set([this.options.sipAddress, this.options.mediaAddress ?? mediaAddressFor(this.options.sipAddress), ...(this.options.sipAddress === "0.0.0.0" ? ["127.0.0.1"] : [])].map((h) => h.toLowerCase()))].filter((h) => h !== "0.0.0.0"),
          port: this.sipPort,
        }),
        routed: (extension) => findRoute(this.options.routes, extension) !== undefined,
      },
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
        // Local users register here with their password (digest); without users REGISTER gets 405.
        registrar: this.sipUsers.size || out.live ? { password: (user) => this.sipUsers.get(user) } : undefined,
      });
      this.sip.registrar?.on("registered", () => this.stateChanged());
      this.sip.registrar?.on("unregistered", () => this.stateChanged());
      this.startGateways(out.gateways ?? []);
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

  /** user/N goes where N last registered (the SIP stack's location table); gateways only while up. */
  private destinationsFor(gateways: GatewayConfig[], users: LocalUserConfig[]): Destinations {
    return new Destinations(
      { gateways, users },
      (user) => {
        const b = this.sip?.registrar?.lookup(user)[0];
        return b ? { uri: b.contact, host: b.source.address, port: b.source.port } : undefined;
      },
      (name) => this.gatewayMonitors.get(name)?.status !== "down",
    );
  }

  /** Registration and pings of each gateway; a monitor whose gateway did not change keeps running. */
  private startGateways(gateways: GatewayConfig[]): void {
    const wanted = new Map(gateways.map((g) => [g.name, g]));
    for (const [name, m] of this.gatewayMonitors) {
      const next = wanted.get(name);
      if (next && JSON.stringify(next) === JSON.stringify(m.config)) continue;
      this.gatewayMonitors.delete(name);
      void m.stop();
    }
    for (const g of gateways) {
      if (this.gatewayMonitors.has(g.name)) continue;
      const m = new GatewayMonitor(g, {
        register: (o) => this.sip.register(o),
        ping: (host, port) => this.sip.ping(host, port),
        log: (level, message) => this.log(level, message),
        changed: () => this.stateChanged(),
        pingSecondMs: this.options.outbound?.pingSecondMs,
      });
      this.gatewayMonitors.set(g.name, m);
      m.start();
    }
    this.stateChanged();
  }

  /**
   * New gateways, users and limits while the server runs (npm start): new legs use them, legs up
   * keep going; a changed gateway registers again, a removed one un-registers; a removed user's
   * phone can no longer be called (its binding is dropped at expiry) nor register again.
   */
  setOutbound(config: { gateways: GatewayConfig[]; users: LocalUserConfig[]; limits?: OutboundLimits }): void {
    const destinations = this.destinationsFor(config.gateways, config.users); // throws on duplicates: nothing changed
    this.sipUsers.clear();
    for (const u of config.users) this.sipUsers.set(u.number, u.password);
    this.outboundPolicy.setLimits(config.limits ?? DEFAULT_OUTBOUND_LIMITS);
    this.outbound.setDestinations(destinations);
    this.startGateways(config.gateways);
  }

  /** Gateways' status, registration and last ping, and the users registered now. */
  get outboundState(): OutboundState {
    const registeredUsers = [...this.sipUsers.keys()].filter((u) => this.isRegistered(u)).sort();
    return { gateways: [...this.gatewayMonitors.values()].map((m) => m.state), registeredUsers };
  }

  private stateChanged(): void {
    const onState = this.options.outbound?.onState;
    if (!onState || this.stateTimer) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      if (!this.stopping) onState(this.outboundState);
    }, 100);
    this.stateTimer.unref();
  }

  /** Whether new calls are refused (drain() or stop() began). */
  get draining(): boolean {
    return this.stopping;
  }

  /**
   * Take no new calls and let the calls in progress go on: new INVITEs and OPTIONS (a load
   * balancer's probe) get 503, /health 503. The first half of a graceful stop; a rolling restart
   * drains a runtime, waits for activeCalls to reach 0, then stops it.
   */
  async drain(): Promise<void> {
    this.stopping = true;
    this.metrics.draining = true;
    await this.sip.shutdown(false);
  }

  /** Graceful stop: refuse new calls (503), let calls finish up to graceMs, then hang up the rest. */
  async stop(graceMs = 10_000): Promise<void> {
    await this.drain();
    // Gateways un-register (calls in progress keep the legs they have).
    clearTimeout(this.stateTimer);
    await Promise.all([...this.gatewayMonitors.values()].map((m) => m.stop()));
    this.gatewayMonitors.clear();
    await this.callsEnded(graceMs);
    for (const a of this.active.values()) a.session.hangup("SYSTEM_SHUTDOWN");
    // Their calls are down: a TS script still busy (a runaway loop) is stopped now, not at its budget.
    void this.tsHost.close();
    await this.callsEnded(2000);
    if (this.statsTimer) clearInterval(this.statsTimer);
    await this.sip.close();
    this.luaHost.close();
    await this.tsHost.close();
    await this.engine.close();
    await this.metrics.close();
  }

  /** Resolves when every call in progress is over, or after `ms`. */
  private async callsEnded(ms: number): Promise<void> {
    if (this.active.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.active.values()].map((a) => a.done)),
      new Promise<void>((r) => (timer = setTimeout(r, ms))),
    ]);
    clearTimeout(timer);
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
    const local = this.sip.transport.local;
    const callSession = new CallSession({
      uuid,
      call,
      route,
      engine: this.engine,
      sipLocal: { address: local.address, port: local.port },
      context: this.options.context ?? "default",
      soundsDir: this.soundsDir,
      // The confinement roots come from the configuration, never from globals a script can set.
      recordingsDir: this.recordingsDir,
      tts: this.tts,
      globals: this.globals,
      clock: this.clock,
      callLog: this.options.callLog,
      inbandDtmfRoutes: new Set(this.options.inbandDtmfRoutes ?? []),
      mediaTimeoutMs: (this.options.mediaTimeoutSec ?? 60) * 1000,
      maxDurationMs: (this.options.maxDurationSec ?? 4 * 3600) * 1000,
      log: this.log,
      runScript: (r, session) => this.runScript(r, session),
      findRoute: (extension) => findRoute(this.options.routes, extension),
      onSession: (session) => this.sessions.set(uuid, session),
      outbound: this.outbound,
      phrases: this.phraseBook,
    });
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    this.active.set(uuid, { session: callSession, done });
    this.metrics.activeCalls.set(this.active.size);
    try {
      const outcome = await callSession.run();
      if (outcome?.rtp) {
        this.rtpTotals.sent += outcome.rtp.packetsSent;
        this.rtpTotals.received += outcome.rtp.packetsReceived;
        this.rtpTotals.late += outcome.rtp.lateCount;
        this.rtpTotals.lost += outcome.rtp.lost;
      }
      if (outcome) this.metrics.callsTotal.inc({ cause: outcome.cause });
    } catch (e) {
      this.log("err", `call ${uuid}: ${(e as Error)?.stack ?? e}`, uuid);
      if (call.state !== "ended") void call.hangup("NORMAL_TEMPORARY_FAILURE");
    } finally {
      this.active.delete(uuid);
      this.sessions.delete(uuid);
      this.metrics.activeCalls.set(this.active.size);
      finished();
    }
  }

  private async runScript(route: Route, session: FsSession): Promise<ScriptEnd> {
    const file = route.script;
    try {
      if (file.endsWith(".lua")) return await this.luaHost.run(readLuaScript(file), session, route.argv);
      return await this.tsHost.run(await loadTsScript(file), session, route.argv);
    } catch (e) {
      return { kind: "error", message: (e as Error)?.message ?? String(e) };
    }
  }
}
