// A hand-driven SIP caller on a UDP socket, for what SIPp hides: e.g. counting the IVR's 200 OK
// retransmissions when the ACK never comes.
import dgram from "node:dgram";

export interface RawUac {
  port: number;
  received: string[];
  send(text: string): Promise<void>;
  /** Resolves with the first received message matching re (or rejects after timeoutMs). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  close(): void;
}

export async function rawUac(target: number): Promise<RawUac> {
  const sock = dgram.createSocket("udp4");
  const received: string[] = [];
  sock.on("message", (m) => received.push(m.toString("latin1")));
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const port = sock.address().port;
  return {
    port,
    received,
    send: (text) => new Promise<void>((r) => sock.send(text.replace(/\r?\n/g, "\r\n"), target, "127.0.0.1", () => r())),
    async waitFor(re, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find((m) => re.test(m));
        if (hit) return hit;
        if (Date.now() > until) throw new Error(`no message matching ${re} within ${timeoutMs} ms; got:\n${received.map((m) => m.split("\r\n")[0]).join("\n")}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => sock.close(),
  };
}

/** An INVITE with a PCMA offer from the raw UAC. */
export function inviteText(uacPort: number, number: string, callId: string, mediaPort: number): string {
  const sdp = `v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${mediaPort} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
  return (
    `INVITE sip:${number}@127.0.0.1 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:${uacPort};branch=z9hG4bK-${callId.replace(/[^A-Za-z0-9]/g, "")};rport\r\n` +
    `From: <sip:raw@127.0.0.1:${uacPort}>;tag=raw1\r\nTo: <sip:${number}@127.0.0.1>\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\n` +
    `Contact: <sip:raw@127.0.0.1:${uacPort}>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`
  );
}

/** 200 OK for a received request (copies Via/From/To/Call-ID/CSeq). */
export function okFor(request: string): string {
  const keep = request.split("\r\n").filter((l) => /^(via|from|to|call-id|cseq):/i.test(l));
  return `SIP/2.0 200 OK\r\n${keep.join("\r\n")}\r\nContent-Length: 0\r\n\r\n`;
}
