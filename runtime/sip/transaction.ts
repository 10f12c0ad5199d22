// RFC 3261 section 17 transactions (UDP timers), with RFC 6026's Accepted state for INVITE 2xx:
// INVITE server, non-INVITE server and non-INVITE client (our BYE). Each owns its timers and
// reports to its transaction user through callbacks. Keyed by branch + sent-by + method.
import { SipHeaders, createRequest, describeMessage, type SipMessage, type SipRequest, type SipResponse } from "./message";
import { parseCSeq, parseNameAddr, parseVia } from "./grammar";
import { buildResponse } from "./response";
import { responseDestination, type Endpoint, type SipTransport } from "./transport";
import type { SipTimerConfig, TimerHandle, Timers } from "./timers";

const MAGIC_COOKIE = "z9hG4bK";

export type LogFn = (level: "debug" | "info" | "warning" | "err", message: string) => void;

interface Context {
  transport: SipTransport;
  timers: Timers;
  config: SipTimerConfig;
  log: LogFn;
  remove(key: string): void;
}

/** Transaction key for a message (RFC 3261 17.2.3); ACK maps onto its INVITE. */
export function transactionKey(msg: SipMessage): string | undefined {
  const topVia = msg.headers.get("via");
  const cseq = parseCSeq(msg.headers.get("cseq") ?? "");
  if (!topVia || !cseq.ok) return undefined;
  const via = parseVia(topVia);
  if (!via.ok) return undefined;
  let method = msg.kind === "request" ? msg.method : cseq.value.method;
  if (method === "ACK") method = "INVITE";
  const sentBy = `${via.value.host.toLowerCase()}:${via.value.port ?? 5060}`;
  if (via.value.branch?.startsWith(MAGIC_COOKIE)) return `${via.value.branch}|${sentBy}|${method}`;
  // RFC 2543 peers (17.2.3): Request-URI, From tag, Call-ID, CSeq number and top Via (branch and
  // sent-by); the To tag of an ACK is checked against our response by the transaction layer.
  // Responses always answer our own requests, which carry the magic cookie.
  const from = parseNameAddr(msg.headers.get("from") ?? "");
  const uri = msg.kind === "request" ? msg.uri : "";
  return `2543|${uri}|${msg.headers.get("call-id")}|${cseq.value.seq}|${from.ok ? from.value.tag ?? "" : ""}|${via.value.branch ?? ""}|${sentBy}|${method}`;
}

/** RFC 2543 ACK matching: its To tag must be the one of the response it acknowledges. */
function ackMatchesResponse(ack: SipRequest, tx: InviteServerTransaction): boolean {
  if (!tx.key.startsWith("2543|")) return true;
  const ackTo = parseNameAddr(ack.headers.get("to") ?? "");
  const ourTo = parseNameAddr(tx.lastResponse?.headers.get("to") ?? "");
  return ackTo.ok && ourTo.ok && (ackTo.value.tag ?? "") === (ourTo.value.tag ?? "");
}

abstract class ServerTransactionBase {
  lastResponse?: SipResponse;
  readonly destination: Endpoint;
  protected timerHandles: TimerHandle[] = [];
  /** Called once when the transaction ends (terminated), whatever the reason. */
  onTerminated?: () => void;

  constructor(readonly key: string, readonly request: SipRequest, readonly source: Endpoint, protected ctx: Context) {
    this.destination = responseDestination(source);
  }

  abstract get state(): string;

  /** True once a final response was sent. */
  get finalSent(): boolean {
    return (this.lastResponse?.status ?? 0) >= 200;
  }

  protected transmit(response: SipResponse): void {
    this.ctx.transport.send(response, this.destination);
  }

  protected schedule(ms: number, fn: () => void): void {
    this.timerHandles.push(this.ctx.timers.after(ms, fn));
  }

  protected clearTimers(): void {
    for (const t of this.timerHandles) t.cancel();
    this.timerHandles = [];
  }

  protected terminate(): void {
    this.clearTimers();
    this.ctx.remove(this.key);
    const cb = this.onTerminated;
    this.onTerminated = undefined;
    cb?.();
  }

  abstract respond(response: SipResponse): boolean;
  abstract receiveRetransmission(): void;
}

export type InviteServerState = "proceeding" | "accepted" | "completed" | "confirmed" | "terminated";

