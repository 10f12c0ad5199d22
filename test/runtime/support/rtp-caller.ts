// The media half of a hand-driven caller: sends PCMA RTP paced at 20 ms from its own socket and
// decodes whatever PCMA the IVR sends back.
import dgram from "node:dgram";
import { decodeG711, encodeG711 } from "../../../runtime/media/g711";

export class RtpCaller {
  readonly received: Int16Array[] = [];
  private constructor(private readonly sock: dgram.Socket, readonly port: number) {
    sock.on("message", (m) => {
      if (m.length <= 12 || (m[1] & 0x7f) !== 8) return; // PCMA only
      const cc = m[0] & 0x0f;
      this.received.push(decodeG711("PCMA", m.subarray(12 + cc * 4)));
    });
  }

  static async open(): Promise<RtpCaller> {
    const sock = dgram.createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    return new RtpCaller(sock, sock.address().port);
  }

  /** Send pcm as 20 ms PCMA packets to address:port, paced on the wall clock. */
  async send(pcm: Int16Array, port: number, address = "127.0.0.1"): Promise<void> {
    const start = performance.now();
    for (let i = 0, seq = 0; i + 160 <= pcm.length; i += 160, seq++) {
      const pkt = Buffer.alloc(172);
      pkt[0] = 0x80;
      pkt[1] = (seq === 0 ? 0x80 : 0) | 8;
      pkt.writeUInt16BE(seq & 0xffff, 2);
      pkt.writeUInt32BE(seq * 160, 4);
      pkt.writeUInt32BE(0x5eed0001, 8);
      Buffer.from(encodeG711("PCMA", pcm.subarray(i, i + 160))).copy(pkt, 12);
      this.sock.send(pkt, port, address);
      const due = start + (seq + 1) * 20 - performance.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
    }
  }

  /** Everything received so far as one buffer. */
  audio(): Int16Array {
    const out = new Int16Array(this.received.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of this.received) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  close(): void {
    this.sock.close();
  }
}
