// What an INVITE dialog does once it exists, whichever side created it: answer the peer's BYE,
// INFO (DTMF) and re-INVITE, send our BYE (with a Q.850 Reason) and our re-INVITE, and
// retransmit our 2xx until its ACK. Call (incoming) and OutboundCall (outgoing) extend it.
import type { HangupCause } from "../../flow/hangup-causes";
import type { SipRequest, SipResponse } from "./message";
import { parseCSeq, parseNameAddr } from "./grammar";
import { buildResponse, type ResponseOptions } from "./response";
import { buildInDialogRequest, type Dialog, type InDialogRequest } from "./dialog";
import { TypedEmitter } from "./emitter";
import { causeFromReasonHeader, reasonHeaderFor } from "./causes";
import { isDtmfContentType, parseInfoDtmf, type InfoDtmf } from "./dtmf-info";
import type { InviteServerTransaction, NonInviteServerTransaction, TransactionLayer, LogFn } from "./transaction";
import type { Endpoint, SipTransport } from "./transport";
import type { SipResolver } from "./resolver";
import type { SipTimerConfig, TimerHandle, Timers } from "./timers";

export const ALLOWED_METHODS = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "REFER", "NOTIFY"];

/**
 * incoming/early/answered: an incoming call before its ACK; calling/proceeding/early: an outgoing
 * call before its 2xx; confirmed: the dialog is up; ended: nothing more will happen.
 */
export type CallState = "incoming" | "calling" | "proceeding" | "early" | "answered" | "confirmed" | "ended";

export interface CallEnded {
  cause: HangupCause;
  /** Who ended it: the application, the peer, or a timer (no ACK, no answer). */
  by: "local" | "remote" | "timeout";
  /** SIP status involved: our rejection, 487 on CANCEL, the far end's final response to our INVITE. */
  status?: number;
}

export interface ReinviteRequest {
  request: SipRequest;
  /** The new SDP offer (empty string for an offerless re-INVITE). */
  offer: string;
  /** Answer with our SDP: 200 OK, retransmitted until ACK. */
  accept(answerSdp: string): boolean;
  reject(status: number, reason?: string): boolean;
}

/** The outcome of our re-INVITE: the final status, and the peer's SDP answer on a 2xx. */
export interface ReinviteResult {
  status: number;
  reason: string;
  sdp?: string;
}

/** A REFER from the peer (RFC 3515): answer it, then report how the transfer went with notify(). */
export interface ReferRequest {
  request: SipRequest;
  /** The Refer-To header value as sent (a name-addr or a bare URI). */
  referTo: string;
  referredBy?: string;
  /** 202 Accepted (Expires: 60, as mod_sofia). */
  accept(): boolean;
  reject(status: number, reason?: string): boolean;
  /** NOTIFY (Event: refer;id=CSeq) with the sipfrag "SIP/2.0 STATUS REASON"; a final status ends the subscription. */
  notify(status: number, reason: string): Promise<void>;
}

/** A NOTIFY for our REFER: the sipfrag's status line (0 when it has none). */
export interface ReferNotify {
  status: number;
  sipfrag: string;
  terminated: boolean;
}

/** The answer to our REFER (RFC 3515 2.4.2: 202 Accepted, or a failure). */
export interface ReferResult {
  status: number;
  reason: string;
}

export type SessionEvents = {
  bye: [bye: SipRequest];
  refer: [refer: ReferRequest];
  referNotify: [notify: ReferNotify];
  info: [info: SipRequest];
  dtmf: [dtmf: InfoDtmf];
  reinvite: [reinvite: ReinviteRequest];
  ended: [ended: CallEnded];
};

/** What a dialog session needs from its UA. */
export interface CallContext {
  transport: SipTransport;
  transactions: TransactionLayer;
  timers: Timers;
  config: SipTimerConfig;
  log: LogFn;
  serverName: string;
  /** Our Contact header value, e.g. `<sip:10.0.0.1:5060>`. */
  contact: string;
  /** Host names of in-dialog targets become addresses here (DNS stays out of the call). */
  resolver: SipResolver;
  /** Forget the session once nothing is pending (no more requests will match it). */
  release(session: DialogSession<SessionEvents>): void;
}