export class InviteServerTransaction extends ServerTransactionBase {
  state: InviteServerState = "proceeding";
  /** Timer H fired: no ACK for our 3xx-6xx. */
  onTimeout?: () => void;
  /** ACK for our 3xx-6xx arrived. */
  onAck?: (ack: SipRequest) => void;

  start(): void {
    // Send 100 Trying at once so the caller stops retransmitting the INVITE (RFC 3261 17.2.1).
    this.respond(buildResponse(this.request, 100));
  }

  respond(response: SipResponse): boolean {
    if (this.state !== "proceeding") return false;
    this.lastResponse = response;
    this.transmit(response);
    const { T1, T2 } = this.ctx.config;
    if (response.status < 200) return true;
    if (response.status < 300) {
      // RFC 6026: stay to absorb INVITE retransmissions for Timer L; the UA retransmits the 2xx.
      this.state = "accepted";
      this.schedule(64 * T1, () => this.terminate());
      return true;
    }
    this.state = "completed";
    let interval = T1;
    const timerG = () => {
      if (this.state !== "completed") return;
      this.transmit(response);
      interval = Math.min(2 * interval, T2);
      this.schedule(interval, timerG);
    };
    this.schedule(interval, timerG);
    this.schedule(64 * T1, () => {
      if (this.state !== "completed") return;
      this.ctx.log("warning", `Timer H: no ACK for ${describeMessage(response)}`);
      this.onTimeout?.();
      this.terminate();
    });
    return true;
  }

  receiveRetransmission(): void {
    if ((this.state === "proceeding" || this.state === "completed") && this.lastResponse) this.transmit(this.lastResponse);
  }

  receiveAck(ack: SipRequest): void {
    if (this.state !== "completed") return;
    this.state = "confirmed";
    this.clearTimers();
    this.onAck?.(ack);
    // Timer I absorbs ACK retransmissions.
    this.schedule(this.ctx.config.T4, () => this.terminate());
  }

  protected override terminate(): void {
    this.state = "terminated";
    super.terminate();
  }
}

export type NonInviteServerState = "trying" | "proceeding" | "completed" | "terminated";

export class NonInviteServerTransaction extends ServerTransactionBase {
  state: NonInviteServerState = "trying";

  respond(response: SipResponse): boolean {
    if (this.state === "completed" || this.state === "terminated") return false;
    this.lastResponse = response;
    this.transmit(response);
    if (response.status < 200) {
      this.state = "proceeding";
    } else {
      this.state = "completed";
      // Timer J keeps the final response for request retransmissions.
      this.schedule(64 * this.ctx.config.T1, () => this.terminate());
    }
    return true;
  }

  receiveRetransmission(): void {
    if (this.state !== "trying" && this.lastResponse) this.transmit(this.lastResponse);
  }

  protected override terminate(): void {
    this.state = "terminated";
    super.terminate();
  }
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

export type ClientResult = { kind: "response"; response: SipResponse } | { kind: "timeout" } | { kind: "error"; error: string };

export type NonInviteClientState = "trying" | "proceeding" | "completed" | "terminated";

export class NonInviteClientTransaction {
  state: NonInviteClientState = "trying";
  readonly result: Promise<ClientResult>;
  private settle!: (r: ClientResult) => void;
  private timerHandles: TimerHandle[] = [];
  /** Times the request was sent, including the first. */
  transmissions = 0;
  onProvisional?: (response: SipResponse) => void;

  constructor(readonly key: string, readonly request: SipRequest, readonly destination: Endpoint, private ctx: Context) {
    this.result = new Promise((resolve) => { this.settle = resolve; });
  }

  start(): void {
    const { T1, T2 } = this.ctx.config;
    this.send();
    let interval = T1;
    const timerE = () => {
      if (this.state !== "trying" && this.state !== "proceeding") return;
      this.send();
      interval = this.state === "proceeding" ? T2 : Math.min(2 * interval, T2);
      this.timerHandles.push(this.ctx.timers.after(interval, timerE));
    };
    this.timerHandles.push(this.ctx.timers.after(interval, timerE));
    this.timerHandles.push(this.ctx.timers.after(64 * T1, () => {
      if (this.state !== "trying" && this.state !== "proceeding") return;
      this.ctx.log("warning", `Timer F: no final response to ${describeMessage(this.request)}`);
      this.finish({ kind: "timeout" });
    }));
  }

