// Transport layer contract (UDP now, TCP later) and the datagram receive pipeline shared by
// every datagram transport: parse, stamp received/rport, answer 400 or drop, emit upward.
import { SipHeaders, createResponse, describeMessage, serializeMessage, type SipMessage } from "./message";
import { formatVia, isIPv4, parseVia, type Via } from "./grammar";
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
    const answer = result.partial && result.partial.method !== "ACK" ? badRequestFor(result.partial.headers, result.error, ctx.serverName) : undefined;
    if (answer) {
      ctx.stats.badRequestsAnswered++;
      const via = parseVia(answer.headers.get("via")!);
      const dest = via.ok ? responseDestination(stampVia(via.value, source), source) : source;
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

/** Add received (when sent-by differs from the source, or rport was asked) and fill rport. */
export function stampVia(via: Via, source: Endpoint): Via {
  const params = new Map(via.params);
  if (via.host !== source.address || via.rport !== undefined) params.set("received", source.address);
  if (via.rport !== undefined) params.set("rport", String(source.port));
  return {
    ...via, params,
    received: params.get("received") ?? undefined,
    rport: via.rport !== undefined ? source.port : undefined,
  };
}

/** RFC 3261 18.2.2 (unreliable transport) with RFC 3581 rport: where a response goes. */
export function responseDestination(topVia: Via, source: Endpoint): Endpoint {
  if (topVia.maddr && isIPv4(topVia.maddr)) return { address: topVia.maddr, port: topVia.port ?? 5060 };
  if (topVia.received) {
    const port = typeof topVia.rport === "number" ? topVia.rport : topVia.port ?? 5060;
    return { address: topVia.received, port };
  }
  // Without received, sent-by equals the source address; a hostname we cannot resolve here falls back to the source.
  if (isIPv4(topVia.host)) return { address: topVia.host, port: topVia.port ?? 5060 };
  return source;
}

/** Build a 400 from the headers of an unparseable request, or undefined when essentials are missing. */
function badRequestFor(headers: SipHeaders, error: string, serverName?: string) {
  const vias = headers.getAll("via");
  const from = headers.get("from");
  const to = headers.get("to");
  const callId = headers.get("call-id");
  const cseq = headers.get("cseq");
  if (!vias.length || !from || !to || !callId || !cseq) return undefined;
  if (!parseVia(vias[0]).ok) return undefined;
  const out = new SipHeaders();
  for (const via of vias) out.append("Via", via);
  out.append("From", from).append("To", to).append("Call-ID", callId).append("CSeq", cseq);
  if (serverName) out.append("Server", serverName);
  // The reason phrase carries the parse error (trimmed, printable ASCII only).
  const reason = `Bad Request - ${error}`.replace(/[^\x20-\x7e]/g, "?").slice(0, 120);
  return createResponse(400, reason, out);
}
