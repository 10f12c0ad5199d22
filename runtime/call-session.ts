// One call, from the accepted INVITE to the end of its SIP dialog: media negotiation and the
// RTP stream, the FreeSWITCH channel, the CallControl the Session drives, the script run and the
// transfer loop, timers, and the clean-up. The server admits calls and owns what calls share
// (SIP stack, media engine, script hosts); everything that belongs to one call lives here.
import type { PhraseBook } from "./session/phrases";
import type { Clock } from "./clock";
import type { HangupCause } from "../flow/hangup-causes";
import { CallMedia } from "./call-media";
import { callVariables } from "./call-variables";
import type { ScriptEnd } from "./host/ts-host";
import type { MediaEngine, MediaStreamHandle, StreamStats } from "./media/engine";
import { SdpAnswerer } from "./media/sdp";
import type { Route } from "./routes";
import { CallLogger, type CallLogSink } from "./session/call-log";
import { Channel } from "./session/channel";
import { outgoingReferRefusal } from "./outbound/refer";
import type { CallControl, OutboundPort, ReferOutcome } from "./session/ports";
import { FsSession } from "./session/session";
import type { Call, CallEnded, CallEvents, ReferNotify, ReinviteRequest } from "./sip";
import type { FliteTts } from "./speech/tts";

/** Transfers one call may make before it is refused (a loop between two scripts). */
export const MAX_TRANSFERS = 16;
/** How long the clean-up waits for our BYE to be answered (or time out) before letting go. */
const BYE_WAIT_MS = 5000;

export interface CallSessionDeps {
  uuid: string;
  call: Call;
  route: Route;
  engine: MediaEngine;
  /** Our SIP address, for the channel's variables. */
  sipLocal: { address: string; port: number };
  context: string;
  soundsDir: string;
  recordingsDir?: string;
  tts: FliteTts;
  globals: Map<string, string>;
  /** Scripts' now and zone (say's dates and times). */
  clock?: Clock;
  callLog?: CallLogSink;
  /** Route patterns whose calls start with in-band DTMF detection on. */
  inbandDtmfRoutes: ReadonlySet<string>;
  mediaTimeoutMs: number;
  /** Longest call (ALLOTTED_TIMEOUT); 0 = unlimited. */
  maxDurationMs: number;
  log: (level: string, message: string, callId?: string) => void;
  /** Runs a route's script for the session; never throws. */
  runScript(route: Route, session: FsSession): Promise<ScriptEnd>;
  /** The route for a transfer target (the live route table). */
  findRoute(extension: string): Route | undefined;
  /** The current script's session (uuid_* API commands look calls up through it). */
  onSession(session: FsSession): void;
  /** Outbound calling for bridge/originate; absent: every dial fails. */
  outbound?: OutboundPort;
  /** Phrase macros for sayPhrase, as they were when the call came in. */
  phrases?: PhraseBook;
}

/**
 * Who ended a call, for the call log: the caller (BYE/CANCEL), the flow (its script hung up or
 * ended), an admin (the Calls page's hang-up), or the system (timeouts, shutdown, a failure).
 */
export type HangupBy = "caller" | "flow" | "admin" | "system";

/** What the server adds up across calls once a call is over. */
export interface CallOutcome {
  cause: string;
  rtp?: StreamStats;
}

interface NegotiatedMedia {
  stream: MediaStreamHandle;
  sdp: SdpAnswerer;
  localSdp: string;
  lateOffer: boolean;
}

export class CallSession {
  private session: FsSession | undefined;
  private channel: Channel | undefined;
  private byeDone: Promise<void> = Promise.resolve();
  private readonly cleanups: Array<() => void> = [];
  /** Set by the first hang-up that did not come from the script; unset at the end: the flow's. */
  private endedBy: HangupBy | undefined;

  constructor(private readonly deps: CallSessionDeps) {}

  get uuid(): string {
    return this.deps.uuid;
  }

  get call(): Call {
    return this.deps.call;
  }

  /** Hang up from outside (server shutdown, timers, an admin): through the session when there is one. */
  hangup(cause: HangupCause, by: HangupBy = "system"): void {
    if (this.deps.call.state !== "ended" && (!this.channel || this.channel.up)) this.endedBy ??= by;
    if (this.session) this.session.doHangup(cause);
    else this.hangupSip(cause);
  }

  private hangupSip(cause: HangupCause): void {
    const { call } = this.deps;
    if (call.state === "ended") return;
    // The promise settles when our BYE is answered or times out (or at once for a rejection).
    this.byeDone = call.hangup(cause);
  }

  private log(level: string, message: string): void {
    this.deps.log(level, message, this.deps.uuid);
  }

