// The originate engine and the bridge: FreeSWITCH's switch_ivr_originate (src/switch_ivr_originate.c),
// switch_ivr_multi_threaded_bridge's after-bridge rules (src/switch_ivr_bridge.c) and
// switch_channel_handle_cause (src/switch_channel.c), on the runtime's sessions.
//
// What FreeSWITCH does, and so what this does:
// - groups separated by '|' are tried in order; the legs of a group (',') ring together and the
//   first to answer (or to bring early media, unless ignore_early_media) wins; the others are
//   cancelled with LOSE_RACE (NO_ANSWER on timeout, ORIGINATOR_CANCEL when the caller leaves);
// - a group that timed out ends the whole originate unless originate_continue_on_timeout;
// - the A leg hears `ringback` once a leg rings, and is answered when the winner answers;
// - on the A leg: originate_disposition and DIALSTATUS after every group, last_bridge_hangup_cause
//   whenever one of its legs ends;
// - a failed bridge hangs the A leg up unless continue_on_fail allows the cause (NO_ANSWER,
//   NO_USER_RESPONSE and ORIGINATOR_CANCEL always continue when continue_on_fail is unset);
// - when the B leg hangs up the A leg's script continues, unless hangup_after_bridge=true.
import { randomUUID } from "node:crypto";
import { HANGUP_CAUSES, nameToCause, type HangupCause } from "../../flow/hangup-causes";
import { Channel } from "../session/channel";
import type { BridgeOptions, LogSink, OriginateOutcome, OriginateRequest, OutboundPort, PlayHandle } from "../session/ports";
import type { FsSession } from "../session/session";
import { isTrue, legVariables, parseDialString, type DialLeg, type DialString } from "./dial-string";
import type { Destinations } from "./destinations";
import type { Dialer, LegSignal } from "./dialer";
import { OutboundLeg } from "./leg";
import type { LegMediaFactory } from "./leg-media";
import type { OutboundPolicy } from "./policy";
import { incomingReferTarget, outgoingReferRefusal } from "./refer";

/** Relays audio (and RFC 4733 digits) between two bridged legs; runtime/media implements it. */
export interface MediaRelay {
  /** Start relaying between the two sessions' streams; resolves to the function that stops it. */
  connect(a: FsSession, b: FsSession): Promise<(() => Promise<void>) | undefined>;
}

export interface OutboundOptions {
  destinations: Destinations;
  policy: OutboundPolicy;
  dialer: Dialer;
  media: LegMediaFactory;
  relay?: MediaRelay;
  log: LogSink;
  globals: Map<string, string>;
  /** Our SIP address (a REFER from a bridged phone may only name it) and whether an extension is routed here. */
  referTargets?: { ours(): { hosts: string[]; port: number }; routed(extension: string): boolean };
}

/** Variables switch_ivr_originate copies from the A leg when the dial string does not set them. */
const FROM_CALLER = new Set([
  "ignore_early_media", "originate_continue_on_timeout", "fail_on_single_reject", "hangup_on_single_reject",
  "instant_ringback", "progress_timeout", "ignore_ring_ready", "language",
]);

/** FreeSWITCH's defaults when no caller-ID is known (SWITCH_DEFAULT_CLID_*). */
const DEFAULT_CID_NUMBER = "0000000000";

/** atoi: the leading integer, 0 when there is none. */
function atoi(v: string | undefined): number {
  const n = Number.parseInt(v ?? "", 10);
  return Number.isFinite(n) ? n : 0;
}

/** A cause name or number in a comma list (continue_on_fail, failure_causes), as FreeSWITCH compares. */
function causeListed(list: string, cause: HangupCause): boolean {
  const num = String(HANGUP_CAUSES[cause]);
  return list.split(",").some((item) => {
    const t = item.trim();
    return t.toUpperCase() === cause || t === num;
  });
}

/** DIALSTATUS for a cause (the end of switch_ivr_originate). */
function dialStatus(cause: string): string {
  switch (cause) {
    case "ORIGINATOR_CANCEL": return "CANCEL";
    case "USER_BUSY": return "BUSY";
    case "NO_ANSWER": return "NOANSWER";
    case "DESTINATION_OUT_OF_ORDER": case "INVALID_PROFILE": return "INVALIDARGS";
    case "CALL_REJECTED": return "DONTCALL";
    default: return cause;
  }
}

