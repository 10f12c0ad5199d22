// A plain UDP socket standing in for the caller's RTP endpoint in engine tests.
import dgram from "node:dgram";
import { performance } from "node:perf_hooks";
import { RtpPacket } from "../../../runtime/media/rtp";

export interface Received {
  at: number;
  packet: RtpPacket;
  from: { address: string; port: number };
}

export class RtpPeer {
  readonly received: Received[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];

  private constructor(readonly socket: dgram.Socket) {
    socket.on("message", (msg, rinfo) => {
      const r = RtpPacket.parse(new Uint8Array(msg));
      if (r.ok) this.received.push({ at: performance.now(), packet: r.packet, from: { address: rinfo.address, port: rinfo.port } });
      this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
    });
  }

  static async open(): Promise<RtpPeer> {
    const s = dgram.createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
    return new RtpPeer(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(buf: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(buf, port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
  }

  /** Resolves when `pred` holds (checked on every packet), or rejects after timeoutMs. */
  until(pred: () => boolean, timeoutMs = 5000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("RtpPeer.until: timed out")), timeoutMs);
      this.waiters.push({ pred, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  close(): void {
    this.socket.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the first value `register` hands over, or rejects after timeoutMs. */
export function nextEvent<T>(register: (fn: (v: T) => void) => () => void, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const off = register((v) => {
      clearTimeout(t);
      off();
      resolve(v);
    });
    const t = setTimeout(() => {
      off();
      reject(new Error("nextEvent: timed out"));
    }, timeoutMs);
  });
}