  /**
   * Run the call to its end; resolves once the SIP side is finished too, with undefined when the
   * call was refused before it started (no usable media). Throws only if the media engine fails.
   */
  async run(): Promise<CallOutcome | undefined> {
    const media = await this.openMedia();
    if (!media) return undefined;
    let rtp: StreamStats | undefined;
    let logger: CallLogger | undefined;
    let endCause: string | undefined;
    try {
      const channel = this.createChannel();
      this.channel = channel;
      logger = this.deps.callLog ? new CallLogger(this.deps.uuid, this.deps.callLog) : undefined;
      logger?.start(channel.getVar("caller_id_number") ?? "", this.deps.call.destinationNumber, {
        uuid: this.deps.uuid,
        sipCallId: this.deps.call.callId,
        route: this.deps.route.pattern,
      });
      this.wireEvents(media, channel, (cause) => (endCause = cause));
      await this.runScripts(media, channel, logger);
      channel.finishHangupState();
    } catch (e) {
      this.log("err", `call failed: ${(e as Error)?.stack ?? e}`);
      this.hangup("NORMAL_TEMPORARY_FAILURE");
    } finally {
      for (const undo of this.cleanups.splice(0)) undo();
      rtp = await media.stream.close().catch(() => undefined);
      const cause = this.channel?.hangupCause ?? endCause ?? "NORMAL_CLEARING";
      logger?.end(cause, { uuid: this.deps.uuid, by: this.endedBy ?? "flow" });
      // The call is over once our BYE is answered (or its transaction timed out).
      await this.settleBye();
      endCause = cause;
    }
    return { cause: endCause, rtp: rtp ?? undefined };
  }