interface PlacedLeg {
  leg: OutboundLeg;
  /** leg_timeout (ms from the group's start; 0 = none): the leg ends with ALLOTTED_TIMEOUT. */
  timeoutMs: number;
  /** leg_progress_timeout: no 18x by then ends the leg with PROGRESS_TIMEOUT. */
  progressMs: number;
}

interface GroupResult {
  leg?: OutboundLeg;
  cause: HangupCause;
  /** Ends the '|' failover (a timeout, fail_on_single_reject, the caller gone). */
  stop: boolean;
  force?: HangupCause;
  /** Skip setting originate_disposition/DIALSTATUS (FreeSWITCH jumps past them). */
  skipVars?: boolean;
}

/** The settings of one originate, read once from the dial string and the A leg. */
interface Settings {
  dial: DialString;
  caller: FsSession | undefined;
  timeoutMs: number;
  progressMs: number;
  earlyOk: boolean;
  continueOnTimeout: boolean;
  failOnSingleReject: 0 | 1 | -1;
  failOnSingleRejectVar: string | undefined;
  instantRingback: boolean;
  ignoreRingReady: boolean;
  ringback: string | undefined;
  requester: FsSession | undefined;
}

export class Outbound implements OutboundPort {
  private readonly legs = new WeakMap<FsSession, OutboundLeg>();

  constructor(private readonly options: OutboundOptions) {}

  /** Where calls may go from now on (npm start: gateways and users edited in the designer); legs up keep theirs. */
  setDestinations(destinations: Destinations): void {
    this.options.destinations = destinations;
  }

  referRefusal(target: string, ours: { hosts: string[]; port: number }): string | undefined {
    return outgoingReferRefusal(target, ours, this.options.destinations);
  }

  /** The outbound leg behind a session returned by originate (undefined for the inbound leg). */
  legOf(session: FsSession): OutboundLeg | undefined {
    return this.legs.get(session);
  }

  private log(level: string, message: string, s?: FsSession): void {
    this.options.log(level, message, s?.channel.uuid);
  }

  async originate(request: OriginateRequest): Promise<OriginateOutcome> {
    const caller = request.caller;
    const cc = caller?.channel;
    const requester = request.requestedBy ?? caller;
    const parsed = parseDialString(request.dial);
    if (cc) {
      cc.setVar("originate_disposition", "failure");
      cc.setVar("DIALSTATUS", "INVALIDARGS");
    }
    if (!parsed.ok) {
      // FreeSWITCH logs "Parse Error!" and the originate fails as cancelled by the originator.
      this.log("err", `Parse Error! ${parsed.error} (dial string: ${JSON.stringify(request.dial)}${this.where(requester)})`, requester);
      return this.failed(cc, "ORIGINATOR_CANCEL");
    }
    const dial = parsed.dial;
    const s = this.settings(dial, caller, request.timeoutSec, requester);
    const retries = (() => {
      const n = atoi(this.globalVar(dial, caller, "originate_retries"));
      return n > 0 && n <= 100 ? n : 1;
    })();
    const sleepMs = (() => {
      const n = atoi(this.globalVar(dial, caller, "originate_retry_sleep_ms"));
      return n >= 500 && n <= 60_000 ? n : 1000;
    })();
    let cause: HangupCause = "ORIGINATOR_CANCEL";
    let force: HangupCause | undefined;
    outer: for (let attempt = 0; attempt < retries; attempt++) {
      for (let g = 0; g < dial.groups.length; g++) {
        if (attempt > 0 || g > 0) {
          if (cc && !cc.ready) break outer;
        }
        if (attempt > 0 && g === 0) {
          this.log("notice", `Originate attempt ${attempt + 1}/${retries} in ${sleepMs} ms`, requester);
          if (cc) {
            if ((await cc.waitEvent(sleepMs, undefined, false)) === "down") break outer;
          } else await new Promise((r) => setTimeout(r, sleepMs));
        }
        const r = await this.runGroup(s, dial.groups[g]);
        if (r.force) force = r.force;
        if (r.leg) {
          if (cc) {
            cc.setVar("originate_disposition", "SUCCESS");
            cc.setVar("DIALSTATUS", "SUCCESS");
            cc.setVar("signal_bond", r.leg.uuid);
          }
          this.log("debug", `Originate Resulted in Success: [${r.leg.channel.getVar("channel_name") ?? ""}] Peer UUID: ${r.leg.uuid}`, requester);
          this.legs.set(r.leg.session, r.leg);
          return { ok: true, leg: r.leg.session };
        }
        cause = r.cause;
        if (cc && !r.skipVars) {
          cc.setVar("originate_disposition", cause);
          cc.setVar("DIALSTATUS", dialStatus(cause));
        }
        if (r.stop) break outer;
      }
    }
    const final = force ?? cause;
    if (cc && isTrue(this.globalVar(dial, caller, "hangup_on_single_reject")) && caller) caller.doHangup(final);
    return { ok: false, cause: final };
  }

