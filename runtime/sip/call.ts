// One incoming call: the INVITE session usage of a UAS dialog. The application drives it
// (ring/progress/answer/reject/hangup) and listens to typed events; the UA feeds it requests.
import type { HangupCause } from "../../flow/hangup-causes";
import type { SipRequest, SipResponse } from "./message";
import { parseCSeq, parseNameAddr, type NameAddr } from "./grammar";
import { buildResponse, type ResponseOptions } from "./response";
import { buildInDialogRequest, type Dialog } from "./dialog";
import { TypedEmitter } from "./emitter";
import { causeFromReasonHeader, causeToSipStatus, reasonHeaderFor, sipStatusToCause } from "./causes";
import { isDtmfContentType, mediaType, parseInfoDtmf, type InfoDtmf } from "./dtmf-info";
import type { InviteServerTransaction, NonInviteServerTransaction, TransactionLayer, LogFn } from "./transaction";
import type { Endpoint, SipTransport } from "./transport";
import type { SipResolver } from "./resolver";
import type { SipTimerConfig, TimerHandle, Timers } from "./timers";

export const ALLOWED_METHODS = ["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO"];

export type CallState = "incoming" | "early" | "answered" | "confirmed" | "ended";

export interface CallEnded {
  cause: HangupCause;
  /** Who ended it: the application, the peer, or a timer (no ACK). */
  by: "local" | "remote" | "timeout";
  /** SIP status involved (our rejection, or 487 on CANCEL). */
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

export type CallEvents = {
  ack: [ack: SipRequest];
  cancel: [cancel: SipRequest];
  bye: [bye: SipRequest];
  info: [info: SipRequest];
  dtmf: [dtmf: InfoDtmf];
  reinvite: [reinvite: ReinviteRequest];
  ended: [ended: CallEnded];
};

/** What a Call needs from its UA. */
export interface CallContext {
  transport: SipTransport;
  transactions: TransactionLayer;
  timers: Timers;
  config: SipTimerConfig;
  log: LogFn;
  serverName: string;
  contact: string;
  /** Host names of in-dialog targets become addresses here (DNS stays out of the call). */
  resolver: SipResolver;
  /** Forget the call once nothing is pending (no more requests will match it). */
  release(call: Call): void;
}

export class Call extends TypedEmitter<CallEvents> {
  state: CallState = "incoming";
  ended?: CallEnded;
  localSdp?: string;
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly callId: string;
  private retransmit2xx?: { cseq: number; timers: TimerHandle[] };
  private pendingBye = false;
  private byeFinished?: { promise: Promise<void>; resolve: () => void };
  private pendingReinvite?: InviteServerTransaction;

  constructor(
    readonly invite: SipRequest,
    readonly source: Endpoint,
    readonly dialog: Dialog,
    private readonly inviteTx: InviteServerTransaction,
    private ctx: CallContext,
  ) {
    super((event, err) => ctx.log("err", `call ${dialog.callId}: '${event}' listener threw: ${(err as Error)?.stack ?? err}`));
    this.callId = dialog.callId;
    const from = parseNameAddr(invite.headers.get("from") ?? "");
    const to = parseNameAddr(invite.headers.get("to") ?? "");
    // The parser validated both; fall back defensively anyway.
    this.from = from.ok ? from.value : { uri: { scheme: "sip", raw: "" }, params: new Map() };
    this.to = to.ok ? to.value : { uri: { scheme: "sip", raw: "" }, params: new Map() };
  }

  /** The SDP offer of the INVITE (empty string when the INVITE had none). */
  get offer(): string {
    return this.invite.body.toString("utf8");
  }

  /** User part of the Request-URI (the number dialled), or "". */
  get destinationNumber(): string {
    const m = /^sips?:([^@;?]+)@/i.exec(this.invite.uri);
    return m ? decodeURIComponentSafe(m[1]) : "";
  }

  /** User part of From (caller id number), or "". */
  get callerNumber(): string {
    return this.from.uri.sip?.user ? decodeURIComponentSafe(this.from.uri.sip.user) : "";
  }

  get callerName(): string {
    return this.from.displayName ?? "";
  }

  private respondInvite(status: number, options: ResponseOptions = {}): SipResponse | undefined {
    if (this.state !== "incoming" && this.state !== "early") return undefined;
    const response = buildResponse(this.invite, status, {
      ...options, toTag: this.dialog.localTag,
      headers: [["Server", this.ctx.serverName], ...(status < 300 ? ([["Contact", this.ctx.contact]] as Array<[string, string]>) : []), ...(options.headers ?? [])],
    });
    return this.inviteTx.respond(response) ? response : undefined;
  }

  /** 180 Ringing. */
  ring(): boolean {
    if (!this.respondInvite(180)) return false;
    this.state = "early";
    return true;
  }

