// UDP transport over node:dgram (IPv4). Datagrams go through receiveDatagram (parse, 400 or drop).
import dgram from "node:dgram";
import { describeMessage, serializeMessage, type SipMessage } from "./message";
import type { ParseLimits } from "./parser";
import {
  emptyStats, receiveDatagram, type Endpoint, type MessageHandler, type SipTransport, type TraceHandler, type TransportStats,
} from "./transport";

export interface UdpTransportOptions {
  address?: string;
  /** 0 picks a free port. */
  port?: number;
  limits?: Partial<ParseLimits>;
  trace?: TraceHandler;
  serverName?: string;
}

export class UdpTransport implements SipTransport {
  readonly protocol = "UDP" as const;
  readonly stats: TransportStats = emptyStats();
  private handlers: MessageHandler[] = [];
  private closed = false;

  private constructor(private socket: dgram.Socket, readonly local: Endpoint, private options: UdpTransportOptions) {
    socket.on("message", (bytes, rinfo) => {
      try {
        receiveDatagram(bytes, { address: rinfo.address, port: rinfo.port }, {
          limits: options.limits, stats: this.stats, handlers: this.handlers, trace: options.trace,
          serverName: options.serverName, sendBytes: (out, dest) => this.sendBytes(out, dest),
        });
      } catch (err) {
        // receiveDatagram does not throw; this is the last line of defence for the process.
        this.stats.handlerErrors++;
        options.trace?.({ direction: "bad", remote: { address: rinfo.address, port: rinfo.port }, summary: "receive pipeline threw", bytes: bytes.length, error: String(err) });
      }
    });
    // ICMP unreachable and friends arrive as socket errors on some platforms; they must not kill the process.
    socket.on("error", (err) => {
      this.stats.handlerErrors++;
      options.trace?.({ direction: "bad", remote: local, summary: "socket error", bytes: 0, error: String(err) });
    });
  }

  static async bind(options: UdpTransportOptions = {}): Promise<UdpTransport> {
    const socket = dgram.createSocket({ type: "udp4" });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      socket.once("error", onError);
      socket.bind(options.port ?? 5060, options.address ?? "0.0.0.0", () => {
        socket.off("error", onError);
        resolve();
      });
    });
    const addr = socket.address();
    return new UdpTransport(socket, { address: addr.address, port: addr.port }, options);
  }

  onMessage(handler: MessageHandler): void {
    this.handlers.push(handler);
  }

  send(message: SipMessage, destination: Endpoint): void {
    const bytes = serializeMessage(message);
    this.options.trace?.({ direction: "out", remote: destination, summary: describeMessage(message), bytes: bytes.length });
    this.stats.sent++;
    this.sendBytes(bytes, destination);
  }

  private sendBytes(bytes: Buffer, destination: Endpoint): void {
    if (this.closed) return;
    this.socket.send(bytes, destination.port, destination.address, (err) => {
      if (err) {
        this.stats.handlerErrors++;
        this.options.trace?.({ direction: "bad", remote: destination, summary: "send failed", bytes: bytes.length, error: String(err) });
      }
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