  private failed(cc: Channel | undefined, cause: HangupCause): OriginateOutcome {
    if (cc) {
      cc.setVar("originate_disposition", cause);
      cc.setVar("DIALSTATUS", dialStatus(cause));
    }
    return { ok: false, cause };
  }

  /** A {..} variable, else one of the A leg's that switch_ivr_originate copies. */
  private globalVar(dial: DialString, caller: FsSession | undefined, name: string): string | undefined {
    const v = dial.vars.get(name);
    if (v !== undefined) return v;
    return caller && FROM_CALLER.has(name) ? caller.channel.getVar(name) : undefined;
  }

  private settings(dial: DialString, caller: FsSession | undefined, timeoutSec: number, requester: FsSession | undefined): Settings {
    const cc = caller?.channel;
    const gv = (n: string) => this.globalVar(dial, caller, n);
    let limit = timeoutSec;
    const callTimeout = cc?.getVar("call_timeout");
    if (callTimeout !== undefined) limit = atoi(callTimeout);
    if (limit <= 0) limit = 60;
    const ot = atoi(gv("originate_timeout"));
    if (ot > 0) limit = ot;
    const pt = atoi(gv("progress_timeout"));
    const iem = gv("ignore_early_media");
    const fosrVar = gv("fail_on_single_reject");
    const hosr = isTrue(gv("hangup_on_single_reject"));
    let ringback: string | undefined;
    if (cc) {
      ringback = cc.answered ? cc.getVar("transfer_ringback") : undefined;
      ringback ??= cc.getVar("ringback");
    }
    return {
      dial,
      caller,
      timeoutMs: limit * 1000,
      progressMs: pt > 0 ? pt * 1000 : 0,
      earlyOk: !(isTrue(iem) || iem === "consume" || iem === "ring_ready"),
      continueOnTimeout: isTrue(gv("originate_continue_on_timeout")),
      failOnSingleReject: fosrVar !== undefined || hosr ? (isTrue(fosrVar) ? 1 : -1) : 0,
      failOnSingleRejectVar: fosrVar,
      instantRingback: isTrue(gv("instant_ringback")),
      ignoreRingReady: isTrue(gv("ignore_ring_ready")),
      ringback: ringback === undefined || ringback === "" ? undefined : this.expand(ringback, cc),
      requester,
    };
  }

  /** ${name} in a ringback value: the channel's variable, else a global (us-ring and friends). */
  private expand(value: string, cc: Channel | undefined): string {
    return value.replace(/\$\{([^{}]+)\}/g, (_m, name: string) => cc?.getVar(name) ?? this.options.globals.get(name) ?? "");
  }

  private where(s: FsSession | undefined): string {
    if (!s) return "";
    const node = s.channel.getVar("ivr_node");
    return `, script ${s.script ?? "?"}${node ? `, node ${node}` : ""}`;
  }

  /** fail_on_single_reject's cause test: the cause name found in the variable, '!' negates. */
  private rejectMatches(v: string, cause: HangupCause | undefined): boolean {
    if (!cause) return false;
    const neg = v.startsWith("!");
    const pos = v.toUpperCase().includes(cause);
    return neg ? !pos : pos;
  }