  /** 183 Session Progress with SDP (early media). */
  progress(sdp: string): boolean {
    if (!this.respondInvite(183, { body: sdp, contentType: "application/sdp" })) return false;
    this.localSdp = sdp;
    this.state = "early";
    return true;
  }

  /** 200 OK with SDP, retransmitted (T1 doubling to T2) until ACK; Timer H ends the call. */
  answer(sdp: string): boolean {
    const response = this.respondInvite(200, {
      body: sdp, contentType: "application/sdp",
      headers: [["Allow", ALLOWED_METHODS.join(", ")]],
    });
    if (!response) return false;
    this.localSdp = sdp;
    this.state = "answered";
    this.startRetransmit2xx(response, this.dialog.remoteCseq, this.inviteTx.destination);
    return true;
  }

  /** Final 3xx-6xx to the INVITE; the call ends with the matching hangup cause. */
  reject(status: number, reason?: string, cause?: HangupCause): boolean {
    if (status < 300 || status > 699 || !Number.isInteger(status)) {
      this.ctx.log("err", `reject(${status}) is not a 3xx-6xx status; using 500`);
      status = 500;
    }
    const endCause = cause ?? sipStatusToCause(status);
    // FreeSWITCH names the cause of a refusal in a Reason header, as on its BYE.
    if (!this.respondInvite(status, { reason, headers: [["Reason", reasonHeaderFor(endCause)]] })) return false;
    this.end({ cause: endCause, by: "local", status });
    this.ctx.release(this);
    return true;
  }

  /** End the call from our side: reject if unanswered, else BYE (deferred until the ACK arrives). */
  hangup(cause: HangupCause = "NORMAL_CLEARING"): Promise<void> {
    if (this.state === "incoming" || this.state === "early") {
      this.reject(causeToSipStatus(cause), undefined, cause);
      return Promise.resolve();
    }
    if (this.state === "ended") return this.byeFinished?.promise ?? Promise.resolve();
    const awaitingAck = this.state === "answered";
    this.end({ cause, by: "local" });
    const finished = this.byeCompletion();
    // RFC 3261 15.1.1: no BYE before the ACK for our 2xx (or its timeout).
    if (awaitingAck) this.pendingBye = true;
    else void this.sendBye();
    return finished;
  }

  private byeCompletion(): Promise<void> {
    if (!this.byeFinished) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      this.byeFinished = { promise, resolve };
    }
    return this.byeFinished.promise;
  }

  private end(ended: CallEnded): void {
    if (this.state === "ended") return;
    if (this.state !== "answered") this.stopRetransmit2xx();
    this.state = "ended";
    this.ended = ended;
    this.emit("ended", ended);
  }

  private startRetransmit2xx(response: SipResponse, cseq: number, destination: Endpoint): void {
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

  private stopRetransmit2xx(): void {
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

  private async sendBye(): Promise<void> {
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

  // ---- requests from the peer (called by the UA) ----

  /** @internal ACK for one of our 2xx responses. */
  receiveAck(ack: SipRequest): void {
    const cseq = parseCSeq(ack.headers.get("cseq") ?? "");
    if (!cseq.ok || !this.retransmit2xx || this.retransmit2xx.cseq !== cseq.value.seq) return;
    this.stopRetransmit2xx();
    if (this.state === "answered") this.state = "confirmed";
    this.emit("ack", ack);
    if (this.pendingBye) {
      this.pendingBye = false;
      void this.sendBye();
    }
  }

  /** @internal CANCEL matched our INVITE transaction before a final response. */
  receiveCancel(cancel: SipRequest): void {
    if (!this.respondInvite(487)) return;
    this.emit("cancel", cancel);
    this.end({ cause: "ORIGINATOR_CANCEL", by: "remote", status: 487 });
    this.ctx.release(this);
  }

  /** @internal */
  receiveBye(bye: SipRequest, tx: NonInviteServerTransaction): void {
    tx.respond(buildResponse(bye, 200, { toTag: this.dialog.localTag, headers: [["Server", this.ctx.serverName]] }));
    // A BYE on an early dialog terminates the pending INVITE (RFC 3261 15.1.2).
    this.respondInvite(487);
    this.stopRetransmit2xx();
    this.pendingBye = false;
    if (this.state !== "ended") {
      this.emit("bye", bye);
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
    this.emit("info", info);
    if (!info.body.length) return void reply(200);
    if (!contentType || !isDtmfContentType(contentType)) {
      return void reply(415, [["Accept", "application/dtmf-relay, application/dtmf"]]);
    }
    const dtmf = parseInfoDtmf(contentType, info.body.toString("utf8"));
    if ("error" in dtmf) return void reply(400, [], `Bad Request - ${dtmf.error}`.replace(/[^\x20-\x7e]/g, "?"));
    reply(200);
    this.emit("dtmf", dtmf);
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
    this.emit("reinvite", reinvite);
  }

  /** @internal */
  get inviteTransaction(): InviteServerTransaction {
    return this.inviteTx;
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