  private send(): void {
    this.transmissions++;
    this.ctx.transport.send(this.request, this.destination);
  }

  receiveResponse(response: SipResponse): void {
    if (this.state !== "trying" && this.state !== "proceeding") return;
    if (response.status < 200) {
      this.state = "proceeding";
      this.onProvisional?.(response);
      return;
    }
    this.clearTimers();
    this.state = "completed";
    this.settle({ kind: "response", response });
    // Timer K absorbs retransmitted responses.
    this.timerHandles.push(this.ctx.timers.after(this.ctx.config.T4, () => this.finish()));
  }

  private clearTimers(): void {
    for (const t of this.timerHandles) t.cancel();
    this.timerHandles = [];
  }

  private finish(result?: ClientResult): void {
    this.clearTimers();
    this.state = "terminated";
    this.ctx.remove(this.key);
    if (result) this.settle(result);
  }
}

export type InviteClientState = "calling" | "proceeding" | "accepted" | "completed" | "terminated";

/**
 * INVITE client transaction (RFC 3261 17.1.1 with RFC 6026): Timer A retransmits the INVITE
 * (T1 doubling, no cap) until a response; Timer B (64*T1) gives up in Calling as sofia does,
 * with a local 408. 3xx-6xx are ACKed here (same branch) and absorbed for Timer D; 2xx go to
 * the TU, which ACKs them itself, and keep coming (retransmissions, forks) until Timer M.
 */
export class InviteClientTransaction {
  state: InviteClientState = "calling";
  private timerHandles: TimerHandle[] = [];
  private ack?: SipRequest;
  /** Times the INVITE was sent, including the first. */
  transmissions = 0;
  /** Every response, in order: 1xx, each 2xx (retransmissions and forks too), and the first 3xx-6xx. */
  onResponse?: (response: SipResponse) => void;
  /** No response before Timer B: reported as a local 408 (what sofia reports). */
  onTimeout?: () => void;

  constructor(readonly key: string, readonly request: SipRequest, readonly destination: Endpoint, private ctx: Context) {}

  start(): void {
    const { T1 } = this.ctx.config;
    this.send();
    let interval = T1;
    const timerA = () => {
      if (this.state !== "calling") return;
      this.send();
      interval *= 2;
      this.timerHandles.push(this.ctx.timers.after(interval, timerA));
    };
    this.timerHandles.push(this.ctx.timers.after(interval, timerA));
    this.timerHandles.push(this.ctx.timers.after(64 * T1, () => {
      if (this.state !== "calling") return;
      this.ctx.log("warning", `Timer B: no response to ${describeMessage(this.request)}`);
      this.finish();
      this.onTimeout?.();
    }));
  }

  private send(): void {
    this.transmissions++;
    this.ctx.transport.send(this.request, this.destination);
  }

  /** Stop retransmitting and forget the transaction now (the TU gave up before any response). */
  abandon(): void {
    if (this.state === "calling") this.finish();
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case "calling":
      case "proceeding":
        if (status < 200) {
          this.state = "proceeding";
        } else if (status < 300) {
          this.clearTimers();
          this.state = "accepted";
          this.timerHandles.push(this.ctx.timers.after(64 * this.ctx.config.T1, () => this.finish()));
        } else {
          this.clearTimers();
          this.state = "completed";
          this.ack = buildNon2xxAck(this.request, response);
          this.ctx.transport.send(this.ack, this.destination);
          // Timer D (32 s over UDP: 64*T1, scaled with T1 like the other timers) absorbs retransmissions.
          this.timerHandles.push(this.ctx.timers.after(64 * this.ctx.config.T1, () => this.finish()));
        }
        this.onResponse?.(response);
        return;
      case "accepted":
        if (status >= 200 && status < 300) this.onResponse?.(response);
        return;
      case "completed":
        if (status >= 300 && this.ack) this.ctx.transport.send(this.ack, this.destination);
        return;
      default:
        return;
    }
  }

  private clearTimers(): void {
    for (const t of this.timerHandles) t.cancel();
    this.timerHandles = [];
  }

  private finish(): void {
    this.clearTimers();
    this.state = "terminated";
    this.ctx.remove(this.key);
  }
}

