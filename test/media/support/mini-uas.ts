// A deliberately tiny SIP UAS for media interop tests only: answers one INVITE with our SDP,
// ignores ACK, answers BYE. No transactions, no retransmission handling beyond re-answering.
// (The real SIP stack lives in runtime/sip; this only gets SIPp to send and receive RTP.)
import dgram from "node:dgram";

export interface MiniUas {
  port: number;
  byeReceived: Promise<void>;
  close(): void;
}

function header(msg: string, name: string): string | undefined {
  const re = new RegExp(`^${name}\\s*:\\s*(.*)$`, "im");
  return re.exec(msg)?.[1]?.trim();
}

export async function startMiniUas(answer: (offerSdp: string) => string | undefined): Promise<MiniUas> {
  const sock = dgram.createSocket("udp4");
  let resolveBye!: () => void;
  const byeReceived = new Promise<void>((r) => (resolveBye = r));
  let answered: string | undefined;
  sock.on("message", (buf, rinfo) => {
    const msg = buf.toString("utf8");
    const method = /^(\w+) /.exec(msg)?.[1];
    if (!method || method === "ACK" || msg.startsWith("SIP/2.0")) return;
    const body = msg.split(/\r?\n\r?\n/).slice(1).join("\r\n\r\n");
    let sdp = "";
    let status = "200 OK";
    if (method === "INVITE") {
      answered ??= answer(body);
      if (answered === undefined) status = "488 Not Acceptable Here";
      else sdp = answered;
    }
    const to = header(msg, "To") ?? "";
    const lines = [
      `SIP/2.0 ${status}`,
      `Via: ${header(msg, "Via")}`,
      `From: ${header(msg, "From")}`,
      `To: ${to.includes("tag=") ? to : `${to};tag=mini-uas`}`,
      `Call-ID: ${header(msg, "Call-ID")}`,
      `CSeq: ${header(msg, "CSeq")}`,
      `Contact: <sip:ivr@127.0.0.1:${(sock.address() as { port: number }).port}>`,
      ...(sdp ? ["Content-Type: application/sdp"] : []),
      `Content-Length: ${Buffer.byteLength(sdp)}`,
      "",
      sdp,
    ];
    sock.send(lines.join("\r\n"), rinfo.port, rinfo.address);
    if (method === "BYE") resolveBye();
  });
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  return { port: sock.address().port, byeReceived, close: () => sock.close() };
}
