// The user agent core: routes requests from the transaction layer to dialogs (incoming Calls and
// OutboundCalls alike), answers OPTIONS, CANCEL, unknown dialogs (481) and unsupported methods
// (405/501), hands REGISTER to the registrar when there is one, creates calls for new INVITEs
// (the application's async onInvite hook) and places outgoing calls.
import type { SipRequest, SipResponse } from "./message";
import { parseAnyUri, parseCSeq, parseNameAddr } from "./grammar";
import { buildResponse, type ResponseOptions } from "./response";
import { createUasDialog, dialogId } from "./dialog";
import { Call } from "./call";
import { ALLOWED_METHODS, type DialogSession, type SessionEvents } from "./dialog-session";
import { OutboundCall, type OutboundContext, type PlaceCallOptions } from "./outbound-call";
import type { Registrar } from "./registrar";
import { mediaType } from "./dtmf-info";
import {
  InviteServerTransaction, randomToken,
  type LogFn, type NonInviteServerTransaction, type ServerTransaction, type TransactionLayer, type TransactionUser,
} from "./transaction";
import type { Endpoint, SipTransport } from "./transport";
import type { SipTimerConfig, Timers } from "./timers";
import type { SipResolver } from "./resolver";
export type { PlaceCallOptions } from "./outbound-call";

/** Methods we know but do not implement: 405 with Allow. Anything else unknown: 501. */
const KNOWN_UNSUPPORTED = new Set(["REGISTER", "SUBSCRIBE", "MESSAGE", "UPDATE", "PRACK", "PUBLISH"]);
const SUPPORTED_SCHEMES = new Set(["sip", "sips", "tel"]);

export type InviteHandler = (call: Call) => void | Promise<void>;

export interface UserAgentOptions {
  transport: SipTransport;
  transactions: TransactionLayer;
  timers: Timers;
  config: SipTimerConfig;
  onInvite: InviteHandler;
  log: LogFn;
  serverName: string;
  /** Host put in our Contact (the bound address unless it is 0.0.0.0). */
  contactHost: string;
  resolver: SipResolver;
  /** Answers REGISTER for local users; without it REGISTER gets 405. */
  registrar?: Registrar;
}

export interface UserAgentStats {
  invites: number;
  /** Incoming calls still tracked. */
  activeCalls: number;
  /** Outgoing calls still tracked. */
  outboundCalls: number;
  hookErrors: number;
}

type AnySession = DialogSession<SessionEvents>;

export class UserAgent implements TransactionUser {
  /** Every confirmed or early dialog, by Call-ID + local tag + remote tag. */
  private calls = new Map<string, AnySession>();
  private callsByInviteTx = new Map<InviteServerTransaction, Call>();
  /** Outgoing calls by Call-ID + our From tag, from INVITE to release (late 2xx find them here). */
  private outbound = new Map<string, OutboundCall>();
  private shuttingDown = false;
  private invites = 0;
  private hookErrors = 0;
  private callContext: OutboundContext;

  constructor(private options: UserAgentOptions) {
    const local = options.transport.local;
    this.callContext = {
      transport: options.transport, transactions: options.transactions, timers: options.timers,
      config: options.config, log: options.log, serverName: options.serverName,
      contact: `<sip:${options.contactHost}:${local.port}>`, resolver: options.resolver,
      release: (session) => this.release(session),
      dialogConfirmed: (call) => {
        this.calls.set(dialogId(call.dialog.callId, call.dialog.localTag, call.dialog.remoteTag), call);
      },
    };
  }

  get stats(): UserAgentStats {
    return { invites: this.invites, activeCalls: this.activeCalls.length, outboundCalls: this.outbound.size, hookErrors: this.hookErrors };
  }

  /** Incoming calls the UA still tracks (including ones waiting for their BYE to go out). */
  get activeCalls(): Call[] {
    return [...this.calls.values()].filter((c): c is Call => c instanceof Call);
  }

  /** Outgoing calls the UA still tracks. */
  get outboundCalls(): OutboundCall[] {
    return [...this.outbound.values()];
  }

