// One outgoing call: the UAC side of an INVITE (RFC 3261 13.2, 17.1.1). It sends the INVITE,
// answers 401/407 with digest credentials, reports 1xx/183 early media/2xx/failures as events,
// ACKs every 2xx, CANCELs on request or timeout (with FreeSWITCH's Reason header), and once
// answered behaves like any dialog (BYE both ways, re-INVITE, INFO) through DialogSession.
import type { HangupCause } from "../../flow/hangup-causes";
import { SipHeaders, createRequest, headerKey, type SipRequest, type SipResponse } from "./message";
import { TOKEN_RE, formatNameAddr, formatVia, isValidHost, parseNameAddr, parseSipUri, type Via } from "./grammar";
import { buildAuthorization, pickChallenge, type DigestCredentials } from "./auth";
import { reasonHeaderFor, sipStatusToCause, causeFromReasonHeader } from "./causes";
import { ALLOWED_METHODS, DialogSession, type CallContext, type SessionEvents } from "./dialog-session";
import { buildInDialogRequest, type Dialog } from "./dialog";
import { mediaType } from "./dtmf-info";
import { newBranch, randomToken, type InviteClientTransaction } from "./transaction";
import type { Endpoint } from "./transport";
import type { TimerHandle } from "./timers";

export interface PlaceCallOptions {
  /** Request-URI, e.g. `sip:1000@192.0.2.10:5080` (sip: only). */
  target: string;
  /**
   * Where to send the INVITE instead of the target's host: an outbound proxy or gateway address,
   * or the source address of a registered phone (`host[:port]` or an Endpoint). In-dialog
   * requests follow it too unless the far end Record-Routes.
   */
  destination?: string | Endpoint;
  /** Caller ID: From user (default "ivr"), display name, host (default our address). */
  from?: { user?: string; displayName?: string; host?: string };
  /** To header URI (default: the target). */
  to?: string;
  /** Our SDP offer. */
  sdp: string;
  /** Credentials for a 401/407 challenge (a gateway's username/password). */
  auth?: DigestCredentials;
  /** Extra headers on the INVITE (X-..., P-Asserted-Identity...). */
  headers?: Array<[string, string]>;
  /** Give up if not answered within this many ms: CANCEL, cause NO_ANSWER (FreeSWITCH's originate_timeout). */
  timeoutMs?: number;
  /** Call-ID to use (default: random). */
  callId?: string;
}

export interface ProgressEvent {
  status: number;
  reason: string;
  response: SipResponse;
}

export interface EarlyMediaEvent {
  status: number;
  /** The far end's SDP answer, to start media before the call is answered. */
  sdp: string;
  response: SipResponse;
}

export interface AnsweredEvent {
  /** The far end's SDP answer. */
  sdp: string;
  response: SipResponse;
}

export interface FailedEvent {
  /**
   * The final status: the far end's 3xx-6xx, 487 when we cancelled (timeout or cancel()), or a
   * status sofia would report for a local failure (408 Timer B, 503 DNS Error, 500 bad target).
   */
  status: number;
  reason: string;
  /** The hangup cause, mapped as mod_sofia does (or the far end's Q.850 Reason, or the cancel cause). */
  cause: HangupCause;
  /** The far end's response, when there was one. */
  response?: SipResponse;
}

export type OutboundCallEvents = SessionEvents & {
  /** A 180/181/182/183 without SDP: the far end rings (100 Trying is not reported). */
  progress: [ProgressEvent];
  /** A 18x with SDP: early media (reported again only when the SDP changes). */
  early: [EarlyMediaEvent];
  answered: [AnsweredEvent];
  /** Never answered. `ended` follows with the same cause. */
  failed: [FailedEvent];
};

/** What an outgoing call needs from its UA beyond a dialog's context. */
export interface OutboundContext extends CallContext {
  /** The dialog is confirmed: route in-dialog requests to this call from now on. */
  dialogConfirmed(call: OutboundCall): void;
}

