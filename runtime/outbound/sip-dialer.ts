// The Dialer over runtime/sip's user-agent client (stack.placeCall): one INVITE per leg, its
// provisional, early-media, answer and end events turned into the engine's leg signals.
import type { OutboundCall, PlaceCallOptions } from "../sip/outbound-call";
import type { DialedLeg, Dialer, DialRequest, LegSignal } from "./dialer";

export class SipDialer implements Dialer {
  constructor(
    private readonly placeCall: (options: PlaceCallOptions) => OutboundCall,
    private readonly log: (level: string, message: string) => void = () => {},
  ) {}

  dial(request: DialRequest): DialedLeg {
    const { target } = request;
    const call = this.placeCall({
      target: target.requestUri,
      // The gateway's address, or where the user's REGISTER came from (a phone behind NAT).
      destination: `${target.host}:${target.port}`,
      from: { user: request.callerIdNumber, displayName: request.callerIdName || undefined },
      sdp: request.sdp,
      auth: target.auth,
      headers: request.headers,
    });
    const listeners: Array<(s: LegSignal) => void> = [];
    const emit = (s: LegSignal) => {
      for (const l of listeners) l(s);
    };
    // 18x without SDP rings (CF_RING_READY); with SDP it is early media (the "early" event).
    call.on("progress", (e) => emit({ kind: "ringing", status: e.status }));
    call.on("early", (e) => emit({ kind: "early", status: e.status, sdp: e.sdp }));
    call.on("answered", (e) => emit({ kind: "answered", sdp: e.sdp }));
    call.on("dtmf", (d) => emit({ kind: "dtmf", digit: d.digit, durationMs: d.durationMs }));
    call.on("ended", (e) => emit({ kind: "ended", cause: e.cause, sipStatus: e.status }));
    call.on("refer", (r) =>
      emit({
        kind: "refer",
        referTo: r.referTo,
        referredBy: r.referredBy,
        accept: () => void r.accept(),
        reject: (status, reason) => void r.reject(status, reason),
        notify: (status, reason) => r.notify(status, reason),
      }),
    );
    return {
      callId: call.callId,
      onSignal: (l) => listeners.push(l),
      hangup: (cause) => {
        call.hangup(cause).catch((e: unknown) => this.log("notice", `outbound leg ${call.callId}: hangup failed: ${(e as Error)?.message ?? e}`));
      },
    };
  }
}
