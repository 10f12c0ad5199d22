// Transport layer contract (UDP now, TCP later) and the datagram receive pipeline shared by
// every datagram transport: parse, stamp received/rport, answer 400 or drop, emit upward.
import { SipHeaders, createResponse, describeMessage, serializeMessage, type SipMessage } from "./message";
import { formatVia, parseVia, type Via } from "./grammar";
import { parseMessage, type ParseLimits } from "./parser";

export interface Endpoint {
  address: string;
  port: number;
}

export type TransportProtocol = "UDP" | "TCP";

export type MessageHandler = (message: SipMessage, source: Endpoint) => void;

export interface TraceEvent {
  direction: "in" | "out" | "bad" | "drop";
  remote: Endpoint;
  /** Short description: first line, or the parse error. */
  summary: string;
  bytes: number;
  error?: string;
}

export type TraceHandler = (event: TraceEvent) => void;

export interface TransportStats {
  received: number;
  sent: number;
  parseErrors: number;
  badRequestsAnswered: number;
  dropped: number;
  handlerErrors: number;
}

export interface SipTransport {
  readonly protocol: TransportProtocol;
  /** The bound local address (for Via and Contact). */
  readonly local: Endpoint;
  readonly stats: TransportStats;
  send(message: SipMessage, destination: Endpoint): void;
  onMessage(handler: MessageHandler): void;
  close(): Promise<void>;
}

export function emptyStats(): TransportStats {
  return { received: 0, sent: 0, parseErrors: 0, badRequestsAnswered: 0, dropped: 0, handlerErrors: 0 };
}

export interface ReceiveContext {
  limits?: Partial<ParseLimits>;
  stats: TransportStats;
  handlers: MessageHandler[];
  sendBytes(bytes: Buffer, destination: Endpoint): void;
  trace?: TraceHandler;
  serverName?: string;
}

/**
 * One datagram in, zero or one message up. Never throws: parse failures become a 400 (when the
 * request carried Via, From, To, Call-ID and CSeq) or a dropped datagram, both traced.
 */
export function receiveDatagram(bytes: Buffer, source: Endpoint, ctx: ReceiveContext): void {
  ctx.stats.received++;
  const result = parseMessage(bytes, ctx.limits);
  if (!result.ok) {
    if (result.keepalive) return;
    ctx.stats.parseErrors++;
    ctx.trace?.({ direction: "bad", remote: source, summary: result.error, bytes: bytes.length, error: result.error });
    const answer = result.partial && result.partial.method !== "ACK"
      ? answerUnparsable(result.partial.headers, result.status ?? 400, result.error, source, ctx.serverName)
      : undefined;
    if (answer) {
      ctx.stats.badRequestsAnswered++;
      const dest = responseDestination(source);
      const out = serializeMessage(answer);
      ctx.trace?.({ direction: "out", remote: dest, summary: describeMessage(answer), bytes: out.length });
      ctx.stats.sent++;
      ctx.sendBytes(out, dest);
    } else {
      ctx.stats.dropped++;
      ctx.trace?.({ direction: "drop", remote: source, summary: "unanswerable datagram dropped", bytes: bytes.length, error: result.error });
    }
    return;
  }
  const message = result.message;
  if (message.kind === "request") {
    // RFC 3261 18.2.1 / RFC 3581: record where the request really came from.
    const top = parseVia(message.headers.get("via")!);
    if (top.ok) message.headers.setFirst("via", formatVia(stampVia(top.value, source)));
  }
  ctx.trace?.({ direction: "in", remote: source, summary: describeMessage(message), bytes: bytes.length });
  for (const handler of ctx.handlers) {
    try {
      handler(message, source);
    } catch (err) {
      ctx.stats.handlerErrors++;
      ctx.trace?.({ direction: "bad", remote: source, summary: "handler threw", bytes: bytes.length, error: String((err as Error)?.stack ?? err) });
    }
  }
}

/**
 * RFC 3261 18.2.1 / RFC 3581: the top Via records where the request really came from. A client's
 * own `received` is never kept (sofia-sip drops it the same way): ours replaces it when sent-by
 * is not the source address, when rport was asked, or when the client wrote one.
 */
export function stampVia(via: Via, source: Endpoint): Via {
  const params = new Map(via.params);
  params.delete("received");
  if (via.host !== source.address || via.rport !== undefined || via.received !== undefined) params.set("received", source.address);
  if (via.rport !== undefined) params.set("rport", String(source.port));
  return {
    ...via, params,
    received: params.get("received") ?? undefined,
    rport: via.rport !== undefined ? source.port : undefined,
  };
}

/**
 * Where a response goes: the packet's source address and port, always (symmetric response
 * routing, as RFC 3581 rport and Kamailio/Asterisk defaults do). Nothing a client writes in
 * its Via (received, maddr, sent-by) can steer a response to another host: that would make the
 * server a reflector. Over UDP this is also what NATed phones need.
 */
export function responseDestination(source: Endpoint): Endpoint {
  return { address: source.address, port: source.port };
}

/**
 * Answer a request the parser refused (400, or 505 for another SIP version) from the headers it
 * could read, or undefined when Via, From, To, Call-ID or CSeq is missing. The Via values are
 * echoed as received: the answer goes to the packet's source whatever they say.
 */
function answerUnparsable(headers: SipHeaders, status: number, error: string, source: Endpoint, serverName?: string) {
  const vias = headers.getAll("via");
  const from = headers.get("from");
  const to = headers.get("to");
  const callId = headers.get("call-id");
  const cseq = headers.get("cseq");
  if (!vias.length || !from || !to || !callId || !cseq) return undefined;
  const out = new SipHeaders();
  const top = parseVia(vias[0]);
  out.append("Via", top.ok ? formatVia(stampVia(top.value, source)) : vias[0]);
  for (const via of vias.slice(1)) out.append("Via", via);
  out.append("From", from).append("To", to).append("Call-ID", callId).append("CSeq", cseq);
  if (serverName) out.append("Server", serverName);
  // The reason phrase carries the parse error (trimmed, printable ASCII only).
  const base = status === 505 ? "Version Not Supported" : "Bad Request";
  const reason = `${base} - ${error}`.replace(/[^\x20-\x7e]/g, "?").slice(0, 120);
  return createResponse(status, reason, out);
}
