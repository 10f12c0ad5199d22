// One outbound leg: the SIP side (a DialedLeg), its RTP side (LegMedia), and the FreeSWITCH
// channel and session scripts see for it (freeswitch.Session(...) returns that session).
import type { HangupCause } from "../../flow/hangup-causes";
import { Channel } from "../session/channel";
import type { CallControl, LogSink, OutboundPort } from "../session/ports";
import { FsSession } from "../session/session";
import type { DialedLeg, LegSignal } from "./dialer";
import type { LegMedia } from "./leg-media";

export type LegState = "calling" | "ringing" | "early" | "answered" | "ended";

export interface LegInit {
  /** The leg's channel, with its variables ({..} and [..] ones included). */
  channel: Channel;
  dialed: DialedLeg;
  media: LegMedia;
  /** Frees the leg's place in the outbound limits. */
  release: () => void;
  log: LogSink;
  globals: Map<string, string>;
  outbound: OutboundPort;
  /** The channel that hears about this leg's end (originator, then bridge partner). */
  partner?: Channel;
}

export class OutboundLeg {
  readonly channel: Channel;
  readonly session: FsSession;
  state: LegState = "calling";
  /** Saw 180 (CF_RING_READY). */
  ringReady = false;
  endCause: HangupCause | undefined;
  sipStatus: number | undefined;
  partner: Channel | undefined;
  private readonly dialed: DialedLeg;
  readonly media: LegMedia;
  private readonly release: () => void;
  private readonly changeWaiters = new Set<() => void>();
  private closed = false;
  /** Who decides on a REFER from the far end (the bridge, while it lasts); nobody: 603. */
  onRefer?: (refer: Extract<LegSignal, { kind: "refer" }>) => void;

  constructor(init: LegInit) {
    this.dialed = init.dialed;
    this.media = init.media;
    this.release = init.release;
    this.partner = init.partner;
    this.channel = init.channel;
    this.channel.executeState = "CS_SOFT_EXECUTE";
    const control: CallControl = {
      // An outbound leg is answered by the far end; FreeSWITCH's answer() on it just reports success.
      answer: async () => this.channel.up,
      preAnswer: async () => this.channel.up,
      hangup: (cause) => this.hangup(cause),
      transfer: () => false,
    };
    this.session = new FsSession({
      channel: this.channel,
      control,
      media: init.media.port,
      log: init.log,
      globals: init.globals,
      outbound: init.outbound,
    });
    this.session.originateCause = "SUCCESS";
    init.dialed.onSignal((s) => this.onSignal(s));
  }

  get uuid(): string {
    return this.channel.uuid;
  }

  get up(): boolean {
    return this.state !== "ended";
  }

  get answered(): boolean {
    return this.channel.answered;
  }

  get earlyMedia(): boolean {
    return this.channel.earlyMedia;
  }

  /** Resolves at the leg's next signal (or at once if it is already over). */
  changed(): Promise<void> {
    if (!this.up) return Promise.resolve();
    return new Promise((resolve) => this.changeWaiters.add(resolve));
  }

  private notify(): void {
    const ws = [...this.changeWaiters];
    this.changeWaiters.clear();
    for (const w of ws) w();
    this.channel.notifyChange();
  }

  private onSignal(s: LegSignal): void {
    if (!this.up) return;
    switch (s.kind) {
      case "ringing":
        this.ringReady = true;
        if (this.state === "calling") this.state = "ringing";
        break;
      case "early":
        if (this.channel.answered) break;
        void this.applyRemote(s.sdp, () => {
          this.channel.earlyMedia = true;
          if (this.state !== "answered") this.state = "early";
        });
        return;
      case "answered":
        void this.applyRemote(s.sdp, () => {
          this.channel.answered = true;
          this.state = "answered";
          this.media.watchTimeout?.(() => this.hangup("MEDIA_TIMEOUT"));
        });
        return;
      case "dtmf":
        this.channel.pushDtmf(s.digit, Math.round(s.durationMs * 8));
        return;
      case "refer":
        if (this.onRefer) this.onRefer(s);
        else s.reject(603, "Decline");
        return;
      case "ended":
        this.sipStatus = s.sipStatus;
        if (s.sipStatus !== undefined) {
          this.channel.setVar("sip_term_status", String(s.sipStatus));
          this.channel.setVar("proto_specific_hangup_cause", `sip:${s.sipStatus}`);
          if (s.sipStatus >= 300 && !this.channel.answered) this.channel.setVar("sip_invite_failure_status", String(s.sipStatus));
        }
        this.finish(this.endCause ?? s.cause);
        return;
    }
    this.notify();
  }

  /** Early or answer SDP: the stream follows it; nothing usable ends the leg (INCOMPATIBLE_DESTINATION). */
  private async applyRemote(sdp: string, then: () => void): Promise<void> {
    const ok = sdp.trim() === "" ? true : await this.media.remote(sdp).catch(() => false);
    if (!this.up) return;
    if (!ok) {
      this.hangup("INCOMPATIBLE_DESTINATION");
      return;
    }
    then();
    this.notify();
  }

  /** End the leg (CANCEL or BYE with our cause); the first cause given is the leg's cause. */
  hangup(cause: HangupCause): void {
    if (!this.up) return;
    this.endCause ??= cause;
    this.dialed.hangup(cause);
    // The SIP side confirms with an "ended" signal; the leg counts as down from now.
    this.finish(cause);
  }

  private finish(cause: HangupCause): void {
    if (this.state === "ended") return;
    this.state = "ended";
    this.endCause ??= cause;
    this.channel.markHangup(this.endCause);
    // switch_channel_set_variable_partner: the originator (or bridge partner) learns how we ended.
    if (this.partner) {
      this.partner.setVar("last_bridge_hangup_cause", this.endCause);
      if (this.sipStatus !== undefined) this.partner.setVar("last_bridge_proto_specific_hangup_cause", `sip:${this.sipStatus}`);
      const failure = this.channel.getVar("sip_invite_failure_status");
      if (failure !== undefined) this.partner.setVar("sip_invite_failure_status", failure);
    }
    this.release();
    if (!this.closed) {
      this.closed = true;
      void this.media.close().catch(() => undefined);
    }
    this.notify();
  }
}
