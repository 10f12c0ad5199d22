// Bridges in flow test cases: the runtime's own originate engine (runtime/outbound/outbound.ts,
// FreeSWITCH's switch_ivr_originate and after-bridge rules) with a scripted far end instead of a
// SIP client. A case's `bridges` say how each dialled party behaves (answers, is busy, does not
// answer, fails); the engine then sets originate_disposition, DIALSTATUS, originate_failed_cause
// and last_bridge_hangup_cause exactly as for a real call, and the flow branches on those.
import type { HangupCause } from "../../flow/hangup-causes";
import type { BridgeStub } from "../../flow/test-cases";
import type { Endpoint } from "../outbound/dial-string";
import type { DialedLeg, Dialer, DialRequest, LegSignal } from "../outbound/dialer";
import { Destinations, type Resolution } from "../outbound/destinations";
import { silentLegMedia } from "../outbound/leg-media";
import { Outbound, type MediaRelay } from "../outbound/outbound";
import { OutboundPolicy } from "../outbound/policy";
import type { LogSink } from "../session/ports";

/** How long a party rings before it answers (or is busy, or fails) when the stub does not say. */
export const DEFAULT_RING_MS = 2000;
/** How long an answered party talks before hanging up when the stub does not say. */
export const DEFAULT_TALK_MS = 10_000;

/** Every gateway, user and host is reachable: which party answers is the case's to say. */
class AnyDestination extends Destinations {
  constructor() {
    super({ gateways: [], users: [] });
  }

  override resolve(endpoint: Endpoint): Resolution {
    const to = endpoint.kind === "gateway" ? endpoint.number : endpoint.kind === "user" || endpoint.kind === "registered" || endpoint.kind === "sip" ? endpoint.user : undefined;
    if (to === undefined) return super.resolve(endpoint);
    return {
      ok: true,
      target: { route: "test", requestUri: `sip:${to}@test.invalid`, host: "test.invalid", port: 5060, transport: "udp", destination: to },
    };
  }
}

/**
 * How a dialled party behaves (a case's stub, or what the simulator's user picked); undefined:
 * nobody there (NO_ROUTE_DESTINATION). A promise: the party rings until it settles (the
 * simulator asks its user); `signal` aborts when the engine gives up on the leg first (or it
 * ends); `party.hangUp()` ends the leg from the far end (NORMAL_CLEARING) at any time.
 */
export type FarEndChooser = (to: string, signal: AbortSignal, party: { hangUp(): void }) => BridgeStub | undefined | Promise<BridgeStub | undefined>;

/** The first stub whose `to` matches, each used once (a test case's `bridges`). */
export function stubChooser(stubs: readonly BridgeStub[]): FarEndChooser {
  const left = [...stubs];
  return (to) => {
    const i = left.findIndex((s) => s.to === undefined || s.to === to);
    return i >= 0 ? left.splice(i, 1)[0] : undefined;
  };
}

/** The scripted far ends: each dial rings, then does what the chooser says. */
class ScriptedDialer implements Dialer {
  constructor(
    private readonly choose: FarEndChooser,
    private readonly log: (line: string) => void,
  ) {}

  dial(request: DialRequest): DialedLeg {
    const to = request.target.destination;
    const listeners: Array<(s: LegSignal) => void> = [];
    const timers: NodeJS.Timeout[] = [];
    const abort = new AbortController();
    let ended = false;
    const emit = (s: LegSignal) => {
      if (ended) return;
      if (s.kind === "ended") {
        ended = true;
        for (const t of timers) clearTimeout(t);
        abort.abort();
      }
      for (const l of listeners) l(s);
    };
    const at = (ms: number, s: LegSignal) => timers.push(setTimeout(() => emit(s), ms));
    /** `rung`: the party already rang while the chooser decided (no second ring). */
    const behave = (stub: BridgeStub | undefined, rung: boolean) => {
      this.log(`bridge: dial ${to} -> ${stub ? stub.outcome : "no stub: NO_ROUTE_DESTINATION"}`);
      if (!stub) return at(0, { kind: "ended", cause: "NO_ROUTE_DESTINATION", sipStatus: 404 });
      const ring = rung ? 0 : (stub.ringMs ?? DEFAULT_RING_MS);
      if (ring > 0) at(0, { kind: "ringing", status: 180 });
      switch (stub.outcome) {
        case "answer":
          at(ring, { kind: "answered", sdp: "v=0\r\n" });
          at(ring + (stub.talkMs ?? DEFAULT_TALK_MS), { kind: "ended", cause: "NORMAL_CLEARING" });
          break;
        case "busy":
          at(ring, { kind: "ended", cause: "USER_BUSY", sipStatus: 486 });
          break;
        case "no_answer":
          break; // rings until the originate's timeout ends it (NO_ANSWER)
        case "failed":
          at(ring, { kind: "ended", cause: (stub.cause as HangupCause | undefined) ?? "CALL_REJECTED" });
          break;
      }
    };
    const chosen = this.choose(to, abort.signal, { hangUp: () => emit({ kind: "ended", cause: "NORMAL_CLEARING" }) });
    if (chosen instanceof Promise) {
      at(0, { kind: "ringing", status: 180 });
      chosen.then(
        (stub) => !ended && behave(stub, true),
        () => !ended && behave(undefined, true),
      );
    } else behave(chosen, false);
    return {
      callId: `test-bridge-${to}`,
      onSignal: (l) => listeners.push(l),
      hangup: (cause) => emit({ kind: "ended", cause }),
    };
  }
}

/** An OutboundPort whose dials follow a test case's stubs (or a chooser); `relay`: what the caller hears while bridged. */
export function virtualOutbound(
  far: readonly BridgeStub[] | FarEndChooser,
  options: { log: LogSink; logLine: (line: string) => void; globals: Map<string, string>; relay?: MediaRelay },
): Outbound {
  return new Outbound({
    destinations: new AnyDestination(),
    policy: new OutboundPolicy({ maxCalls: 50, callsPerMinute: 10_000 }),
    dialer: new ScriptedDialer(typeof far === "function" ? far : stubChooser(far), options.logLine),
    ...(options.relay ? { relay: options.relay } : {}),
    media: silentLegMedia,
    log: options.log,
    globals: options.globals,
  });
}