export abstract class DialogSession<E extends SessionEvents> extends TypedEmitter<E> {
  state: CallState;
  ended?: CallEnded;
  /** Our current session description. */
  localSdp?: string;
  private retransmit2xx?: { cseq: number; timers: TimerHandle[] };
  /** Our BYE waits for the ACK of our 2xx (RFC 3261 15.1.1). */
  protected pendingBye = false;
  private byeFinished?: { promise: Promise<void>; resolve: () => void };
  private pendingReinvite?: InviteServerTransaction;
  private ourReinvite?: Promise<ReinviteResult>;

  protected constructor(readonly dialog: Dialog, protected ctx: CallContext, initial: CallState) {
    super((event, err) => ctx.log("err", `call ${dialog.callId}: '${event}' listener threw: ${(err as Error)?.stack ?? err}`));
    this.state = initial;
  }

  get callId(): string {
    return this.dialog.callId;
  }

  /** Emit one of the events every session has (subclasses add their own). */
  protected emitSession<K extends keyof SessionEvents>(event: K, ...args: SessionEvents[K]): void {
    (this.emit as unknown as (e: K, ...a: SessionEvents[K]) => void).call(this, event, ...args);
  }

  /** End from our side once the dialog exists: BYE now, or after the ACK of our 2xx. */
  protected hangupDialog(cause: HangupCause): Promise<void> {
    if (this.state === "ended") return this.byeFinished?.promise ?? Promise.resolve();
    const awaitingAck = this.state === "answered";
    this.end({ cause, by: "local" });
    const finished = this.byeCompletion();
    if (awaitingAck) this.pendingBye = true;
    else void this.sendBye();
    return finished;
  }