const MAX_AUTH_ROUNDS = 3;

export class OutboundCall extends DialogSession<OutboundCallEvents> {
  /** The far end's SDP (early or final answer). */
  remoteSdp?: string;
  /** The last status received for our INVITE. */
  lastStatus = 0;
  private invite?: SipRequest;
  private inviteTx?: InviteClientTransaction;
  private destination?: Endpoint;
  private gotProvisional = false;
  /** cancel() was asked: the cause, and whether the CANCEL went out. */
  private cancelling?: { cause: HangupCause; sent: boolean };
  private answeredTag?: string;
  private ack?: { request: SipRequest; destination: Endpoint };
  private timeoutTimer?: TimerHandle;
  private authRounds = 0;
  private usedNonces = new Set<string>();
  private lastEarlySdp?: string;

  constructor(readonly options: PlaceCallOptions, private readonly octx: OutboundContext) {
    const local = octx.transport.local;
    // Caller ID comes from flows and scripts: escape the user part, never let it shape the header.
    const fromUser = escapeUser(options.from?.user ?? "ivr");
    const fromHost = options.from?.host && isValidHost(options.from.host) ? options.from.host : contactHostOf(octx.contact) ?? local.address;
    const dialog: Dialog = {
      callId: options.callId ?? `${randomToken(20)}`,
      localTag: randomToken(),
      remoteTag: "",
      localUri: formatNameAddr({ displayName: options.from?.displayName, uri: `sip:${fromUser}@${fromHost}` }),
      remoteUri: formatNameAddr({ uri: options.to ?? options.target }),
      localCseq: 1 + Math.floor(Math.random() * 1000),
      remoteCseq: 0,
      routeSet: [],
      remoteTarget: options.target,
    };
    super(dialog, octx, "calling");
    this.localSdp = options.sdp;
  }

  /** @internal Started by the UA right after construction. */
  async start(): Promise<void> {
    const problem = checkOptions(this.options);
    if (problem) return this.fail(500, problem);
    const target = parseSipUri(this.options.target);
    if (!target.ok) return this.fail(500, `Bad target: ${target.error}`);
    try {
      this.destination = await this.resolveDestination(target.value.host, target.value.port, target.value.params.get("maddr") ?? undefined);
    } catch (err) {
      // sofia reports resolution failures as "503 DNS Error".
      return this.fail(503, "DNS Error", undefined, `cannot resolve: ${(err as Error)?.message ?? err}`);
    }
    if (this.state === "ended") return; // cancelled while resolving
    if (this.options.destination !== undefined) this.dialog.remoteHop = this.destination;
    if (this.options.timeoutMs !== undefined && this.options.timeoutMs > 0) {
      this.timeoutTimer = this.ctx.timers.after(this.options.timeoutMs, () => {
        if (this.isPending()) {
          this.ctx.log("info", `call ${this.callId}: no answer within ${this.options.timeoutMs} ms, cancelling`);
          this.cancel("NO_ANSWER");
        }
      });
    }
    this.sendInvite();
  }

  private async resolveDestination(host: string, port: number | undefined, maddr: string | undefined): Promise<Endpoint> {
    const d = this.options.destination;
    if (d === undefined) return this.ctx.resolver.resolve(maddr ?? host, port);
    if (typeof d !== "string") return d;
    const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(d);
    if (!m) throw new Error(`bad destination ${d}`);
    return this.ctx.resolver.resolve(m[1], m[2] ? Number(m[2]) : undefined);
  }

  /** Not answered, not failed. */
  private isPending(): boolean {
    return this.state === "calling" || this.state === "proceeding" || this.state === "early";
  }

