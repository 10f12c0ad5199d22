// Transaction layer in isolation: Timer G/H for a rejected INVITE, Timer E in Proceeding, ACK absorption.
import { describe, expect, it } from "vitest";
import { TransactionLayer, InviteServerTransaction, type ServerTransaction } from "../../runtime/sip/transaction";
import { FakeTimers, DEFAULT_SIP_TIMERS } from "../../runtime/sip/timers";
import { LoopNetwork } from "../../runtime/sip/transport-loop";
import { buildResponse } from "../../runtime/sip/response";
import { createRequest, SipHeaders, type SipMessage, type SipRequest } from "../../runtime/sip/message";
import { PEER, SERVER, requestText } from "./helpers";

async function layer() {
  const timers = new FakeTimers();
  const net = new LoopNetwork(timers);
  const local = net.createTransport(SERVER);
  const peer = net.createTransport(PEER);
  const got: Array<{ at: number; m: SipMessage }> = [];
  peer.onMessage((m) => got.push({ at: timers.now(), m }));
  const txl = new TransactionLayer({ transport: local, timers, config: DEFAULT_SIP_TIMERS });
  const requests: Array<{ req: SipRequest; tx?: ServerTransaction }> = [];
  txl.tu = { onRequest: (req, _src, tx) => requests.push({ req, tx }) };
  local.onMessage((m, src) => txl.handle(m, src));
  return { timers, net, peer, got, txl, requests };
}

describe("INVITE server transaction", () => {
  it("retransmits a 486 on Timer G and reports Timer H without ACK", async () => {
    const t = await layer();
    t.peer.sendRaw(requestText({ method: "INVITE", callId: "g1", fromTag: "f", cseq: 1, branch: "z9hG4bKg1" }), SERVER);
    await t.timers.advanceAsync(0);
    const tx = t.requests[0].tx as InviteServerTransaction;
    expect(tx).toBeInstanceOf(InviteServerTransaction);
    let timedOut = 0;
    tx.onTimeout = () => timedOut++;
    tx.respond(buildResponse(tx.request, 486, { toTag: "t1" }));
    await t.timers.advanceAsync(32_000);
    const times = t.got.filter((g) => g.m.kind === "response" && g.m.status === 486).map((g) => g.at);
    // G: T1 doubling, capped at T2 (4 s), until H at 64*T1 = 32 s.
    expect(times).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(timedOut).toBe(1);
    expect(tx.state).toBe("terminated");
    expect(t.txl.serverCount).toBe(0);
  });

  it("absorbs ACKs in Confirmed and ends after Timer I", async () => {
    const t = await layer();
    const spec = { method: "INVITE", callId: "g2", fromTag: "f", cseq: 1, branch: "z9hG4bKg2" };
    t.peer.sendRaw(requestText(spec), SERVER);
    await t.timers.advanceAsync(0);
    const tx = t.requests[0].tx as InviteServerTransaction;
    const acks: SipRequest[] = [];
    tx.onAck = (a) => acks.push(a);
    tx.respond(buildResponse(tx.request, 603, { toTag: "t2" }));
    const ack = requestText({ ...spec, method: "ACK", toTag: "t2" });
    t.peer.sendRaw(ack, SERVER);
    t.peer.sendRaw(ack, SERVER);
    await t.timers.advanceAsync(0);
    expect(acks).toHaveLength(1);
    expect(tx.state).toBe("confirmed");
    expect(t.requests).toHaveLength(1); // ACKs never reach the TU
    await t.timers.advanceAsync(5_000);
    expect(tx.state).toBe("terminated");
  });
});

describe("non-INVITE client transaction", () => {
  it("retransmits every T2 once a provisional arrived, settles on the final", async () => {
    const t = await layer();
    const headers = new SipHeaders()
      .append("Via", `SIP/2.0/UDP ${SERVER.address}:${SERVER.port};branch=z9hG4bKc1`)
      .append("From", "<sip:ivr@10.0.0.1>;tag=a").append("To", "<sip:alice@10.0.0.2>;tag=b")
      .append("Call-ID", "c1").append("CSeq", "5 BYE").append("Max-Forwards", "70");
    const tx = t.txl.sendRequest(createRequest("BYE", "sip:alice@10.0.0.2:5070", headers), PEER);
    await t.timers.advanceAsync(600);
    const reqOf = () => t.got.filter((g) => g.m.kind === "request") as Array<{ at: number; m: SipRequest }>;
    expect(reqOf().map((g) => g.at)).toEqual([0, 500]);
    const trying = ["SIP/2.0 100 Trying", `Via: ${reqOf()[0].m.headers.get("via")}`, "From: <sip:ivr@10.0.0.1>;tag=a", "To: <sip:alice@10.0.0.2>;tag=b", "Call-ID: c1", "CSeq: 5 BYE", "Content-Length: 0", "", ""].join("\r\n");
    t.peer.sendRaw(trying, SERVER);
    await t.timers.advanceAsync(10_000);
    expect(tx.state).toBe("proceeding");
    // 500, then 1500 (interval 1000), then T2 = 4 s steps: 5500, 9500.
    expect(reqOf().map((g) => g.at)).toEqual([0, 500, 1500, 5500, 9500]);
    t.peer.sendRaw(trying.replace("100 Trying", "200 OK"), SERVER);
    await t.timers.advanceAsync(0);
    const result = await tx.result;
    expect(result.kind === "response" && result.response.status).toBe(200);
    await t.timers.advanceAsync(5_000);
    expect(t.txl.clientCount).toBe(0);
    expect(reqOf()).toHaveLength(5);
  });
});