  /**
   * Start an outgoing call. Returns at once; attach listeners for `progress`, `early`,
   * `answered`, `failed` and `ended` before yielding (nothing is sent, and no event fires, until
   * the current synchronous code is done). While shutting down the call fails (SYSTEM_SHUTDOWN).
   */
  placeCall(options: PlaceCallOptions): OutboundCall {
    const call = new OutboundCall(options, this.callContext);
    this.outbound.set(`${call.dialog.callId}|${call.dialog.localTag}`, call);
    if (this.shuttingDown) {
      queueMicrotask(() => call.cancel("SYSTEM_SHUTDOWN"));
      return call;
    }
    // Start after the caller's synchronous code: its listeners are attached by then, even for a
    // call that fails at once (bad options).
    queueMicrotask(() => {
      call.start().catch((err) => {
        this.options.log("err", `outbound call ${call.callId} failed to start: ${(err as Error)?.stack ?? err}`);
        call.cancel("NORMAL_TEMPORARY_FAILURE");
      });
    });
    return call;
  }

  /** Refuse new INVITEs with 503; optionally hang up every call, incoming and outgoing. */
  async shutdown(hangupCalls = false): Promise<void> {
    this.shuttingDown = true;
    if (hangupCalls) {
      const sessions = new Set<{ hangup(cause: "SYSTEM_SHUTDOWN"): Promise<void> }>([...this.activeCalls, ...this.outbound.values()]);
      await Promise.all([...sessions].map((c) => c.hangup("SYSTEM_SHUTDOWN")));
    }
  }

  private release(session: AnySession): void {
    const id = dialogId(session.dialog.callId, session.dialog.localTag, session.dialog.remoteTag);
    if (this.calls.get(id) === session) this.calls.delete(id);
    if (session instanceof Call) this.callsByInviteTx.delete(session.inviteTransaction);
    if (session instanceof OutboundCall) {
      const key = `${session.dialog.callId}|${session.dialog.localTag}`;
      if (this.outbound.get(key) === session) this.outbound.delete(key);
    }
  }

  private reply(tx: ServerTransaction, request: SipRequest, status: number, options: ResponseOptions = {}): void {
    const response = buildResponse(request, status, {
      ...options, toTag: options.toTag ?? randomToken(),
      headers: [["Server", this.options.serverName], ...(options.headers ?? [])],
    });
    tx.respond(response);
  }

  onStrayResponse(response: SipResponse, source: Endpoint): void {
    // A 2xx to our INVITE after its transaction ended (Timer M): the ACK was lost, send it again.
    if (response.status >= 200 && response.status < 300 && / INVITE$/.test(response.headers.get("cseq") ?? "")) {
      const from = parseNameAddr(response.headers.get("from") ?? "");
      const call = from.ok && from.value.tag ? this.outbound.get(`${response.headers.get("call-id")}|${from.value.tag}`) : undefined;
      if (call) return call.receiveStray2xx(response);
    }
    this.options.log("debug", `stray response ${response.status} from ${source.address}:${source.port} ignored`);
  }

  onRequest(request: SipRequest, source: Endpoint, tx: ServerTransaction | undefined): void {
    if (!tx) return this.onAck(request);
    const method = request.method;
    if (method === "REGISTER" && this.options.registrar) {
      return this.options.registrar.handle(request, source, tx as NonInviteServerTransaction);
    }
    if (!ALLOWED_METHODS.includes(method)) {
      const status = KNOWN_UNSUPPORTED.has(method) ? 405 : 501;
      return this.reply(tx, request, status, { headers: [["Allow", ALLOWED_METHODS.join(", ")]] });
    }
    const uri = parseAnyUri(request.uri);
    if (!uri.ok || !SUPPORTED_SCHEMES.has(uri.value.scheme)) return this.reply(tx, request, 416);
    if (method === "CANCEL") return this.onCancel(request, tx as NonInviteServerTransaction);
    if (method !== "ACK") {
      const require = request.headers.getAll("require").flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
      if (require.length) return this.reply(tx, request, 420, { headers: [["Unsupported", require.join(", ")]] });
    }

    const to = parseNameAddr(request.headers.get("to") ?? "");
    const toTag = to.ok ? to.value.tag : undefined;
    if (toTag) return this.onInDialog(request, tx, toTag);

    switch (method) {
      case "INVITE":
        return this.onNewInvite(request, source, tx as InviteServerTransaction);
      case "OPTIONS":
        // A load balancer's health probe (Kamailio's dispatcher): draining or stopping, we are out.
        if (this.shuttingDown) return this.reply(tx, request, 503, { headers: [["Retry-After", "5"], ...this.capabilityHeaders()] });
        return this.reply(tx, request, 200, { headers: this.capabilityHeaders() });
      default:
        // BYE or INFO outside any dialog.
        return this.reply(tx, request, 481);
    }
  }