  protected byeCompletion(): Promise<void> {
    if (!this.byeFinished) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      this.byeFinished = { promise, resolve };
    }
    return this.byeFinished.promise;
  }

  protected end(ended: CallEnded): void {
    if (this.state === "ended") return;
    if (this.state !== "answered") this.stopRetransmit2xx();
    this.state = "ended";
    this.ended = ended;
    this.emitSession("ended", ended);
  }

  /** 2xx to an INVITE we received, retransmitted (T1 doubling to T2) until its ACK or 64*T1. */
  protected startRetransmit2xx(response: SipResponse, cseq: number, destination: Endpoint): void {
    this.stopRetransmit2xx();
    const { T1, T2 } = this.ctx.config;
    const state = { cseq, timers: [] as TimerHandle[] };
    this.retransmit2xx = state;
    let interval = T1;
    const resend = () => {
      if (this.retransmit2xx !== state) return;
      this.ctx.transport.send(response, destination);
      interval = Math.min(2 * interval, T2);
      state.timers.push(this.ctx.timers.after(interval, resend));
    };
    state.timers.push(this.ctx.timers.after(interval, resend));
    state.timers.push(this.ctx.timers.after(64 * T1, () => {
      if (this.retransmit2xx !== state) return;
      this.stopRetransmit2xx();
      this.ctx.log("warning", `call ${this.callId}: no ACK for 200 OK (CSeq ${cseq}) after ${64 * T1} ms`);
      this.ackTimedOut();
    }));
  }

  protected stopRetransmit2xx(): void {
    for (const t of this.retransmit2xx?.timers ?? []) t.cancel();
    this.retransmit2xx = undefined;
  }

  private ackTimedOut(): void {
    // RFC 3261 13.3.1.4: the session is terminated with a BYE.
    this.pendingBye = false;
    this.end({ cause: "RECOVERY_ON_TIMER_EXPIRE", by: "timeout" });
    this.byeCompletion();
    void this.sendBye();
  }

  protected async sendBye(): Promise<void> {
    try {
      const reason = reasonHeaderFor(this.ended?.cause ?? "NORMAL_CLEARING");
      const built = buildInDialogRequest(this.dialog, "BYE", this.ctx.transport.local, [["User-Agent", this.ctx.serverName], ["Reason", reason]]);
      if ("error" in built) {
        this.ctx.log("err", `call ${this.callId}: ${built.error}`);
        return;
      }
      const destination = await this.ctx.resolver.resolve(built.nextHop.host, built.nextHop.port);
      const tx = this.ctx.transactions.sendRequest(built.request, destination);
      const result = await tx.result;
      if (result.kind === "timeout") this.ctx.log("warning", `call ${this.callId}: BYE timed out (Timer F)`);
      else if (result.kind === "response" && result.response.status >= 300) {
        this.ctx.log("info", `call ${this.callId}: BYE answered ${result.response.status}`);
      }
    } catch (err) {
      this.ctx.log("err", `call ${this.callId}: BYE failed: ${(err as Error)?.message ?? err}`);
    } finally {
      this.ctx.release(this);
      this.byeFinished?.resolve();
    }
  }

  /** The address of an in-dialog request's next hop (the dialog's host names resolved here). */
  protected async nextHopOf(nextHop: { host: string; port?: number }): Promise<Endpoint> {
    return this.ctx.resolver.resolve(nextHop.host, nextHop.port);
  }

  /**
   * Our re-INVITE with a new offer (hold, codec change): resolves with the final status and the
   * peer's answer. One at a time (a second call while one is pending resolves 491 at once).
   */
  reinvite(sdp: string, extraHeaders: Array<[string, string]> = []): Promise<ReinviteResult> {
    if (this.state !== "confirmed") return Promise.resolve({ status: 481, reason: "No Dialog" });
    if (this.ourReinvite || this.pendingReinvite) return Promise.resolve({ status: 491, reason: "Request Pending" });
    const run = this.runReinvite(sdp, extraHeaders).finally(() => { this.ourReinvite = undefined; });
    this.ourReinvite = run;
    return run;
  }

  private async runReinvite(sdp: string, extraHeaders: Array<[string, string]>): Promise<ReinviteResult> {
    const built = buildInDialogRequest(this.dialog, "INVITE", this.ctx.transport.local, [
      ["Contact", this.ctx.contact], ["Allow", ALLOWED_METHODS.join(", ")], ["User-Agent", this.ctx.serverName],
      ["Content-Type", "application/sdp"], ...extraHeaders,
    ], sdp);
    if ("error" in built) return { status: 500, reason: built.error };
    let destination: Endpoint;
    try {
      destination = await this.nextHopOf(built.nextHop);
    } catch (err) {
      return { status: 503, reason: `DNS Error: ${(err as Error)?.message ?? err}` };
    }
    const cseq = this.dialog.localCseq;
    return new Promise<ReinviteResult>((resolve) => {
      const tx = this.ctx.transactions.sendInvite(built.request, destination);
      let ack: SipRequest | undefined;
      let settled = false;
      const sendAck = () => {
        if (!ack) {
          const built = this.buildAck2xx(cseq);
          if ("error" in built) return this.ctx.log("err", `call ${this.callId}: ${built.error}`);
          ack = built.request;
        }
        // The ACK of a re-INVITE goes where the re-INVITE went (same dialog, same next hop).
        this.ctx.transport.send(ack, destination);
      };
      tx.onTimeout = () => {
        if (!settled) { settled = true; resolve({ status: 408, reason: "Request Timeout" }); }
      };
      tx.onResponse = (response) => {
        if (response.status < 200) return;
        if (response.status < 300) {
          // ACK every 2xx (retransmissions included); the first one settles.
          sendAck();
          if (settled) return;
          settled = true;
          const contact = parseNameAddr(response.headers.get("contact") ?? "");
          if (contact.ok) this.dialog.remoteTarget = contact.value.uri.raw;
          this.localSdp = sdp;
          resolve({ status: response.status, reason: response.reason, sdp: response.body.toString("utf8") });
          return;
        }
        if (!settled) { settled = true; resolve({ status: response.status, reason: response.reason }); }
      };
    });
  }

  /** ACK for a 2xx to our INVITE (RFC 3261 13.2.2.4): in the dialog, the INVITE's CSeq, a new branch. */
  protected buildAck2xx(cseq: number): InDialogRequest | { error: string } {
    return buildInDialogRequest(this.dialog, "ACK", this.ctx.transport.local, [["User-Agent", this.ctx.serverName]], undefined, { cseq });
  }

  /**
   * Blind transfer (RFC 3515): REFER the peer to `referTo` (a SIP URI), with Referred-By. Resolves
   * with the REFER's final response; the progress arrives as `referNotify` events (sipfrag).
   */
  async refer(referTo: string, referredBy?: string): Promise<ReferResult> {
    if (this.state !== "confirmed") return { status: 481, reason: "No Dialog" };
    if (/[\r\n]/.test(referTo) || /[\r\n]/.test(referredBy ?? "")) return { status: 500, reason: "line break in Refer-To" };
    const headers: Array<[string, string]> = [["Refer-To", `<${referTo}>`], ["Contact", this.ctx.contact], ["User-Agent", this.ctx.serverName]];
    if (referredBy) headers.push(["Referred-By", `<${referredBy}>`]);
    const built = buildInDialogRequest(this.dialog, "REFER", this.ctx.transport.local, headers);
    if ("error" in built) return { status: 500, reason: built.error };
    let destination: Endpoint;
    try {
      destination = await this.nextHopOf(built.nextHop);
    } catch (err) {
      return { status: 503, reason: `DNS Error: ${(err as Error)?.message ?? err}` };
    }
    const result = await this.ctx.transactions.sendRequest(built.request, destination).result;
    if (result.kind !== "response") return { status: 408, reason: "Request Timeout" };
    return { status: result.response.status, reason: result.response.reason };
  }

  // ---- requests from the peer (called by the UA) ----

  /** @internal REFER within the dialog: handed to the application, else 603 (nothing here transfers). */
  receiveRefer(request: SipRequest, tx: NonInviteServerTransaction): void {
    const reply = (status: number, reason?: string, extra: Array<[string, string]> = []) =>
      tx.respond(buildResponse(request, status, { toTag: this.dialog.localTag, reason, headers: [["Server", this.ctx.serverName], ...extra] }));
    const referTo = request.headers.getAll("refer-to");
    // RFC 3515 2.4.1: exactly one Refer-To.
    if (referTo.length !== 1) return void reply(400, "Bad Request - one Refer-To needed");
    if (this.state !== "confirmed" || this.listenerCount("refer") === 0) return void reply(603, "Decline");
    const cseq = parseCSeq(request.headers.get("cseq") ?? "");
    const event = `refer${cseq.ok ? `;id=${cseq.value.seq}` : ""}`;
    let answered = false;
    let done = false;
    this.emitSession("refer", {
      request,
      referTo: referTo[0],
      referredBy: request.headers.get("referred-by") ?? undefined,
      accept: () => {
        if (answered) return false;
        answered = true;
        return reply(202, undefined, [["Expires", "60"], ["Contact", this.ctx.contact]]);
      },
      reject: (status, reason) => {
        if (answered) return false;
        answered = true;
        return reply(status >= 400 && status <= 699 ? status : 603, reason);
      },
      notify: async (status, reason) => {
        if (done || this.state !== "confirmed") return;
        const final = status >= 200;
        done = final;
        const built = buildInDialogRequest(this.dialog, "NOTIFY", this.ctx.transport.local, [
          ["Event", event],
          ["Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60"],
          ["Contact", this.ctx.contact],
          ["User-Agent", this.ctx.serverName],
          ["Content-Type", "message/sipfrag;version=2.0"],
        ], `SIP/2.0 ${status} ${reason.replace(/[\r\n]/g, " ")}\r\n`);
        if ("error" in built) return void this.ctx.log("err", `call ${this.callId}: ${built.error}`);
        try {
          await this.ctx.transactions.sendRequest(built.request, await this.nextHopOf(built.nextHop)).result;
        } catch (err) {
          this.ctx.log("warning", `call ${this.callId}: NOTIFY failed: ${(err as Error)?.message ?? err}`);
        }
      },
    });
    if (!answered) reply(603, "Decline");
  }

  /** @internal NOTIFY within the dialog: refer progress (sipfrag) for our REFER; 200 either way. */
  receiveNotify(request: SipRequest, tx: NonInviteServerTransaction): void {
    const event = (request.headers.get("event") ?? "").split(";")[0].trim().toLowerCase();
    if (event !== "refer") {
      // RFC 6665 8.2.1: an event package we did not subscribe to.
      tx.respond(buildResponse(request, 489, { toTag: this.dialog.localTag, headers: [["Server", this.ctx.serverName]] }));
      return;
    }
    tx.respond(buildResponse(request, 200, { toTag: this.dialog.localTag, headers: [["Server", this.ctx.serverName]] }));
    const sipfrag = request.body.toString("utf8").slice(0, 1000);
    const m = /^SIP\/2\.0 (\d{3})/.exec(sipfrag);
    const substate = (request.headers.get("subscription-state") ?? "").split(";")[0].trim().toLowerCase();
    this.emitSession("referNotify", { status: m ? Number(m[1]) : 0, sipfrag: sipfrag.trim(), terminated: substate === "terminated" });
  }

  /** @internal ACK for one of our 2xx responses. Returns false when it acknowledges nothing pending. */
  receiveAck(ack: SipRequest): boolean {
    const cseq = parseCSeq(ack.headers.get("cseq") ?? "");
    if (!cseq.ok || !this.retransmit2xx || this.retransmit2xx.cseq !== cseq.value.seq) return false;
    this.stopRetransmit2xx();
    if (this.state === "answered") this.state = "confirmed";
    this.onAck(ack);
    if (this.pendingBye) {
      this.pendingBye = false;
      void this.sendBye();
    }
    return true;
  }

  /** Hook for subclasses (the incoming call emits its 'ack' event). */
  protected onAck(_ack: SipRequest): void {}

  /** @internal */
  receiveBye(bye: SipRequest, tx: NonInviteServerTransaction): void {
    tx.respond(buildResponse(bye, 200, { toTag: this.dialog.localTag, headers: [["Server", this.ctx.serverName]] }));
    this.stopRetransmit2xx();
    this.pendingBye = false;
    if (this.state !== "ended") {
      this.emitSession("bye", bye);
      // As sofia.c: a Q.850 Reason on the BYE names the cause, else NORMAL_CLEARING.
      this.end({ cause: causeFromReasonHeader(bye.headers.getAll("reason")) ?? "NORMAL_CLEARING", by: "remote" });
    }
    this.ctx.release(this);
  }

  /** @internal */
  receiveInfo(info: SipRequest, tx: NonInviteServerTransaction): void {
    const contentType = info.headers.get("content-type");
    const reply = (status: number, extra: Array<[string, string]> = [], reason?: string) =>
      tx.respond(buildResponse(info, status, { toTag: this.dialog.localTag, reason, headers: [["Server", this.ctx.serverName], ...extra] }));
    this.emitSession("info", info);
    if (!info.body.length) return void reply(200);
    if (!contentType || !isDtmfContentType(contentType)) {
      return void reply(415, [["Accept", "application/dtmf-relay, application/dtmf"]]);
    }
    const dtmf = parseInfoDtmf(contentType, info.body.toString("utf8"));
    if ("error" in dtmf) return void reply(400, [], `Bad Request - ${dtmf.error}`.replace(/[^\x20-\x7e]/g, "?"));
    reply(200);
    this.emitSession("dtmf", dtmf);
  }

  /** @internal re-INVITE within the dialog. */
  receiveReinvite(request: SipRequest, tx: InviteServerTransaction): void {
    const respond = (status: number, options: ResponseOptions = {}) =>
      tx.respond(buildResponse(request, status, {
        ...options, toTag: this.dialog.localTag,
        headers: [["Server", this.ctx.serverName], ...(status < 300 ? ([["Contact", this.ctx.contact]] as Array<[string, string]>) : []), ...(options.headers ?? [])],
      }));
    if (this.state !== "confirmed" || this.pendingReinvite) {
      // RFC 3261 14.2: a re-INVITE while another INVITE is pending gets 500 with Retry-After.
      respond(500, { headers: [["Retry-After", "1"]] });
      return;
    }
    if (this.ourReinvite) {
      // Glare (RFC 3261 14.1): both sides re-INVITE at once.
      respond(491);
      return;
    }
    const contact = request.headers.get("contact");
    if (contact) {
      const parsed = parseNameAddr(contact);
      if (parsed.ok) this.dialog.remoteTarget = parsed.value.uri.raw;
    }
    const cseq = parseCSeq(request.headers.get("cseq") ?? "");
    this.pendingReinvite = tx;
    let settled = false;
    const reinvite: ReinviteRequest = {
      request,
      offer: request.body.toString("utf8"),
      accept: (answerSdp) => {
        if (settled || this.state !== "confirmed") return false;
        settled = true;
        this.pendingReinvite = undefined;
        const response = buildResponse(request, 200, {
          toTag: this.dialog.localTag, body: answerSdp, contentType: "application/sdp",
          headers: [["Server", this.ctx.serverName], ["Contact", this.ctx.contact], ["Allow", ALLOWED_METHODS.join(", ")]],
        });
        if (!tx.respond(response)) return false;
        this.localSdp = answerSdp;
        if (cseq.ok) this.startRetransmit2xx(response, cseq.value.seq, tx.destination);
        return true;
      },
      reject: (status, reason) => {
        if (settled) return false;
        settled = true;
        this.pendingReinvite = undefined;
        return respond(status >= 300 && status <= 699 ? status : 488, { reason });
      },
    };
    tx.onTerminated = () => {
      if (this.pendingReinvite === tx) this.pendingReinvite = undefined;
    };
    if (this.listenerCount("reinvite") === 0) {
      // Nobody handles media changes: keep our current session description.
      reinvite.accept(this.localSdp ?? "");
      return;
    }
    this.emitSession("reinvite", reinvite);
  }
}