  private sendInvite(authorization?: [string, string]): void {
    const local = this.ctx.transport.local;
    const via: Via = { transport: "UDP", host: local.address, port: local.port, params: new Map([["branch", newBranch()], ["rport", null]]) };
    const headers = new SipHeaders()
      .append("Via", formatVia(via))
      .append("Max-Forwards", "70")
      .append("From", `${this.dialog.localUri};tag=${this.dialog.localTag}`)
      .append("To", this.dialog.remoteUri)
      .append("Call-ID", this.dialog.callId)
      .append("CSeq", `${this.dialog.localCseq} INVITE`)
      .append("Contact", this.ctx.contact)
      .append("Allow", ALLOWED_METHODS.join(", "))
      .append("User-Agent", this.ctx.serverName);
    if (authorization) headers.append(authorization[0], authorization[1]);
    for (const [name, value] of this.options.headers ?? []) headers.append(name, value);
    if (this.options.sdp) headers.append("Content-Type", "application/sdp");
    this.invite = createRequest("INVITE", this.options.target, headers, this.options.sdp);
    const tx = this.ctx.transactions.sendInvite(this.invite, this.destination!);
    this.inviteTx = tx;
    tx.onResponse = (response) => {
      if (this.inviteTx === tx) this.onResponse(response);
      else if (response.status >= 200 && response.status < 300) this.on2xx(response);
    };
    tx.onTimeout = () => {
      if (this.inviteTx !== tx) return;
      if (this.cancelling) return this.finishCancelled();
      this.fail(408, "Request Timeout");
    };
  }

  private onResponse(response: SipResponse): void {
    const status = response.status;
    this.lastStatus = status;
    if (status < 200) return this.onProvisional(response);
    if (status < 300) return this.on2xx(response);
    this.onFailure(response);
  }

  private onProvisional(response: SipResponse): void {
    this.gotProvisional = true;
    if (this.cancelling && !this.cancelling.sent) this.sendCancel();
    if (response.status === 100 || !this.isPending()) return;
    if (this.state === "calling") this.state = "proceeding";
    // As FreeSWITCH: a 18x without SDP rings (ring_ready), one with SDP is early media (pre_answer).
    const sdp = sdpOf(response);
    if (!sdp) return void this.emit("progress", { status: response.status, reason: response.reason, response });
    if (sdp === this.lastEarlySdp) return; // the same early media again
    this.lastEarlySdp = sdp;
    this.remoteSdp = sdp;
    this.state = "early";
    this.emit("early", { status: response.status, sdp, response });
  }

  private on2xx(response: SipResponse): void {
    const toTag = parseNameAddr(response.headers.get("to") ?? "");
    const tag = toTag.ok ? toTag.value.tag ?? "" : "";
    if (this.answeredTag !== undefined) {
      // The same 2xx again: our ACK was lost. Another tag: a second branch of a fork answered.
      if (tag === this.answeredTag) this.resendAck();
      else void this.refuseFork(response, tag);
      return;
    }
    this.answeredTag = tag;
    this.clearTimeout();
    this.dialog.remoteTag = tag;
    const contact = parseNameAddr(response.headers.get("contact") ?? "");
    if (contact.ok) this.dialog.remoteTarget = contact.value.uri.raw;
    // RFC 3261 12.1.2: the UAC's route set is the Record-Route list in reverse order.
    this.dialog.routeSet = response.headers.getAll("record-route").reverse();
    this.octx.dialogConfirmed(this);
    void this.sendAck();
    if (!this.isPending()) {
      // Answered after we gave up (the CANCEL crossed the 200): ACK it, then BYE (RFC 3261 9.1).
      this.byeCompletion();
      void this.sendBye();
      return;
    }
    this.state = "confirmed";
    this.remoteSdp = sdpOf(response) ?? this.remoteSdp;
    this.emit("answered", { sdp: this.remoteSdp ?? "", response });
  }

  private async sendAck(): Promise<void> {
    const built = this.buildAck2xx(this.dialog.localCseq);
    if ("error" in built) return this.ctx.log("err", `call ${this.callId}: cannot ACK: ${built.error}`);
    try {
      this.ack = { request: built.request, destination: this.dialog.remoteHop ?? (await this.nextHopOf(built.nextHop)) };
      this.resendAck();
    } catch (err) {
      this.ctx.log("err", `call ${this.callId}: cannot send ACK: ${(err as Error)?.message ?? err}`);
    }
  }