  private capabilityHeaders(): Array<[string, string]> {
    return [
      ["Allow", ALLOWED_METHODS.join(", ")],
      ["Accept", "application/sdp, application/dtmf-relay, application/dtmf"],
      ["Accept-Language", "en"],
      ["Contact", this.callContext.contact],
    ];
  }

  private findCall(request: SipRequest, localTag: string): AnySession | undefined {
    const from = parseNameAddr(request.headers.get("from") ?? "");
    const remoteTag = from.ok ? from.value.tag ?? "" : "";
    return this.calls.get(dialogId(request.headers.get("call-id") ?? "", localTag, remoteTag));
  }

  private onAck(ack: SipRequest): void {
    const to = parseNameAddr(ack.headers.get("to") ?? "");
    const call = to.ok && to.value.tag ? this.findCall(ack, to.value.tag) : undefined;
    if (call) call.receiveAck(ack);
    else this.options.log("debug", `ACK matches no dialog (Call-ID ${ack.headers.get("call-id")})`);
  }

  private onCancel(cancel: SipRequest, tx: NonInviteServerTransaction): void {
    const inviteTx = this.options.transactions.findInviteFor(cancel);
    const call = inviteTx ? this.callsByInviteTx.get(inviteTx) : undefined;
    if (!inviteTx) return this.reply(tx, cancel, 481);
    // The 200 to the CANCEL carries the same To tag as our responses to the INVITE.
    this.reply(tx, cancel, 200, { toTag: call?.dialog.localTag });
    if (call && !inviteTx.finalSent) call.receiveCancel(cancel);
  }

  private onInDialog(request: SipRequest, tx: ServerTransaction, localTag: string): void {
    const call = this.findCall(request, localTag);
    if (!call || call.state === "ended") return this.reply(tx, request, 481, { toTag: localTag });
    // RFC 3261 12.2.2: a lower CSeq than the last one is out of order.
    const cseq = parseCSeq(request.headers.get("cseq") ?? "");
    if (!cseq.ok || cseq.value.seq < call.dialog.remoteCseq) {
      return this.reply(tx, request, 500, { toTag: localTag, reason: "CSeq Out Of Order" });
    }
    call.dialog.remoteCseq = cseq.value.seq;
    switch (request.method) {
      case "BYE":
        return call.receiveBye(request, tx as NonInviteServerTransaction);
      case "INFO":
        return call.receiveInfo(request, tx as NonInviteServerTransaction);
      case "REFER":
        return call.receiveRefer(request, tx as NonInviteServerTransaction);
      case "NOTIFY":
        return call.receiveNotify(request, tx as NonInviteServerTransaction);
      case "INVITE":
        return call.receiveReinvite(request, tx as InviteServerTransaction);
      case "OPTIONS":
        return this.reply(tx, request, 200, { toTag: localTag, headers: this.capabilityHeaders() });
      default:
        return this.reply(tx, request, 405, { toTag: localTag, headers: [["Allow", ALLOWED_METHODS.join(", ")]] });
    }
  }

  private onNewInvite(invite: SipRequest, source: Endpoint, tx: InviteServerTransaction): void {
    this.invites++;
    if (this.shuttingDown) return this.reply(tx, invite, 503, { headers: [["Retry-After", "5"]] });
    const contentType = invite.headers.get("content-type");
    if (invite.body.length && (!contentType || mediaType(contentType) !== "application/sdp")) {
      return this.reply(tx, invite, 415, { headers: [["Accept", "application/sdp"]] });
    }
    const localTag = randomToken();
    const dialog = createUasDialog(invite, localTag, source);
    if (!dialog) return this.reply(tx, invite, 400, { reason: "Bad Request - missing or invalid Contact" });
    const call = new Call(invite, source, dialog, tx, this.callContext);
    this.calls.set(dialogId(dialog.callId, dialog.localTag, dialog.remoteTag), call);
    this.callsByInviteTx.set(tx, call);
    tx.onTerminated = () => {
      // A rejected or cancelled call is released already; an unanswered call whose tx died is over.
      this.callsByInviteTx.delete(tx);
    };
    Promise.resolve()
      .then(() => this.options.onInvite(call))
      .catch((err) => {
        this.hookErrors++;
        this.options.log("err", `onInvite threw for ${dialog.callId}: ${(err as Error)?.stack ?? err}`);
        if (call.state === "incoming" || call.state === "early") call.reject(500, undefined, "NORMAL_TEMPORARY_FAILURE");
      });
  }
}