  private async settleBye(): Promise<void> {
    if (this.deps.call.state !== "ended") this.hangupSip("NORMAL_CLEARING");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.byeDone.catch(() => undefined),
      new Promise<void>((r) => {
        timer = setTimeout(r, BYE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Negotiate media and open the call's RTP stream; undefined (call rejected) when nothing fits. */
  private async openMedia(): Promise<NegotiatedMedia | undefined> {
    const { call, engine, mediaTimeoutMs } = this.deps;
    if (call.offer.trim() === "") {
      // Late offer: PCMU until the answer in the ACK says otherwise; the remote is latched or read from it.
      const stream = await engine.createStream({ codec: "PCMU", ptime: 20, dtmfPt: 101, mediaTimeoutMs, affinity: this.deps.uuid });
      const sdp = new SdpAnswerer({ address: stream.address });
      return { stream, sdp, localSdp: sdp.offer(stream.port), lateOffer: true };
    }
    const probe = new SdpAnswerer({ address: engine.localAddress }).answer(call.offer, 9); // negotiation only
    if (!probe.ok) {
      call.reject(488, "Not Acceptable Here");
      return undefined;
    }
    const m = probe.media;
    // The call's uuid as affinity: the legs it bridges to get their streams on the same media worker.
    const stream = await engine.createStream({
      affinity: this.deps.uuid,
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

  private createChannel(): Channel {
    const { call, uuid, sipLocal } = this.deps;
    const channel = new Channel(
      uuid,
      callVariables(call, {
        uuid,
        context: this.deps.context,
        profile: "ivr",
        localAddress: sipLocal.address,
        localPort: sipLocal.port,
      }),
    );
    const sounds = this.deps.globals.get("sounds_dir");
    if (sounds !== undefined) channel.setVar("sound_prefix", sounds);
    return channel;
  }

  /** SIP and media events feed the channel; timers end the call. Undone in run()'s clean-up. */
  private wireEvents(media: NegotiatedMedia, channel: Channel, onEnd: (cause: string) => void): void {
    const { call } = this.deps;
    const { stream, sdp } = media;
    const on = <K extends keyof CallEvents>(event: K, fn: (...args: CallEvents[K]) => void) => {
      call.on(event, fn);
      // The SIP layer keeps the ended Call for Timer L (64*T1 = 32 s, RFC 6026); without our
      // listeners it no longer holds the session, channel and media of the call (~30 KB each).
      this.cleanups.push(() => call.off(event, fn));
    };
    if (media.lateOffer) {
      on("ack", (ack) => {
        const a = sdp.readAnswer(ack.body.toString("utf8"));
        if (!a.ok) {
          this.log("notice", `no usable answer in the ACK (${a.reason})`);
          return;
        }
        const m = a.media;
        void stream
          .update({ remote: { address: m.remoteAddress, port: m.remotePort }, codec: m.codec, payloadType: m.payloadType, dtmfPt: m.dtmfPayloadType ?? null })
          .catch(() => undefined);
      });
    }
    on("dtmf", (d) => channel.pushDtmf(d.digit, Math.round(d.durationMs * 8)));
    stream.on("dtmf", (d) => channel.pushDtmf(d.digit, d.durationSamples));
    on("ended", (e: CallEnded) => {
      if (e.by === "remote" && this.channel?.up !== false) this.endedBy ??= "caller";
      else if (e.by === "timeout") this.endedBy ??= "system";
      onEnd(e.cause);
      channel.markHangup(e.cause);
    });
    on("reinvite", (r: ReinviteRequest) => {
      const a = sdp.answer(r.offer || call.offer, stream.port);
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
    });
    stream.on("mediaTimeout", () => {
      this.log("notice", "no RTP from the caller: MEDIA_TIMEOUT");
      this.hangup("MEDIA_TIMEOUT");
    });
    if (this.deps.maxDurationMs > 0) {
      const timer = setTimeout(() => this.hangup("ALLOTTED_TIMEOUT"), this.deps.maxDurationMs);
      this.cleanups.push(() => clearTimeout(timer));
    }
  }

  /** The CallControl port the Session drives: SIP answer, early media, hangup. */
  private control(media: NegotiatedMedia): CallControl {
    const { call } = this.deps;
    const { localSdp, lateOffer } = media;
    return {
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
      ring: async () => (call.state === "early" ? true : call.ring()),
      hangup: (cause) => this.hangupSip(cause),
      transfer: () => true,
      refer: (target) => this.referCaller(target),
    };
  }

  /** mod_sofia's deflect: REFER the caller's side, then wait (10 s at most) for the final NOTIFY. */
  private async referCaller(target: string): Promise<ReferOutcome> {
    const { call, sipLocal } = this.deps;
    const port = sipLocal.port === 5060 ? "" : `:${sipLocal.port}`;
    const uri = /^sip:/i.test(target) ? target : `sip:${target}@${sipLocal.address}${port}`;
    // Our own names: the address we listen on and the one the caller dialled.
    const dialled = /@([^;:>]+)/.exec(call.invite.uri)?.[1] ?? sipLocal.address;
    const ours = { hosts: [sipLocal.address, dialled.toLowerCase()], port: sipLocal.port };
    const refused = this.deps.outbound?.referRefusal?.(uri, ours) ?? outgoingReferRefusal(uri, ours);
    if (refused) return { status: 0, refused };
    // Answered but not yet ACKed: a REFER needs the confirmed dialog (at most Timer H later).
    if (call.state === "answered") {
      await new Promise<void>((resolve) => {
        call.once("ack", () => resolve());
        call.once("ended", () => resolve());
      });
    }
    let onNotify!: (n: ReferNotify) => void;
    const final = new Promise<ReferNotify | undefined>((resolve) => {
      onNotify = (n) => {
        if (n.status >= 200 || n.terminated) resolve(n);
      };
      const t = setTimeout(() => resolve(undefined), 10_000);
      t.unref();
      call.on("ended", () => resolve(undefined));
    });
    call.on("referNotify", onNotify);
    try {
      const r = await call.refer(uri, `sip:${sipLocal.address}${port}`);
      this.log("notice", `REFER to ${uri}: ${r.status} ${r.reason}`);
      if (r.status >= 300) return { status: r.status };
      const n = await final;
      return { status: r.status, targetStatus: n?.status, reply: n?.sipfrag };
    } finally {
      call.off("referNotify", onNotify);
    }
  }

  /** The route's script, then each transfer target's, until the dialplan has nothing left. */
  private async runScripts(media: NegotiatedMedia, channel: Channel, logger: CallLogger | undefined): Promise<void> {
    const callMedia = new CallMedia(
      media.stream,
      channel,
      this.deps.soundsDir,
      this.deps.tts,
      (level, msg) => this.log(level, msg),
      this.deps.recordingsDir,
    );
    const control = this.control(media);
    let route: Route | undefined = this.deps.route;
    let transfers = 0;
    // Legs a script left up on purpose: they end with the call (nothing else would end them).
    const kept: FsSession[] = [];
    this.cleanups.push(() => {
      for (const leg of kept) leg.doHangup("NORMAL_CLEARING");
    });
    while (route) {
      if (this.deps.inbandDtmfRoutes.has(route.pattern)) callMedia.setInbandDtmf(true);
      callMedia.setFileAccess(route.files);
      const session = new FsSession({
        channel,
        control,
        media: callMedia,
        log: (level, msg) => this.log(level, msg),
        onMethod: logger ? (r) => logger.method(r) : undefined,
        globals: this.deps.globals,
        clock: this.deps.clock,
        outbound: this.deps.outbound,
        script: route.script,
        phrases: this.deps.phrases,
      });
      this.session = session;
      this.deps.onSession(session);
      const end = await this.deps.runScript(route, session);
      // The script's objects are gone: legs it made hang up unless it called setAutoHangup(false).
      kept.push(...session.releaseOwnedLegs());
      if (end.kind === "error") this.log("err", `script ${route.script} failed: ${end.message}`);
      if (end.kind === "killed") {
        // The host stopped the script (CPU budget, memory limit): the call cannot go on.
        this.log("err", `script ${route.script} stopped (${end.reason}): NORMAL_TEMPORARY_FAILURE`);
        session.doHangup("NORMAL_TEMPORARY_FAILURE");
        break;
      }
      const t = channel.transferPending;
      if (t && channel.up) {
        if (++transfers > MAX_TRANSFERS) {
          session.doHangup("EXCHANGE_ROUTING_ERROR");
          break;
        }
        channel.resetForTransfer();
        channel.setVar("destination_number", t.extension);
        route = this.deps.findRoute(t.extension);
        if (!route) {
          this.log("notice", `transfer to ${t.extension}: no route`);
          session.doHangup("NO_ROUTE_DESTINATION");
        }
        continue;
      }
      // The dialplan has no further action: FreeSWITCH hangs up with NORMAL_CLEARING.
      if (channel.up) session.doHangup("NORMAL_CLEARING");
      route = undefined;
    }
  }
}
