// An originate engine over the fake dialer, and callers (A legs) with in-memory ports.
import { Destinations, parseGatewaySpec, parseUserSpec } from "../../runtime/outbound/destinations";
import { silentLegMedia } from "../../runtime/outbound/leg-media";
import { Outbound } from "../../runtime/outbound/outbound";
import { OutboundPolicy, type OutboundLimits } from "../../runtime/outbound/policy";
import { Channel } from "../../runtime/session/channel";
import { FsSession, type MethodRecord } from "../../runtime/session/session";
import { FakeControl, FakeMedia } from "../session/fakes";
import { FakeDialer, type Step } from "./fake-dialer";

export class RingingControl extends FakeControl {
  rings = 0;
  async ring() {
    this.rings++;
    return true;
  }
}

export interface EngineSetup {
  scripts?: Record<string, Step[] | Step[][]>;
  fallback?: Step[];
  limits?: OutboundLimits;
  gateways?: string[];
  users?: string[];
  /** Users with a registration (default: all configured users). */
  registered?: string[];
}

export function makeEngine(setup: EngineSetup = {}) {
  const logs: Array<[string, string]> = [];
  const log = (level: string, msg: string) => void logs.push([level, msg]);
  const users = (setup.users ?? ["1000:password1000", "1001:password1001", "1002:password1002"]).map((u) => parseUserSpec(u));
  const registered = new Set(setup.registered ?? users.map((u) => u.number));
  const destinations = new Destinations(
    { gateways: (setup.gateways ?? ["carrier=198.51.100.7:5080;allow=1NXXNXXXXXX"]).map((g) => parseGatewaySpec(g)), users },
    (u) => (registered.has(u) ? { uri: `sip:${u}@127.0.0.1:5062`, host: "127.0.0.1", port: 5062 } : undefined),
  );
  const dialer = new FakeDialer(setup.scripts, setup.fallback);
  const policy = new OutboundPolicy(setup.limits ?? { maxCalls: 50, callsPerMinute: 500 });
  const globals = new Map<string, string>([["us-ring", "%(2000,4000,440,480)"]]);
  const outbound = new Outbound({ destinations, policy, dialer, media: silentLegMedia, log, globals });

  let n = 0;
  /** An inbound caller whose script runs `script`. */
  const caller = (vars: Record<string, string> = {}, answered = true, onMethod?: (r: MethodRecord) => void) => {
    const channel = new Channel(`aaaaaaaa-0000-4000-8000-${String(++n).padStart(12, "0")}`, {
      destination_number: "5000",
      caller_id_number: "15557654321",
      caller_id_name: "Alice",
      context: "default",
      ...vars,
    });
    channel.answered = answered;
    const control = new RingingControl();
    const media = new FakeMedia();
    const session = new FsSession({ channel, control, media, log, globals, outbound, script: "menu.lua", onMethod });
    return { session, channel, control, media };
  };
  return { outbound, dialer, policy, logs, caller, globals, destinations };
}