  private resendAck(): void {
    if (this.ack) this.ctx.transport.send(this.ack.request, this.ack.destination);
  }

  /** Another branch of a forked INVITE answered too: ACK and BYE it (RFC 3261 13.2.2.4). */
  private async refuseFork(response: SipResponse, tag: string): Promise<void> {
    const contact = parseNameAddr(response.headers.get("contact") ?? "");
    const fork: Dialog = {
      ...this.dialog, remoteTag: tag,
      remoteTarget: contact.ok ? contact.value.uri.raw : this.dialog.remoteTarget,
      routeSet: response.headers.getAll("record-route").reverse(),
    };
    const ack = buildInDialogRequest(fork, "ACK", this.ctx.transport.local, [], undefined, { cseq: fork.localCseq });
    const bye = buildInDialogRequest(fork, "BYE", this.ctx.transport.local, [["Reason", reasonHeaderFor("LOSE_RACE")]]);
    if ("error" in ack || "error" in bye) return;
    try {
      const dest = fork.remoteHop ?? (await this.nextHopOf(ack.nextHop));
      this.ctx.transport.send(ack.request, dest);
      this.ctx.transactions.sendRequest(bye.request, dest);
    } catch (err) {
      this.ctx.log("warning", `call ${this.callId}: cannot end forked answer: ${(err as Error)?.message ?? err}`);
    }
  }

  private onFailure(response: SipResponse): void {
    const status = response.status;
    if ((status === 401 || status === 407) && this.isPending() && !this.cancelling && this.retryWithAuth(response)) return;
    if (this.cancelling) return this.finishCancelled();
    const cause = causeFromReasonHeader(response.headers.getAll("reason")) ?? sipStatusToCause(status);
    this.fail(status, response.reason, response, undefined, cause);
  }

  /** Answer a 401/407 challenge once per nonce: same Call-ID and tags, next CSeq, new branch. */
  private retryWithAuth(response: SipResponse): boolean {
    const creds = this.options.auth;
    if (!creds || this.authRounds >= MAX_AUTH_ROUNDS) return false;
    const proxy = response.status === 407;
    const challenge = pickChallenge(response.headers.getAll(proxy ? "proxy-authenticate" : "www-authenticate"), creds.realm);
    if (!challenge) return false;
    // The same nonce again (and not stale) means our answer was refused: wrong credentials.
    if (this.usedNonces.has(challenge.nonce) && !challenge.stale) return false;
    this.usedNonces.add(challenge.nonce);
    this.authRounds++;
    this.dialog.localCseq++;
    const value = buildAuthorization(challenge, creds, "INVITE", this.options.target);
    this.sendInvite([proxy ? "Proxy-Authorization" : "Authorization", value]);
    return true;
  }

  private fail(status: number, reason: string, response?: SipResponse, detail?: string, cause: HangupCause = sipStatusToCause(status)): void {
    this.clearTimeout();
    if (!this.isPending()) return;
    if (detail) this.ctx.log("warning", `call ${this.callId}: ${status} ${reason}: ${detail}`);
    this.emit("failed", { status, reason, cause, response });
    this.end({ cause, by: response ? "remote" : status === 408 ? "timeout" : "local", status });
    this.ctx.release(this);
  }

  /**
   * Give up before an answer: CANCEL now, or as soon as a provisional response allows it
   * (RFC 3261 9.1). The call is reported failed (487) with `cause` at once; a 2xx that crosses
   * the CANCEL is ACKed and ended with a BYE.
   */
  cancel(cause: HangupCause = "ORIGINATOR_CANCEL"): void {
    if (!this.isPending() || this.cancelling) return;
    this.clearTimeout();
    this.cancelling = { cause, sent: false };
    this.emit("failed", { status: 487, reason: "Request Terminated", cause });
    this.end({ cause, by: "local", status: 487 });
    if (!this.inviteTx) return void this.ctx.release(this); // still resolving: nothing was sent
    if (this.gotProvisional) this.sendCancel();
  }

