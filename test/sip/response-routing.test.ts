// Responses go to the packet's source, never where a client's Via points (issue 11, item 5):
// real UDP sockets on 127.0.0.1, with listeners on the addresses a Via tries to steer to.
import { afterEach, describe, expect, it } from "vitest";
import { createSipStack, type SipStack } from "../../runtime/sip/index";
import { isResponse, sleep, udpPeer, type UdpPeer } from "./udp-peer";

const open: Array<SipStack | UdpPeer> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function stackAndPeers() {
  const stack = await createSipStack({ address: "127.0.0.1", port: 0, onInvite: (call) => void call.reject(404) });
  const peer = await udpPeer("127.0.0.1");
  // Decoys on the same port number at the addresses the Via names.
  const decoy2 = await udpPeer("127.0.0.2", peer.port);
  const decoy3 = await udpPeer("127.0.0.3", peer.port);
  open.push(stack, peer, decoy2, decoy3);
  return { stack, peer, decoys: [decoy2, decoy3], port: stack.transport.local.port };
}

function options(via: string, callId: string, extra: string[] = []) {
  return [
    "OPTIONS sip:ivr@127.0.0.1 SIP/2.0", `Via: ${via}`, "Max-Forwards: 70",
    "From: <sip:probe@127.0.0.1>;tag=p1", "To: <sip:ivr@127.0.0.1>", `Call-ID: ${callId}`, "CSeq: 1 OPTIONS",
    ...extra, "Content-Length: 0", "", "",
  ].join("\r\n");
}

describe("response routing (real UDP on loopback)", () => {
  it.each([
    ["received=127.0.0.2 (sent-by = the real source)", (p: number) => `SIP/2.0/UDP 127.0.0.1:${p};branch=z9hG4bKr1;received=127.0.0.2`],
    ["maddr=127.0.0.3", (p: number) => `SIP/2.0/UDP 127.0.0.1:${p};branch=z9hG4bKr2;maddr=127.0.0.3`],
    ["both, plus rport", (p: number) => `SIP/2.0/UDP 127.0.0.1:${p};branch=z9hG4bKr3;received=127.0.0.2;maddr=127.0.0.3;rport`],
    ["a sent-by naming another host", (p: number) => `SIP/2.0/UDP 127.0.0.2:${p};branch=z9hG4bKr4`],
    ["a sent-by naming another port", (p: number) => `SIP/2.0/UDP 127.0.0.1:${p === 65535 ? 1 : p + 1};branch=z9hG4bKr5`],
  ])("OPTIONS whose Via carries %s is answered at its source address and port", async (_name, via) => {
    const { peer, decoys, port } = await stackAndPeers();
    peer.send(options(via(peer.port), `route-${_name.length}`), port);
    const ok = await peer.waitFor(isResponse(200, "OPTIONS"));
    // The Via we echo never repeats the client's received claim.
    expect(ok.headers.get("via")).not.toContain("received=127.0.0.2");
    await sleep(150);
    for (const decoy of decoys) expect(decoy.received).toHaveLength(0);
  });

  it("a request answered 400 by the parser goes to the source too", async () => {
    const { peer, decoys, port } = await stackAndPeers();
    peer.send(options(`SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKr6;received=127.0.0.2;maddr=127.0.0.3`, "route-bad", ["Max-Forwards: x"]), port);
    const bad = await peer.waitFor(isResponse(400));
    expect(bad.reason).toMatch(/max-forwards/i);
    await sleep(150);
    for (const decoy of decoys) expect(decoy.received).toHaveLength(0);
  });

  it("INVITE responses and Timer G retransmissions all go to the source", async () => {
    const { peer, decoys, port } = await stackAndPeers();
    peer.send([
      "INVITE sip:404@127.0.0.1 SIP/2.0", `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKr7;received=127.0.0.2;maddr=127.0.0.3`,
      "Max-Forwards: 70", "From: <sip:probe@127.0.0.1>;tag=p2", "To: <sip:404@127.0.0.1>", "Call-ID: route-invite",
      "CSeq: 1 INVITE", `Contact: <sip:probe@127.0.0.1:${peer.port}>`, "Content-Length: 0", "", "",
    ].join("\r\n"), port);
    await peer.waitFor(isResponse(100, "INVITE"));
    await peer.waitFor(isResponse(404, "INVITE"));
    await sleep(700); // one Timer G retransmission (T1 = 500 ms)
    expect(peer.received.filter((r) => r.message.kind === "response" && r.message.status === 404).length).toBeGreaterThanOrEqual(2);
    for (const decoy of decoys) expect(decoy.received).toHaveLength(0);
  });
});
