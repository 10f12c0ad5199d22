// One incoming call: the INVITE session usage of a UAS dialog. The application drives it
// (ring/progress/answer/reject/hangup) and listens to typed events; the UA feeds it requests.
// What any dialog does once it is up (BYE, INFO, re-INVITE both ways) is in dialog-session.ts.
import type { HangupCause } from "../../flow/hangup-causes";
import type { SipRequest, SipResponse } from "./message";
import { parseNameAddr, type NameAddr } from "./grammar";
import { buildResponse, type ResponseOptions } from "./response";
import type { Dialog } from "./dialog";
import { causeToSipStatus, reasonHeaderFor, sipStatusToCause } from "./causes";
import { ALLOWED_METHODS, DialogSession, type CallContext, type SessionEvents } from "./dialog-session";
import type { InviteServerTransaction, NonInviteServerTransaction } from "./transaction";
import type { Endpoint } from "./transport";

export { ALLOWED_METHODS } from "./dialog-session";
export type { CallContext, CallEnded, CallState, ReinviteRequest, ReinviteResult } from "./dialog-session";

export type CallEvents = SessionEvents & {
  ack: [ack: SipRequest];
  cancel: [cancel: SipRequest];
};

export class Call extends DialogSession<CallEvents> {
  readonly from: NameAddr;
  readonly to: NameAddr;

  constructor(
    readonly invite: SipRequest,
    readonly source: Endpoint,
    dialog: Dialog,
    private readonly inviteTx: InviteServerTransaction,
    ctx: CallContext,
  ) {
    super(dialog, ctx, "incoming");
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
    return this.hangupDialog(cause);
  }

  protected override onAck(ack: SipRequest): void {
    this.emit("ack", ack);
  }

  // ---- requests from the peer (called by the UA) ----

  /** @internal CANCEL matched our INVITE transaction before a final response. */
  receiveCancel(cancel: SipRequest): void {
    if (!this.respondInvite(487)) return;
    this.emit("cancel", cancel);
    this.end({ cause: "ORIGINATOR_CANCEL", by: "remote", status: 487 });
    this.ctx.release(this);
  }

  /** @internal */
  override receiveBye(bye: SipRequest, tx: NonInviteServerTransaction): void {
    // A BYE on an early dialog terminates the pending INVITE (RFC 3261 15.1.2).
    this.respondInvite(487);
    super.receiveBye(bye, tx);
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
