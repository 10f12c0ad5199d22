// A raw SIP peer on a real loopback UDP socket: sends bytes, collects and parses what arrives.
import dgram from "node:dgram";
import { parseMessage, type SipMessage, type SipResponse } from "../../runtime/sip/index";

export interface UdpPeer {
  readonly address: string;
  readonly port: number;
  readonly received: Array<{ message: SipMessage; from: { address: string; port: number } }>;
  /** Every datagram as text, parseable or not (a 505 echoes a Via our own parser refuses). */
  readonly raw: string[];
  send(bytes: Buffer | string, port: number, address?: string): void;
  /** Resolves with the first message matching, or rejects after timeoutMs. */
  waitFor<T extends SipMessage = SipMessage>(predicate: ((m: SipMessage) => m is T) | ((m: SipMessage) => boolean), timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function udpPeer(address = "127.0.0.1", port = 0): Promise<UdpPeer> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => resolve());
  });
  const received: UdpPeer["received"] = [];
  const waiters: Array<() => void> = [];
  const raw: string[] = [];
  socket.on("message", (bytes, rinfo) => {
    raw.push(bytes.toString("latin1"));
    const parsed = parseMessage(bytes);
    if (parsed.ok) received.push({ message: parsed.message, from: { address: rinfo.address, port: rinfo.port } });
    for (const w of waiters.splice(0)) w();
  });
  return {
    address, port: socket.address().port, received, raw,
    send(bytes, toPort, toAddress = "127.0.0.1") {
      socket.send(typeof bytes === "string" ? Buffer.from(bytes) : bytes, toPort, toAddress);
    },
    waitFor<T extends SipMessage>(predicate: (m: SipMessage) => boolean, timeoutMs = 3000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          const hit = received.find((r) => predicate(r.message));
          if (hit) {
            clearTimeout(timer);
            resolve(hit.message as T);
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

export const isResponse = (status: number, method?: string) => (m: SipMessage): m is SipResponse =>
  m.kind === "response" && m.status === status && (method === undefined || (m.headers.get("cseq") ?? "").endsWith(` ${method}`));

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