  /** Place one group's legs, wait for a winner, cancel the rest. */
  private async runGroup(s: Settings, group: DialLeg[]): Promise<GroupResult> {
    const cc = s.caller?.channel;
    const placed: PlacedLeg[] = [];
    let reason: HangupCause | undefined;
    for (const spec of group) {
      if (cc && !cc.ready) break;
      const made = await this.placeLeg(s, spec);
      if ("cause" in made) {
        reason = made.cause;
        if (s.failOnSingleRejectVar !== undefined) {
          if (s.failOnSingleReject === 1 || this.rejectMatches(s.failOnSingleRejectVar, reason)) {
            for (const p of placed) p.leg.hangup(reason);
            return { cause: reason, stop: true, force: reason, skipVars: true };
          }
        }
        continue;
      }
      placed.push(made);
    }
    if (cc && !cc.ready) {
      for (const p of placed) p.leg.hangup("ORIGINATOR_CANCEL");
      return { cause: "ORIGINATOR_CANCEL", stop: true };
    }
    if (placed.length === 0) return { cause: reason ?? "ORIGINATOR_CANCEL", stop: false };

    const start = performance.now();
    let idx: number | "nada" | "timeout" | "cancel" = "nada";
    let to = false;
    let force: HangupCause | undefined;
    let sentRing = false;
    let progress = false;
    let ringback: PlayHandle | undefined;
    for (;;) {
      const elapsed = performance.now() - start;
      for (const p of placed) {
        if (!p.leg.up) continue;
        if (p.progressMs && elapsed >= p.progressMs && !(p.leg.ringReady || p.leg.answered || p.leg.earlyMedia)) {
          p.leg.hangup("PROGRESS_TIMEOUT");
          force = "PROGRESS_TIMEOUT";
        }
        if (p.timeoutMs && elapsed >= p.timeoutMs) p.leg.hangup("ALLOTTED_TIMEOUT");
      }
      if (cc && !cc.ready) {
        idx = "cancel";
        break;
      }
      const winner = placed.findIndex((p) => p.leg.up && (p.leg.answered || (s.earlyOk && p.leg.earlyMedia)));
      if (winner >= 0) {
        idx = winner;
        break;
      }
      if (placed.every((p) => !p.leg.up)) break;
      if (placed.some((p) => p.leg.earlyMedia)) progress = true;
      const ringing = placed.some((p) => p.leg.ringReady);
      if (s.progressMs && !sentRing && !progress && elapsed >= s.progressMs) {
        idx = "timeout";
        force ??= "PROGRESS_TIMEOUT";
        break;
      }
      if (elapsed >= s.timeoutMs) {
        to = true;
        idx = "timeout";
        break;
      }
      if (s.failOnSingleReject && placed.some((p) => !p.leg.up)) {
        let ok = false;
        const v = s.failOnSingleRejectVar;
        if (v !== undefined && !isTrue(v)) {
          ok = !placed.some((p) => !p.leg.up && this.rejectMatches(v, p.leg.endCause));
        }
        if (!ok) {
          idx = "timeout";
          break;
        }
      }
      // Ringback: the caller hears it once a leg rings (or at once with instant_ringback).
      if (s.caller && cc) {
        if (s.ringback) {
          if (!ringback && (ringing || progress || s.instantRingback)) ringback = await this.startRingback(s.caller, s.ringback);
        } else if (ringing && !sentRing && !s.ignoreRingReady) {
          sentRing = true;
          if (!cc.answered && !cc.earlyMedia) await s.caller.ringCall();
        }
      }
      // Sleep until something happens or the next deadline.
      const deadlines = [s.timeoutMs, s.progressMs && !sentRing && !progress ? s.progressMs : 0];
      for (const p of placed) {
        if (!p.leg.up) continue;
        if (p.timeoutMs) deadlines.push(p.timeoutMs);
        if (p.progressMs && !(p.leg.ringReady || p.leg.answered || p.leg.earlyMedia)) deadlines.push(p.progressMs);
      }
      const next = Math.min(...deadlines.filter((d) => d > 0)) - (performance.now() - start);
      const change = Promise.race(placed.filter((p) => p.leg.up).map((p) => p.leg.changed()));
      if (cc) await cc.waitEvent(Math.max(0, next), change, false);
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([change, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, next))))]);
        clearTimeout(timer);
      }
    }
    if (ringback) {
      ringback.stop();
      await ringback.done.catch(() => undefined);
    }

    // Everyone but the winner goes: NO_ANSWER on timeout, ORIGINATOR_CANCEL when the caller left,
    // LOSE_RACE for the other legs of a group.
    for (let i = 0; i < placed.length; i++) {
      const leg = placed[i].leg;
      if (i === idx || !leg.up) continue;
      let why: HangupCause;
      if (idx === "timeout" || to) why = "NO_ANSWER";
      else if (idx === "cancel") why = "ORIGINATOR_CANCEL";
      else if (placed.length > 1) why = "LOSE_RACE";
      else why = "NO_ANSWER";
      if (why === "LOSE_RACE" || force === "LOSE_RACE") leg.channel.setVar("group_dial_status", "loser");
      leg.hangup(force ?? why);
    }

    if (typeof idx === "number") {
      const win = placed[idx].leg;
      if (s.caller && cc) {
        let ok = true;
        if (win.answered) {
          if (!cc.answered) ok = await s.caller.answerCall().then(() => cc.answered);
        } else if (win.earlyMedia && !cc.answered && !cc.earlyMedia) {
          await s.caller.preAnswerCall();
          ok = cc.earlyMedia || cc.answered;
        }
        if (!ok || !cc.ready) {
          this.log("debug", `Media Establishment Failed.`, s.caller);
          win.hangup(cc.ready ? "INCOMPATIBLE_DESTINATION" : "ORIGINATOR_CANCEL");
          return { cause: cc.ready ? "INCOMPATIBLE_DESTINATION" : "ORIGINATOR_CANCEL", stop: !cc.ready, force };
        }
      }
      return { leg: win, cause: "SUCCESS", stop: true, force };
    }

    // The failure cause: the first leg's, unless the wait ended by timeout or cancel.
    let cause: HangupCause = placed[0].leg.endCause ?? reason ?? "ORIGINATOR_CANCEL";
    if (cause === "NONE" || cause === "SUCCESS") cause = "ORIGINATOR_CANCEL";
    if (idx === "cancel") cause = "ORIGINATOR_CANCEL";
    else if (idx === "timeout") cause = "NO_ANSWER";
    let stop = idx === "cancel" || (to && !s.continueOnTimeout);
    const v = s.failOnSingleRejectVar;
    if (s.failOnSingleReject && v !== undefined && !isTrue(v) && placed.some((p) => this.rejectMatches(v, p.leg.endCause))) stop = true;
    return { cause, stop, force };
  }

  private async startRingback(caller: FsSession, data: string): Promise<PlayHandle | undefined> {
    const cc = caller.channel;
    // setup_ringback pre-answers an unanswered caller: ringback is early media.
    if (!cc.answered && !cc.earlyMedia) await caller.preAnswerCall();
    if (!cc.ready) return undefined;
    let source: string;
    if (/^silence/i.test(data)) source = "silence_stream://-1";
    else if (data.startsWith("%(") || data.startsWith("v=") || data.startsWith("L=")) source = `tone_stream://${data};loops=-1`;
    else if (data.startsWith("tone_stream://")) source = /;loops=/.test(data) ? data : `${data};loops=-1`;
    else source = data;
    return caller.media.play(source);
  }

  /** Resolve, check the limits, make the media and send the INVITE; or the cause why not. */
  private async placeLeg(s: Settings, spec: DialLeg): Promise<PlacedLeg | { cause: HangupCause }> {
    const { destinations, policy, dialer } = this.options;
    const requester = s.requester;
    const res = destinations.resolve(spec.endpoint);
    if (!res.ok) {
      const level = res.barred ? "warning" : "notice";
      this.log(level, `${res.barred ? "outbound call refused" : "cannot call"} ${spec.text}: ${res.reason} -> ${res.cause}${this.where(requester)}`, requester);
      return { cause: res.cause };
    }
    const target = res.target;
    const gw = spec.endpoint.kind === "gateway" ? destinations.gateway(spec.endpoint.gateway) : undefined;
    const admission = policy.admit(target.route, { maxCalls: gw?.maxCalls ?? 0, callsPerMinute: gw?.callsPerMinute ?? 0 });
    if (!admission.ok) {
      this.log("warning", `outbound call refused ${spec.text}: ${admission.reason} -> ${admission.cause}${this.where(requester)}`, requester);
      return { cause: admission.cause };
    }
    const vars = legVariables(s.dial, spec);
    // origination_caller_id_*: the leg's own wins here (switch_event_merge of [..] into {..}).
    const cidVar = (n: string) => spec.vars.get(n) ?? s.dial.vars.get(n);
    const cc = s.caller?.channel;
    const cidNumber =
      target.callerId ??
      cidVar("origination_caller_id_number") ??
      cc?.getVar("effective_caller_id_number") ??
      cc?.getVar("caller_id_number") ??
      DEFAULT_CID_NUMBER;
    const cidName = cidVar("origination_caller_id_name") ?? cc?.getVar("effective_caller_id_name") ?? cc?.getVar("caller_id_name") ?? cidNumber;
    // Caller-ID comes from scripts and callers: only what a SIP user part and a quoted name may hold.
    const safeNumber = cidNumber.replace(/[^A-Za-z0-9+*#._-]/g, "").slice(0, 32) || DEFAULT_CID_NUMBER;
    const safeName = cidName.replace(/[\x00-\x1f\x7f]/g, "").slice(0, 64);
    const headers: Array<[string, string]> = [];
    for (const [k, v] of vars) {
      const m = /^sip_h_(X-[A-Za-z0-9-]{1,64})$/i.exec(k);
      if (m && !/[\r\n]/.test(v)) headers.push([m[1], v]);
    }
    const affinity = cc?.uuid ?? requester?.channel.uuid ?? "";
    const channel = new Channel(randomUUID(), { direction: "outbound" });
    for (const [k, v] of vars) channel.setVar(k, v);
    channel.setVar("destination_number", target.destination);
    channel.setVar("caller_id_number", safeNumber);
    channel.setVar("caller_id_name", safeName);
    channel.setVar("originate_endpoint", spec.text.slice(0, spec.text.indexOf("/")));
    channel.setVar("channel_name", spec.text);
    channel.setVar("call_uuid", cc?.getVar("call_uuid") ?? channel.uuid);
    if (cc) channel.setVar("originating_leg_uuid", cc.uuid);
    if (spec.endpoint.kind === "gateway") channel.setVar("sip_gateway_name", spec.endpoint.gateway);
    if (spec.endpoint.kind === "user" || spec.endpoint.kind === "registered") channel.setVar("dialed_user", spec.endpoint.user);
    let media;
    try {
      media = await this.options.media.create(affinity, channel);
    } catch (e) {
      admission.release();
      this.log("err", `no media for ${spec.text}: ${(e as Error)?.message ?? e}`, requester);
      return { cause: "NORMAL_TEMPORARY_FAILURE" };
    }
    const dialed = dialer.dial({ target, callerIdNumber: safeNumber, callerIdName: safeName, headers, sdp: media.offer, affinity });
    channel.setVar("sip_call_id", dialed.callId);
    const leg = new OutboundLeg({
      channel,
      dialed,
      media,
      release: admission.release,
      log: this.options.log,
      globals: this.options.globals,
      outbound: this,
      partner: cc,
    });
    this.log("info", `New outbound leg ${leg.uuid} ${spec.text} (${target.requestUri}, Call-ID ${dialed.callId})`, requester);
    const lt = atoi(vars.get("leg_timeout"));
    const lpt = atoi(vars.get("leg_progress_timeout"));
    return { leg, timeoutMs: lt > 0 ? lt * 1000 : 0, progressMs: lpt > 0 ? lpt * 1000 : 0 };
  }

  // --- bridge ---------------------------------------------------------------------------

  async bridge(a: FsSession, b: FsSession, options: BridgeOptions = {}): Promise<void> {
    const ac = a.channel;
    const bc = b.channel;
    if (!ac.ready || !bc.ready) {
      a.log("err", "Channels not ready\n");
      return;
    }
    const aLeg = this.legs.get(a);
    const bLeg = this.legs.get(b);
    if (bLeg) bLeg.partner = ac;
    if (aLeg) aLeg.partner = bc;
    ac.bridgedTo = bc.uuid;
    bc.bridgedTo = ac.uuid;
    for (const [x, y] of [[ac, bc], [bc, ac]] as const) {
      x.setVar("bridge_to", y.uuid);
      x.setVar("last_bridge_to", y.uuid);
      x.setVar("signal_bond", y.uuid);
    }
    // The caller is answered when the far end is (or has early media until then).
    if (bc.answered && !ac.answered) await a.answerCall();
    else if (!ac.answered && !ac.earlyMedia) await a.preAnswerCall();
    let unrelay: (() => Promise<void>) | undefined;
    try {
      unrelay = await this.options.relay?.connect(a, b);
    } catch (e) {
      this.log("err", `media relay failed: ${(e as Error)?.message ?? e}`, a);
    }
    let broken = false;
    // A bridged phone may transfer the caller onward (SIP REFER), when allowed.
    let referred: { dial?: string; notified: Promise<void> } | undefined;
    if (bLeg) bLeg.onRefer = (r) => (referred = this.referFromBridge(a, b, r) ?? referred);
    while (ac.ready && bc.ready) {
      const ev = await ac.waitEvent(undefined, bc.nextChange(), true);
      if (ev === "dtmf") {
        // Digits go to the other side through the relay; a script's callback may end the bridge.
        if (options.inputCallback) {
          if (!(await a.bridgeDtmf())) {
            broken = true;
            break;
          }
        } else ac.shiftDtmf();
      } else if (ev === "extra" && bc.answered && !ac.answered && ac.ready) {
        await a.answerCall();
      }
    }
    if (bLeg) bLeg.onRefer = undefined;
    if (unrelay) await unrelay().catch(() => undefined);
    ac.bridgedTo = undefined;
    bc.bridgedTo = undefined;
    ac.setVar("bridge_to", undefined);
    bc.setVar("bridge_to", undefined);
    ac.notifyChange();
    bc.notifyChange();
    // The agent hears how its transfer went (NOTIFY) before its leg is hung up.
    await referred?.notified;
    const referredTo = referred?.dial;
    if (referredTo && ac.ready) {
      // Transferred by the agent to a number we may dial: the caller is bridged there instead
      // (through the same guard and limits as any bridge); a failure is this bridge's failure.
      if (bc.up) b.doHangup("BLIND_TRANSFER");
      const out = await this.originate({ dial: referredTo, caller: a, timeoutSec: 0, requestedBy: a });
      if (out.ok) return this.bridge(a, out.leg, options);
      this.handleCause(a, out.cause);
      return;
    }
    this.afterBridge(a, b, broken);
  }

  /**
   * An agent's phone REFERs the caller elsewhere (sofia_handle_sip_i_refer's blind transfer): 202,
   * NOTIFY "SIP/2.0 200 OK" (terminated), then the caller goes to the Refer-To extension of our
   * dialplan (a route) and the agent's leg is hung up. Only when the caller's channel has
   * ivr_allow_refer=true and the Refer-To is an extension routed here at our address (refer.ts):
   * anything else is refused (403/404/400) and logged as a toll-fraud refusal.
   */
  private referFromBridge(a: FsSession, b: FsSession, r: Extract<LegSignal, { kind: "refer" }>): { dial?: string; notified: Promise<void> } | undefined {
    const refuse = (status: number, reason: string): undefined => {
      this.log("warning", `outbound call refused REFER ${r.referTo.slice(0, 200)} from ${b.channel.getVar("channel_name") ?? b.channel.uuid}: ${reason}${this.where(a)}`, a);
      r.reject(status, reason.replace(/[^\x20-\x7e]/g, "?").slice(0, 100));
      return undefined;
    };
    if (!isTrue(a.channel.getVar("ivr_allow_refer"))) return refuse(403, "transfers are not allowed on this call (ivr_allow_refer; in a flow, the Bridge node's transfer setting)");
    const targets = this.options.referTargets;
    if (!targets) return refuse(403, "transfers are not configured");
    const verdict = incomingReferTarget(r.referTo, targets.ours(), targets.routed, this.options.destinations);
    if (!verdict.ok) return refuse(verdict.status, verdict.reason);
    r.accept();
    const notified = r.notify(200, "OK").catch(() => undefined);
    const ac = a.channel;
    ac.setVar("sip_refer_to", r.referTo);
    if (r.referredBy) ac.setVar("sip_h_Referred-By", r.referredBy);
    b.channel.setVar("transfer_to", `blind:${verdict.extension}`);
    b.channel.setVar("transfer_destination", `blind:${verdict.extension}`);
    b.channel.setVar("endpoint_disposition", "BLIND_TRANSFER");
    if ("dial" in verdict) {
      this.log("notice", `REFER from ${b.channel.getVar("channel_name") ?? b.channel.uuid}: the caller is bridged to ${verdict.dial}`, a);
      // Ends this bridge once the NOTIFY is out; bridge() then dials the new destination for the caller.
      void notified.then(() => {
        if (b.channel.up) b.doHangup("BLIND_TRANSFER");
      });
      return { dial: verdict.dial, notified };
    }
    this.log("notice", `REFER from ${b.channel.getVar("channel_name") ?? b.channel.uuid}: the caller goes to ${verdict.extension}`, a);
    a.doTransfer(verdict.extension);
    return { notified };
  }

  /** The end of switch_ivr_multi_threaded_bridge for the A leg (the one whose script runs). */
  private afterBridge(a: FsSession, b: FsSession, broken: boolean): void {
    const ac = a.channel;
    const bc = b.channel;
    if (!ac.up || ac.transferPending) {
      // The caller left (or is being transferred): the other leg goes too.
      if (bc.up) b.doHangup((ac.hangupCause as HangupCause | undefined) ?? "NORMAL_CLEARING");
      return;
    }
    if (broken) return;
    const cause = ((bc.hangupCause as HangupCause | undefined) ?? "NORMAL_CLEARING") as HangupCause;
    const hup = ac.getVar("hangup_after_bridge");
    const answered = bc.answered;
    if (!answered) this.handleCause(a, cause);
    if (hup !== undefined && hup.toLowerCase() === "explicit") {
      a.doHangup(cause);
      return;
    }
    if (!ac.up || ac.transferPending || !(answered || bc.earlyMedia)) return;
    const where = (answered ? ac.getVar("transfer_after_bridge") : undefined) ?? ac.getVar("transfer_after_early_bridge");
    if (where) {
      const [ext, dp, ctx] = where.split(":");
      a.doTransfer(ext, dp || undefined, ctx || undefined);
    } else if (answered && isTrue(hup)) a.doHangup(cause);
  }

  /** switch_channel_handle_cause: continue_on_fail, failure_causes, transfer_on_fail, else hang up. */
  handleCause(session: FsSession, cause: HangupCause): void {
    const ch = session.channel;
    if (!ch.up) return;
    const tofWords = (ch.getVar("transfer_on_fail") ?? "").split(" ").filter(Boolean);
    const tof = tofWords[0];
    if (cause !== "ATTENDED_TRANSFER") {
      const cof = ch.getVar("continue_on_fail");
      const fc = ch.getVar("failure_causes");
      if (cof !== undefined || fc !== undefined) {
        if (fc !== undefined && !causeListed(fc, cause)) return;
        if (cof !== undefined) {
          if (isTrue(cof)) return;
          if (causeListed(cof, cause)) return;
        }
      } else if (cause === "NO_ANSWER" || cause === "NO_USER_RESPONSE" || cause === "ORIGINATOR_CANCEL") {
        // no answer is *always* a reason to continue (switch_channel.c)
        return;
      }
      if (tof !== undefined) {
        if (isTrue(tof)) return;
        if (causeListed(tof, cause)) {
          const ext = !tofWords[1] || tofWords[1] === "auto_cause" ? cause : tofWords[1];
          session.doTransfer(ext, tofWords[2], tofWords[3]);
        }
      }
    }
    if (!ch.transferPending) session.doHangup(nameToCause(cause));
  }
}
