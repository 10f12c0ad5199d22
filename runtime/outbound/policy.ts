// The toll-fraud guard's counting half: how many outbound legs are up, per route and in total,
// and how many were started in the last minute. (The other half, what may be dialed at all,
// is the configuration in destinations.ts: configured routes and their allow-lists.)
// Open SIP servers get scanned and bridged to premium numbers within hours; limits keep a
// script bug or a hijacked flow from running up a bill.
import type { HangupCause } from "../../flow/hangup-causes";

export interface OutboundLimits {
  /** Outbound legs up at the same time, all routes together (0 = none allowed). */
  maxCalls: number;
  /** Outbound legs started per minute, all routes together (0 = none allowed). */
  callsPerMinute: number;
}

export const DEFAULT_OUTBOUND_LIMITS: OutboundLimits = { maxCalls: 20, callsPerMinute: 60 };

export interface RouteLimits {
  /** 0 = only the global limit. */
  maxCalls: number;
  /** 0 = only the global limit. */
  callsPerMinute: number;
}

export type Admission = { ok: true; release: () => void } | { ok: false; cause: HangupCause; reason: string };

const WINDOW_MS = 60_000;

class Counter {
  active = 0;
  private starts: number[] = [];

  recent(now: number): number {
    while (this.starts.length && now - this.starts[0] >= WINDOW_MS) this.starts.shift();
    return this.starts.length;
  }

  start(now: number): void {
    this.active++;
    this.starts.push(now);
  }
}

export class OutboundPolicy {
  private readonly total = new Counter();
  private readonly routes = new Map<string, Counter>();

  constructor(
    private limits: OutboundLimits = DEFAULT_OUTBOUND_LIMITS,
    /** Monotonic milliseconds (tests pin it). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** New limits apply to the next legs; the legs up and started in the last minute still count. */
  setLimits(limits: OutboundLimits): void {
    this.limits = limits;
  }

  get activeCalls(): number {
    return this.total.active;
  }

  /** Count one leg on `route`; release() once it is over (idempotent). */
  admit(route: string, routeLimits: RouteLimits): Admission {
    const t = this.now();
    let r = this.routes.get(route);
    if (!r) {
      r = new Counter();
      this.routes.set(route, r);
    }
    if (this.total.active >= this.limits.maxCalls) {
      return { ok: false, cause: "CALL_REJECTED", reason: `${this.limits.maxCalls} outbound calls already up (limit)` };
    }
    if (routeLimits.maxCalls > 0 && r.active >= routeLimits.maxCalls) {
      return { ok: false, cause: "CALL_REJECTED", reason: `${routeLimits.maxCalls} calls already up on ${route} (limit)` };
    }
    if (this.total.recent(t) >= this.limits.callsPerMinute) {
      return { ok: false, cause: "CALL_REJECTED", reason: `${this.limits.callsPerMinute} outbound calls in the last minute (limit)` };
    }
    if (routeLimits.callsPerMinute > 0 && r.recent(t) >= routeLimits.callsPerMinute) {
      return { ok: false, cause: "CALL_REJECTED", reason: `${routeLimits.callsPerMinute} calls in the last minute on ${route} (limit)` };
    }
    this.total.start(t);
    r.start(t);
    const counter = r;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total.active--;
        counter.active--;
      },
    };
  }
}
