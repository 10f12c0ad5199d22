// A scripted far end for the originate engine: each dialed destination follows a list of
// steps (ring after 20 ms, answer after 50 ms, ...). Records what we sent (hangup causes).
import type { HangupCause } from "../../flow/hangup-causes";
import type { DialedLeg, Dialer, DialRequest, LegSignal } from "../../runtime/outbound/dialer";

export type Step =
  | { at: number; ring: true }
  | { at: number; early: true }
  | { at: number; answer: true }
  /** The far end ends the leg: a failure response before the answer, a BYE after it. */
  | { at: number; end: HangupCause; status?: number }
  | { at: number; dtmf: string };

export interface DialRecord {
  request: DialRequest;
  /** Causes we gave when ending the leg (CANCEL/BYE). */
  hangups: HangupCause[];
  /** What the far end did, in order. */
  signals: LegSignal["kind"][];
  answered: boolean;
  ended: boolean;
}

let callIds = 0;

export class FakeDialer implements Dialer {
  readonly dialed: DialRecord[] = [];

  /**
   * Steps per destination (SipTarget.destination), or one list per attempt (the last repeats);
   * `fallback` for the rest (default: ring forever).
   */
  constructor(
    private readonly scripts: Record<string, Step[] | Step[][]> = {},
    private readonly fallback: Step[] = [{ at: 10, ring: true }],
  ) {}

  private stepsFor(destination: string): Step[] {
    const s = this.scripts[destination];
    if (!s) return this.fallback;
    if (s.length > 0 && Array.isArray(s[0])) {
      const attempts = s as Step[][];
      const n = this.byDestination(destination).length - 1;
      return attempts[Math.min(n, attempts.length - 1)];
    }
    return s as Step[];
  }

  byDestination(d: string): DialRecord[] {
    return this.dialed.filter((r) => r.request.target.destination === d);
  }

  dial(request: DialRequest): DialedLeg {
    const listeners: Array<(s: LegSignal) => void> = [];
    const record: DialRecord = { request, hangups: [], signals: [], answered: false, ended: false };
    this.dialed.push(record);
    const timers: NodeJS.Timeout[] = [];
    const emit = (s: LegSignal) => {
      if (record.ended) return;
      record.signals.push(s.kind);
      if (s.kind === "answered") record.answered = true;
      if (s.kind === "ended") {
        record.ended = true;
        for (const t of timers) clearTimeout(t);
      }
      for (const l of listeners) l(s);
    };
    for (const step of this.stepsFor(request.target.destination)) {
      timers.push(
        setTimeout(() => {
          if ("ring" in step) emit({ kind: "ringing", status: 180 });
          else if ("early" in step) emit({ kind: "early", status: 183, sdp: "v=0\r\n" });
          else if ("answer" in step) emit({ kind: "answered", sdp: "v=0\r\n" });
          else if ("dtmf" in step) emit({ kind: "dtmf", digit: step.dtmf, durationMs: 100 });
          else emit({ kind: "ended", cause: step.end, sipStatus: step.status });
        }, step.at),
      );
    }
    return {
      callId: `fake-${++callIds}`,
      onSignal: (l) => listeners.push(l),
      hangup: (cause) => {
        record.hangups.push(cause);
        // CANCEL -> 487; BYE -> 200: either way the leg is over.
        setTimeout(() => emit({ kind: "ended", cause, sipStatus: record.answered ? undefined : 487 }), 1);
      },
    };
  }
}