/** The ACK for a 3xx-6xx (RFC 3261 17.1.1.3): the INVITE's R-URI, top Via and Route, the response's To. */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  headers.append("Via", invite.headers.get("via") ?? "");
  headers.append("Max-Forwards", "70");
  for (const route of invite.headers.getAll("route")) headers.append("Route", route);
  headers.append("From", invite.headers.get("from") ?? "");
  headers.append("To", response.headers.get("to") ?? invite.headers.get("to") ?? "");
  headers.append("Call-ID", invite.headers.get("call-id") ?? "");
  const cseq = parseCSeq(invite.headers.get("cseq") ?? "");
  headers.append("CSeq", `${cseq.ok ? cseq.value.seq : 1} ACK`);
  return createRequest("ACK", invite.uri, headers);
}

export type ClientTransaction = NonInviteClientTransaction | InviteClientTransaction;

export interface TransactionUser {
  /** A new request (tx set) or an ACK that matched no transaction (tx undefined: a 2xx ACK). */
  onRequest(request: SipRequest, source: Endpoint, tx: ServerTransaction | undefined): void;
  /** A response that matched no client transaction. */
  onStrayResponse?(response: SipResponse, source: Endpoint): void;
}

export interface TransactionLayerOptions {
  transport: SipTransport;
  timers: Timers;
  config: SipTimerConfig;
  log?: LogFn;
}

export class TransactionLayer {
  private servers = new Map<string, ServerTransaction>();
  private clients = new Map<string, ClientTransaction>();
  private ctx: Context;
  tu?: TransactionUser;

  constructor(private options: TransactionLayerOptions) {
    this.ctx = {
      transport: options.transport, timers: options.timers, config: options.config,
      log: options.log ?? (() => {}),
      remove: (key) => {
        this.servers.delete(key);
        this.clients.delete(key);
      },
    };
  }

  get serverCount(): number {
    return this.servers.size;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Entry point from the transport. */
  handle(message: SipMessage, source: Endpoint): void {
    const key = transactionKey(message);
    if (!key) return;
    if (message.kind === "response") {
      const tx = this.clients.get(`${key}`);
      if (tx) tx.receiveResponse(message);
      else this.tu?.onStrayResponse?.(message, source);
      return;
    }
    const existing = this.servers.get(key);
    if (message.method === "ACK") {
      if (existing instanceof InviteServerTransaction && existing.state !== "accepted" && ackMatchesResponse(message, existing)) {
        existing.receiveAck(message);
      }
      else this.tu?.onRequest(message, source, undefined);
      return;
    }
    if (existing) {
      existing.receiveRetransmission();
      return;
    }
    const tx = message.method === "INVITE"
      ? new InviteServerTransaction(key, message, source, this.ctx)
      : new NonInviteServerTransaction(key, message, source, this.ctx);
    this.servers.set(key, tx);
    if (tx instanceof InviteServerTransaction) tx.start();
    try {
      this.tu?.onRequest(message, source, tx);
    } catch (err) {
      this.ctx.log("err", `transaction user threw on ${describeMessage(message)}: ${(err as Error)?.stack ?? err}`);
      if (!tx.finalSent) tx.respond(buildResponse(message, 500));
      throw err;
    }
  }

  /** The INVITE server transaction a CANCEL refers to (same branch and sent-by, RFC 3261 9.2). */
  findInviteFor(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = transactionKey(cancel);
    if (!key) return undefined;
    const tx = this.servers.get(key.replace(/\|CANCEL$/, "|INVITE"));
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /** Start an INVITE client transaction; the request must carry a fresh top Via branch. */
  sendInvite(request: SipRequest, destination: Endpoint): InviteClientTransaction {
    const key = transactionKey(request);
    if (!key || request.method !== "INVITE") throw new Error(`cannot start an INVITE client transaction for ${request.method}`);
    const tx = new InviteClientTransaction(key, request, destination, this.ctx);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /** Start a non-INVITE client transaction; the request must carry a fresh top Via branch. */
  sendRequest(request: SipRequest, destination: Endpoint): NonInviteClientTransaction {
    const key = transactionKey(request);
    if (!key || request.method === "INVITE" || request.method === "ACK") {
      throw new Error(`cannot start a non-INVITE client transaction for ${request.method}`);
    }
    const tx = new NonInviteClientTransaction(key, request, destination, this.ctx);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }
}

export function newBranch(): string {
  return MAGIC_COOKIE + randomToken(16);
}

export function randomToken(length = 10): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let s = "";
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}
