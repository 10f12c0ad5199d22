// In-memory datagram network for tests (after pjsip's loop transport): every transport on a
// LoopNetwork gets an address; sends are serialized, optionally dropped or delayed, then parsed
// by the receiver exactly like UDP datagrams.
import { describeMessage, serializeMessage, type SipMessage } from "./message";
import type { ParseLimits } from "./parser";
import type { Timers } from "./timers";
import {
  emptyStats, receiveDatagram, type Endpoint, type MessageHandler, type SipTransport, type TraceHandler, type TransportStats,
} from "./transport";

export interface LoopPacket {
  from: Endpoint;
  to: Endpoint;
  bytes: Buffer;
  /** The datagram as text, for assertions. */
  text: string;
}

export interface LoopKnobs {
  /** Return true to lose this datagram. */
  drop?: (packet: LoopPacket) => boolean;
  /** Delivery delay in ms (0 = next microtask). */
  delayMs?: number;
}

const key = (e: Endpoint) => `${e.address}:${e.port}`;

export class LoopNetwork {
  readonly knobs: LoopKnobs = {};
  /** Every datagram handed to the network, delivered or not. */
  readonly log: LoopPacket[] = [];
  private members = new Map<string, LoopTransport>();

  constructor(private timers?: Timers) {}

  createTransport(local: Endpoint, options: { limits?: Partial<ParseLimits>; trace?: TraceHandler; serverName?: string } = {}): LoopTransport {
    const transport = new LoopTransport(this, local, options);
    this.members.set(key(local), transport);
    return transport;
  }

  /** @internal */
  deliver(from: Endpoint, to: Endpoint, bytes: Buffer): void {
    const packet: LoopPacket = { from, to, bytes, text: bytes.toString("utf8") };
    this.log.push(packet);
    if (this.knobs.drop?.(packet)) return;
    const target = this.members.get(key(to));
    if (!target) return;
    const run = () => target.receive(bytes, from);
    const delay = this.knobs.delayMs ?? 0;
    if (delay > 0 && this.timers) this.timers.after(delay, run);
    else queueMicrotask(run);
  }

  /** @internal */
  detach(transport: LoopTransport): void {
    if (this.members.get(key(transport.local)) === transport) this.members.delete(key(transport.local));
  }
}

export class LoopTransport implements SipTransport {
  readonly protocol = "UDP" as const;
  readonly stats: TransportStats = emptyStats();
  private handlers: MessageHandler[] = [];
  private closed = false;

  constructor(
    private network: LoopNetwork,
    readonly local: Endpoint,
    private options: { limits?: Partial<ParseLimits>; trace?: TraceHandler; serverName?: string },
  ) {}

  onMessage(handler: MessageHandler): void {
    this.handlers.push(handler);
  }

  send(message: SipMessage, destination: Endpoint): void {
    const bytes = serializeMessage(message);
    this.options.trace?.({ direction: "out", remote: destination, summary: describeMessage(message), bytes: bytes.length });
    this.stats.sent++;
    this.sendRaw(bytes, destination);
  }

  /** Send arbitrary bytes (tests inject garbage this way). */
  sendRaw(bytes: Buffer | string, destination: Endpoint): void {
    if (this.closed) return;
    this.network.deliver(this.local, destination, typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes);
  }

  /** @internal */
  receive(bytes: Buffer, source: Endpoint): void {
    if (this.closed) return;
    receiveDatagram(bytes, source, {
      limits: this.options.limits, stats: this.stats, handlers: this.handlers, trace: this.options.trace,
      serverName: this.options.serverName, sendBytes: (out, dest) => this.sendRaw(out, dest),
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.network.detach(this);
    return Promise.resolve();
  }
}