  private sendCancel(): void {
    if (!this.cancelling || this.cancelling.sent || !this.invite || !this.destination) return;
    this.cancelling.sent = true;
    const headers = new SipHeaders()
      .append("Via", this.invite.headers.get("via") ?? "")
      .append("Max-Forwards", "70")
      .append("From", this.invite.headers.get("from") ?? "")
      .append("To", this.invite.headers.get("to") ?? "")
      .append("Call-ID", this.dialog.callId)
      .append("CSeq", `${this.dialog.localCseq} CANCEL`)
      .append("Reason", reasonHeaderFor(this.cancelling.cause))
      .append("User-Agent", this.ctx.serverName);
    for (const route of this.invite.headers.getAll("route")) headers.append("Route", route);
    this.ctx.transactions.sendRequest(createRequest("CANCEL", this.invite.uri, headers), this.destination);
  }

  /** The INVITE transaction is over after our CANCEL (487, or Timer B with no answer at all). */
  private finishCancelled(): void {
    if (this.answeredTag === undefined) this.ctx.release(this);
  }

  private clearTimeout(): void {
    this.timeoutTimer?.cancel();
    this.timeoutTimer = undefined;
  }

  /** End the call: CANCEL if not answered yet, else BYE (with a Q.850 Reason for `cause`). */
  hangup(cause: HangupCause = "NORMAL_CLEARING"): Promise<void> {
    if (this.isPending()) {
      this.cancel(cause);
      return Promise.resolve();
    }
    return this.hangupDialog(cause);
  }

  /** @internal A 2xx for our INVITE that no transaction claims any more (after Timer M). */
  receiveStray2xx(response: SipResponse): void {
    this.on2xx(response);
  }
}

function sdpOf(response: SipResponse): string | undefined {
  const type = response.headers.get("content-type");
  if (!response.body.length || !type || mediaType(type) !== "application/sdp") return undefined;
  return response.body.toString("utf8");
}

/** Headers a caller may not set: the stack owns them (routing, dialog identity, auth, body framing). */
const RESERVED_HEADERS = new Set([
  "via", "from", "to", "call-id", "cseq", "contact", "max-forwards", "content-length", "content-type", "route",
  "record-route", "authorization", "proxy-authorization", "expires", "require", "supported", "allow",
]);

/** Options that would produce a broken or forged INVITE: a readable reason, or undefined. */
function checkOptions(o: PlaceCallOptions): string | undefined {
  const target = parseSipUri(o.target);
  if (target.ok && target.value.scheme !== "sip") return `Bad target: ${target.value.scheme}: needs TLS, which this stack does not speak`;
  if (target.ok && target.value.headers.size) return "Bad target: a Request-URI cannot carry headers";
  if (o.to !== undefined && !parseSipUri(o.to).ok) return `Bad To URI: ${o.to}`;
  for (const [name, value] of o.headers ?? []) {
    if (!TOKEN_RE.test(name)) return `Bad header name: ${JSON.stringify(name)}`;
    if (RESERVED_HEADERS.has(headerKey(name))) return `Header ${name} is set by the SIP stack, not by the caller`;
    if (/[\r\n\0]/.test(value)) return `Bad header value for ${name}`;
  }
  return undefined;
}

/** RFC 3261 user part: unreserved and user-unreserved characters stay, the rest is %-escaped. */
function escapeUser(user: string): string {
  return Array.from(Buffer.from(user, "utf8"))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("") || "anonymous";
}

function contactHostOf(contact: string): string | undefined {
  const parsed = parseNameAddr(contact);
  return parsed.ok ? parsed.value.uri.sip?.host : undefined;
}
