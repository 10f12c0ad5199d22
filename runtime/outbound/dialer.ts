// The narrow interface the originate engine needs from a SIP user-agent client: place one
// INVITE, hear about its progress, end it. runtime/sip's UAC implements it (see sip-dialer.ts);
// tests use a scripted fake. Keeping it this small lets the engine be tested without sockets.
import type { HangupCause } from "../../flow/hangup-causes";
import type { SipTarget } from "./destinations";

export interface DialRequest {
  target: SipTarget;
  /** From: user part (caller-ID number) and display name. */
  callerIdNumber: string;
  callerIdName: string;
  /** Extra headers for the INVITE (only X- headers, from sip_h_X-* variables). */
  headers: Array<[string, string]>;
  /** Our SDP offer (the leg's RTP stream). */
  sdp: string;
  /** Groups the legs of one call (both legs of a bridge may share a media worker). */
  affinity: string;
}

/** What the far end did, in the order it did it. */
export type LegSignal =
  /** 180 without SDP: the phone rings (ring_ready). */
  | { kind: "ringing"; status: number }
  /** 18x with SDP: early media (ringback tone or announcements from the far end). */
  | { kind: "early"; status: number; sdp: string }
  /** 2xx: answered; sdp is the answer to our offer. */
  | { kind: "answered"; sdp: string }
  /** The leg is over: a final failure response, CANCEL/BYE done, or a BYE from the far end. */
  | { kind: "ended"; cause: HangupCause; sipStatus?: number; sipReason?: string }
  /** RFC 2833/INFO digit from the far end while up. */
  | { kind: "dtmf"; digit: string; durationMs: number }
  /** The far end asks us to transfer (SIP REFER): answer it with accept() or reject(), then notify(). */
  | { kind: "refer"; referTo: string; referredBy?: string; accept(): void; reject(status: number, reason?: string): void; notify(status: number, reason: string): Promise<void> };

export interface DialedLeg {
  /** SIP Call-ID, for logs. */
  readonly callId: string;
  /** Subscribe to the leg's signals (called synchronously for nothing already past). */
  onSignal(listener: (signal: LegSignal) => void): void;
  /**
   * End the leg: CANCEL before the answer, BYE after it, each with `Reason: Q.850;cause=N`.
   * An "ended" signal follows (at once if the leg is already over).
   */
  hangup(cause: HangupCause): void;
}

export interface Dialer {
  dial(request: DialRequest): DialedLeg;
}

/** A dialer for a runtime without a SIP client: every leg fails at once. */
export class UnavailableDialer implements Dialer {
  constructor(private readonly cause: HangupCause = "CHAN_NOT_IMPLEMENTED") {}

  dial(): DialedLeg {
    const listeners: Array<(s: LegSignal) => void> = [];
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      for (const l of listeners) l({ kind: "ended", cause: this.cause });
    };
    queueMicrotask(end);
    return {
      callId: "unavailable",
      onSignal: (l) => listeners.push(l),
      hangup: () => end(),
    };
  }
}
