// RFC 4475 torture messages, byte for byte as the RFC's test files (test/sip/rfc4475/*.dat),
// sent over real UDP on loopback to a stack: each answered as the RFC says (issue 11, item 6).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createSipStack, parseMessage, type Call, type SipStack, type SipTimerConfig } from "../../runtime/sip/index";
import { isResponse, sleep, udpPeer, type UdpPeer } from "./udp-peer";

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "rfc4475");
const fixture = (name: string) => readFileSync(path.join(DIR, `${name}.dat`));

const open: Array<SipStack | UdpPeer> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function start(onInvite: (call: Call) => void = (call) => void call.reject(486), timerConfig?: Partial<SipTimerConfig>) {
  const calls: Call[] = [];
  const stack = await createSipStack({
    address: "127.0.0.1", port: 0, timerConfig,
    onInvite: (call) => { calls.push(call); onInvite(call); },
  });
  const peer = await udpPeer();
  open.push(stack, peer);
  return { stack, peer, calls, port: stack.transport.local.port };
}

describe("RFC 4475 over UDP", () => {
  it("3.1.1.2 intmeth: an unusual but valid method is parsed and answered 501 with Allow", async () => {
    const bytes = fixture("intmeth");
    expect(bytes.includes(0)).toBe(true); // the escaped NUL of the To display name is there
    const parsed = parseMessage(bytes);
    expect(parsed.ok, parsed.ok ? "" : parsed.error).toBe(true);
    if (parsed.ok && parsed.message.kind === "request") {
      expect(parsed.message.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
      expect(parsed.message.headers.get("call-id")).toBe("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    }
    const { peer, port } = await start();
    peer.send(bytes, port);
    const answer = await peer.waitFor(isResponse(501));
    expect(answer.headers.get("cseq")).toBe("139122385 !interesting-Method0123456789_*+`.%indeed'~");
    expect(answer.headers.get("allow")).toContain("INVITE");
  });

  it("3.1.2.17 badvers: SIP/7.0 is answered 505 Version Not Supported", async () => {
    const { peer, port } = await start();
    peer.send(fixture("badvers"), port);
    // Its Via (SIP/7.0) is echoed as received, so read the answer as text.
    for (let i = 0; i < 30 && !peer.raw.length; i++) await sleep(50);
    const answer = peer.raw[0] ?? "";
    expect(answer).toMatch(/^SIP\/2\.0 505 Version Not Supported/);
    expect(answer).toContain("\r\nCall-ID: badvers.31417@c.example.com\r\n");
    expect(answer).toMatch(/\r\nVia: SIP\/7\.0\/UDP c\.example\.com;branch=z9hG4bKkdjuw/);
  });

  it("3.1.2.7 ltgtruri: a Request-URI in <> is answered 400, the call never reaches the application", async () => {
    const { peer, port, calls } = await start();
    peer.send(fixture("ltgtruri"), port);
    const answer = await peer.waitFor(isResponse(400, "INVITE"));
    expect(answer.reason).toMatch(/Request-URI/);
    expect(answer.headers.get("call-id")).toBe("ltgtruri.1@192.0.2.5");
    expect(calls).toHaveLength(0);
  });

  it("3.3.15 inv2543: an RFC 2543 INVITE (no branch, From tag, Contact, Max-Forwards or Content-Length) is processed", async () => {
    const { peer, port, calls } = await start((call) => void call.answer("v=0\r\no=ivr 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"));
    peer.send(fixture("inv2543"), port);
    const ok = await peer.waitFor(isResponse(200, "INVITE"));
    expect(calls).toHaveLength(1);
    expect(calls[0].destinationNumber).toBe("UserB");
    expect(calls[0].offer).toContain("m=audio 49217 RTP/AVP 0");
    expect(ok.headers.get("to")).toMatch(/^sip:\+16505552222@ss1\.example\.net;user=phone;tag=\w+$/);
    expect(ok.headers.get("record-route")).toBe("<sip:UserB@example.com;maddr=ss1.example.com>");
  });

  it("inv2543 refused: Timer G runs until an RFC 2543 ACK with our To tag (17.2.3), another tag does not match", async () => {
    const { peer, port } = await start((call) => void call.reject(486), { T1: 40, T2: 320 });
    const invite = fixture("inv2543");
    peer.send(invite, port);
    const busy = await peer.waitFor(isResponse(486, "INVITE"));
    const toTag = /;tag=([^;]+)$/.exec(busy.headers.get("to") ?? "")?.[1];
    expect(toTag).toBeTruthy();
    const ack = (tag: string) => [
      "ACK sip:UserB@example.com SIP/2.0", "Via: SIP/2.0/UDP iftgw.example.com",
      "From: <sip:+13035551111@ift.client.example.net;user=phone>", `To: sip:+16505552222@ss1.example.net;user=phone;tag=${tag}`,
      "Call-ID: inv2543.1717@ift.client.example.com", "CSeq: 56 ACK", "", "",
    ].join("\r\n");
    const count = () => peer.received.filter((r) => r.message.kind === "response" && r.message.status === 486).length;
    peer.send(ack("not-ours"), port);
    await sleep(400);
    const beforeAck = count();
    expect(beforeAck).toBeGreaterThanOrEqual(3);
    peer.send(ack(toTag!), port);
    await sleep(100);
    const atAck = count();
    await sleep(500);
    expect(count()).toBe(atAck);
  });
});
