// UA + transaction behaviour over the loop transport with a fake clock (no real waits).
import { describe, expect, it } from "vitest";
import { ANSWER, OFFER, requestText, setup, uniq, PEER } from "./helpers";
import { staticResolver, type Call, type CallEnded, type InfoDtmf, type ReinviteRequest, type SipRequest } from "../../runtime/sip/index";

const is200Invite = (m: { kind: string; headers: { get(n: string): string | undefined } } & Record<string, unknown>) =>
  m.kind === "response" && m.status === 200 && (m.headers.get("cseq") ?? "").endsWith("INVITE");

async function answeredCall(h: Awaited<ReturnType<typeof setup>>) {
  const spec = await h.invite();
  const call = h.calls[0];
  call.answer(ANSWER);
  await h.flush();
  const ok = h.responses(200, "INVITE")[0];
  return { spec, call, toTag: h.toTagOf(ok) };
}

function ackText(spec: { callId: string; fromTag: string; cseq: number }, toTag: string) {
  return requestText({ method: "ACK", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: spec.cseq });
}

describe("INVITE handling", () => {
  it("sends 100 Trying at once, then a well-formed 200 OK with SDP", async () => {
    const h = await setup();
    const spec = await h.invite();
    expect(h.responses(100)).toHaveLength(1);
    expect(h.responses(100)[0].headers.get("to")).not.toMatch(/tag=/);
    expect(h.calls).toHaveLength(1);
    const call = h.calls[0];
    expect(call.offer).toBe(OFFER);
    expect(call.destinationNumber).toBe("1000");
    expect(call.callerNumber).toBe("alice");
    expect(call.callerName).toBe("Alice");
    expect(call.answer(ANSWER)).toBe(true);
    await h.flush();
    const ok = h.responses(200, "INVITE")[0];
    expect(ok.body.toString()).toBe(ANSWER);
    expect(ok.headers.get("content-type")).toBe("application/sdp");
    expect(ok.headers.get("contact")).toBe("<sip:10.0.0.1:5060>");
    expect(ok.headers.get("allow")).toContain("INFO");
    expect(ok.headers.get("server")).toBe("IVR-Studio");
    expect(ok.headers.get("call-id")).toBe(spec.callId);
    expect(ok.headers.get("cseq")).toBe("1 INVITE");
    expect(ok.headers.get("from")).toContain(`tag=${spec.fromTag}`);
    expect(h.toTagOf(ok)).toMatch(/^[a-z0-9]{10}$/);
    // received/rport were stamped on the top Via and echoed back.
    expect(ok.headers.get("via")).toContain(`rport=${PEER.port}`);
    expect(ok.headers.get("via")).toContain(`received=${PEER.address}`);
    // A second answer is refused.
    expect(call.answer(ANSWER)).toBe(false);
  });

  it("absorbs a retransmitted INVITE: 100 again, the application sees one call", async () => {
    const h = await setup();
    const spec = await h.invite();
    h.send(requestText(spec));
    await h.flush();
    expect(h.calls).toHaveLength(1);
    expect(h.responses(100)).toHaveLength(2);
  });

  it("retransmits 200 OK at 500, 1000, 2000, 4000, 4000 ms until the ACK", async () => {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    const acks: SipRequest[] = [];
    call.on("ack", (a) => acks.push(a));
    await h.advance(11_600);
    const times = h.timesOf((m) => m.kind === "response" && m.status === 200);
    expect(times).toEqual([0, 500, 1500, 3500, 7500, 11500]);
    h.send(ackText(spec, toTag));
    await h.flush();
    expect(acks).toHaveLength(1);
    expect(call.state).toBe("confirmed");
    await h.advance(20_000);
    expect(h.responses(200, "INVITE")).toHaveLength(6);
    expect(call.ended).toBeUndefined();
  });

  it("ends the call on Timer H (64*T1) without ACK and sends BYE", async () => {
    const h = await setup();
    const { call } = await answeredCall(h);
    const ended: CallEnded[] = [];
    call.on("ended", (e) => ended.push(e));
    await h.advance(31_999);
    expect(ended).toHaveLength(0);
    // 1 + retransmissions at 500, 1500, 3500, then every 4 s up to 31500.
    expect(h.responses(200, "INVITE")).toHaveLength(11);
    await h.advance(1);
    expect(ended).toEqual([{ cause: "RECOVERY_ON_TIMER_EXPIRE", by: "timeout" }]);
    expect(h.requests("BYE")).toHaveLength(1);
    await h.advance(10_000);
    expect(h.responses(200, "INVITE")).toHaveLength(11);
  });

  it("honours per-instance timer values (T1=50 ms: Timer H at 3.2 s)", async () => {
    const h = await setup({ timerConfig: { T1: 50, T2: 400 } });
    const { call } = await answeredCall(h);
    await h.advance(3_199);
    expect(call.state).toBe("answered");
    expect(h.timesOf((m) => m.kind === "response" && m.status === 200).slice(0, 6)).toEqual([0, 50, 150, 350, 750, 1150]);
    await h.advance(1);
    expect(call.ended?.cause).toBe("RECOVERY_ON_TIMER_EXPIRE");
  });

  it("sends 183 Session Progress with SDP for early media", async () => {
    const h = await setup();
    await h.invite();
    expect(h.calls[0].progress(ANSWER)).toBe(true);
    await h.flush();
    const progress = h.responses(183)[0];
    expect(progress.reason).toBe("Session Progress");
    expect(progress.body.toString()).toBe(ANSWER);
    expect(progress.headers.get("contact")).toBeDefined();
    expect(h.toTagOf(progress)).not.toBe("");
    expect(h.calls[0].state).toBe("early");
  });

  it("rejects with the application's status; the ACK stops Timer G", async () => {
    const h = await setup({ onInvite: (call) => void call.reject(404) });
    const spec = await h.invite();
    const call = h.calls[0];
    expect(call.ended).toEqual({ cause: "UNALLOCATED_NUMBER", by: "local", status: 404 });
    await h.advance(1_600);
    // Timer G: 0, 500, 1500.
    expect(h.timesOf((m) => m.kind === "response" && m.status === 404)).toEqual([0, 500, 1500]);
    const toTag = h.toTagOf(h.responses(404)[0]);
    h.send(requestText({ method: "ACK", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: 1, branch: spec.branch }));
    await h.flush();
    await h.advance(10_000);
    expect(h.responses(404)).toHaveLength(3);
    expect(h.stack.stats.serverTransactions).toBe(0);
  });

  it("answers 500 when onInvite throws, and counts it", async () => {
    const h = await setup({ onInvite: () => { throw new Error("boom"); } });
    await h.invite();
    await h.flush();
    expect(h.responses(500)).toHaveLength(1);
    expect(h.stack.stats.hookErrors).toBe(1);
  });

  it("answers 503 to new INVITEs while shutting down", async () => {
    const h = await setup();
    await h.stack.shutdown();
    await h.invite();
    expect(h.responses(503)).toHaveLength(1);
    expect(h.calls).toHaveLength(0);
  });

  it("answers 415 to an INVITE whose body is not SDP and 420 to an unsupported Require", async () => {
    const h = await setup();
    await h.invite({ contentType: "text/plain" });
    await h.invite({ extra: ["Require: 100rel"] });
    expect(h.responses(415)).toHaveLength(1);
    expect(h.responses(420)[0].headers.get("unsupported")).toBe("100rel");
    expect(h.calls).toHaveLength(0);
  });
});

describe("CANCEL", () => {
  it("answers 200 to the CANCEL and 487 to the INVITE; cause ORIGINATOR_CANCEL", async () => {
    const h = await setup();
    const spec = await h.invite();
    const call = h.calls[0];
    const cancels: SipRequest[] = [];
    call.on("cancel", (c) => cancels.push(c));
    h.send(requestText({ method: "CANCEL", callId: spec.callId, fromTag: spec.fromTag, cseq: 1, branch: spec.branch, body: "" }));
    await h.flush();
    expect(h.responses(200, "CANCEL")).toHaveLength(1);
    const terminated = h.responses(487, "INVITE");
    expect(terminated).toHaveLength(1);
    expect(h.toTagOf(h.responses(200, "CANCEL")[0])).toBe(h.toTagOf(terminated[0]));
    expect(cancels).toHaveLength(1);
    expect(call.ended).toEqual({ cause: "ORIGINATOR_CANCEL", by: "remote", status: 487 });
    expect(call.answer(ANSWER)).toBe(false);
  });

  it("answers 481 to a CANCEL matching no INVITE", async () => {
    const h = await setup();
    h.send(requestText({ method: "CANCEL", callId: "nope", fromTag: "x", cseq: 1 }));
    await h.flush();
    expect(h.responses(481, "CANCEL")).toHaveLength(1);
  });

  it("leaves an answered call alone (200 to CANCEL only)", async () => {
    const h = await setup();
    const { spec, call } = await answeredCall(h);
    h.send(requestText({ method: "CANCEL", callId: spec.callId, fromTag: spec.fromTag, cseq: 1, branch: spec.branch }));
    await h.flush();
    expect(h.responses(200, "CANCEL")).toHaveLength(1);
    expect(h.responses(487)).toHaveLength(0);
    expect(call.state).toBe("answered");
  });
});

describe("BYE", () => {
  it("their BYE: 200, 'bye' event, cause NORMAL_CLEARING", async () => {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    h.send(ackText(spec, toTag));
    const byes: SipRequest[] = [];
    call.on("bye", (b) => byes.push(b));
    h.send(requestText({ method: "BYE", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: 2 }));
    await h.flush();
    expect(h.responses(200, "BYE")).toHaveLength(1);
    expect(byes).toHaveLength(1);
    expect(call.ended).toEqual({ cause: "NORMAL_CLEARING", by: "remote" });
    expect(h.stack.stats.activeCalls).toBe(0);
  });

  it("our BYE: well-formed, retransmitted (E doubling to T2) until Timer F", async () => {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    h.send(ackText(spec, toTag));
    await h.flush();
    const startedAt = h.timers.now();
    const done = call.hangup();
    await h.flush();
    const bye = h.requests("BYE")[0];
    expect(bye.uri).toBe(`sip:alice@${PEER.address}:${PEER.port}`);
    expect(bye.headers.get("call-id")).toBe(spec.callId);
    expect(bye.headers.get("from")).toContain(`tag=${toTag}`);
    expect(bye.headers.get("to")).toContain(`tag=${spec.fromTag}`);
    expect(bye.headers.get("cseq")).toMatch(/^\d+ BYE$/);
    // As FreeSWITCH: the hangup cause in a Q.850 Reason header.
    expect(bye.headers.get("reason")).toBe('Q.850;cause=16;text="NORMAL_CLEARING"');
    // The peer's transport stamps received/rport on arrival.
    expect(bye.headers.get("via")).toMatch(/^SIP\/2\.0\/UDP 10\.0\.0\.1:5060;branch=z9hG4bK\w+;rport=5060;received=10\.0\.0\.1$/);
    expect(call.ended).toEqual({ cause: "NORMAL_CLEARING", by: "local" });
    let settled = false;
    void done.then(() => { settled = true; });
    await h.advance(31_999);
    expect(settled).toBe(false);
    const times = h.timesOf((m) => m.kind === "request" && m.method === "BYE").map((t) => t - startedAt);
    expect(times).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    await h.advance(1);
    expect(settled).toBe(true);
    expect(h.logs.some((l) => l.includes("Timer F"))).toBe(true);
    expect(h.stack.stats.clientTransactions).toBe(0);
  });

  it("our BYE stops retransmitting on the 200 and resolves hangup()", async () => {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    h.send(ackText(spec, toTag));
    await h.flush();
    const done = call.hangup("USER_BUSY");
    await h.flush();
    await h.advance(600);
    expect(h.requests("BYE")).toHaveLength(2);
    const bye = h.requests("BYE")[0];
    expect(bye.headers.get("reason")).toBe('Q.850;cause=17;text="USER_BUSY"');
    // Answer it as the peer would.
    const lines = [
      "SIP/2.0 200 OK", `Via: ${bye.headers.get("via")}`, `From: ${bye.headers.get("from")}`, `To: ${bye.headers.get("to")}`,
      `Call-ID: ${bye.headers.get("call-id")}`, `CSeq: ${bye.headers.get("cseq")}`, "Content-Length: 0", "", "",
    ];
    h.send(lines.join("\r\n"));
    await h.flush();
    await done;
    await h.advance(30_000);
    expect(h.requests("BYE")).toHaveLength(2);
    expect(call.ended?.cause).toBe("USER_BUSY");
    expect(h.stack.stats.clientTransactions).toBe(0);
  });

  it("defers our BYE until the ACK when hanging up before it", async () => {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    void call.hangup();
    await h.advance(600);
    expect(h.requests("BYE")).toHaveLength(0);
    expect(h.responses(200, "INVITE")).toHaveLength(2);
    h.send(ackText(spec, toTag));
    await h.flush();
    expect(h.requests("BYE")).toHaveLength(1);
  });

  it("hangup before answer sends the mapped final response", async () => {
    const h = await setup();
    await h.invite();
    await h.calls[0].hangup("USER_BUSY");
    await h.flush();
    expect(h.responses(486)).toHaveLength(1);
    expect(h.responses(486)[0].headers.get("reason")).toBe('Q.850;cause=17;text="USER_BUSY"');
    expect(h.calls[0].ended).toEqual({ cause: "USER_BUSY", by: "local", status: 486 });
  });

  it("their BYE's Q.850 Reason names the cause, as sofia.c reads it", async () => {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    h.send(ackText(spec, toTag));
    h.send(requestText({ method: "BYE", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: 2, extra: ['Reason: Q.850;cause=17;text="USER_BUSY"'] }));
    await h.flush();
    expect(call.ended).toEqual({ cause: "USER_BUSY", by: "remote" });
  });

  it("resolves a host-name Contact through the stack's resolver, not DNS in the call", async () => {
    const h = await setup({ resolver: staticResolver({ "phone.example": PEER.address }) });
    const spec = await h.invite({ extra: [] , contact: `<sip:alice@phone.example:${PEER.port}>` });
    const call = h.calls[0];
    call.answer(ANSWER);
    await h.flush();
    const toTag = h.toTagOf(h.responses(200, "INVITE")[0]);
    h.send(ackText(spec, toTag));
    await h.flush();
    void call.hangup();
    await h.flush();
    const bye = h.requests("BYE")[0];
    expect(bye.uri).toBe(`sip:alice@phone.example:${PEER.port}`);
  });

  it("an unresolvable Contact host is logged and the call still ends", async () => {
    const h = await setup({ resolver: staticResolver({}) });
    const spec = await h.invite({ contact: "<sip:alice@nowhere.invalid>" });
    const call = h.calls[0];
    call.answer(ANSWER);
    await h.flush();
    h.send(ackText(spec, h.toTagOf(h.responses(200, "INVITE")[0])));
    await h.flush();
    await call.hangup();
    expect(h.requests("BYE")).toHaveLength(0);
    expect(h.logs.some((l) => /BYE failed: cannot resolve nowhere\.invalid/.test(l))).toBe(true);
    expect(h.stack.stats.activeCalls).toBe(0);
  });
});

describe("out-of-dialog and unsupported requests", () => {
  it("answers OPTIONS with Allow and Accept", async () => {
    const h = await setup();
    h.send(requestText({ method: "OPTIONS", callId: uniq("o"), fromTag: "f1", cseq: 1 }));
    await h.flush();
    const ok = h.responses(200, "OPTIONS")[0];
    expect(ok.headers.get("allow")).toBe("INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY");
    expect(ok.headers.get("accept")).toContain("application/sdp");
  });

  it("absorbs a retransmitted OPTIONS by re-sending the same response; Timer J cleans up", async () => {
    const h = await setup();
    const spec = { method: "OPTIONS", callId: uniq("o"), fromTag: "f1", cseq: 1, branch: uniq("z9hG4bK") };
    h.send(requestText(spec));
    await h.flush();
    h.send(requestText(spec));
    await h.flush();
    const oks = h.responses(200, "OPTIONS");
    expect(oks).toHaveLength(2);
    expect(h.toTagOf(oks[0])).toBe(h.toTagOf(oks[1]));
    expect(h.stack.stats.serverTransactions).toBe(1);
    await h.advance(32_000);
    expect(h.stack.stats.serverTransactions).toBe(0);
  });

  it("answers 481 to in-dialog requests for unknown dialogs and to BYE outside a dialog", async () => {
    const h = await setup();
    h.send(requestText({ method: "BYE", callId: "ghost", fromTag: "a", toTag: "b", cseq: 2 }));
    h.send(requestText({ method: "INFO", callId: "ghost", fromTag: "a", toTag: "b", cseq: 3 }));
    h.send(requestText({ method: "BYE", callId: "ghost2", fromTag: "a", cseq: 2 }));
    await h.flush();
    expect(h.responses(481)).toHaveLength(3);
  });

  it("answers 405 with Allow to known unsupported methods and 501 to unknown ones", async () => {
    const h = await setup();
    h.send(requestText({ method: "REGISTER", callId: uniq("r"), fromTag: "a", cseq: 1 }));
    h.send(requestText({ method: "SUBSCRIBE", callId: uniq("r"), fromTag: "a", cseq: 1 }));
    h.send(requestText({ method: "FROBNICATE", callId: uniq("r"), fromTag: "a", cseq: 1 }));
    await h.flush();
    expect(h.responses(405)).toHaveLength(2);
    expect(h.responses(405)[0].headers.get("allow")).toContain("INVITE");
    expect(h.responses(501)).toHaveLength(1);
  });

  it("answers 416 to an unsupported Request-URI scheme", async () => {
    const h = await setup();
    h.send(requestText({ method: "OPTIONS", uri: "mailto:joe@example.com", callId: uniq("u"), fromTag: "a", cseq: 1 }));
    await h.flush();
    expect(h.responses(416)).toHaveLength(1);
  });
});

describe("INFO", () => {
  async function confirmedCall() {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    h.send(ackText(spec, toTag));
    await h.flush();
    const digits: InfoDtmf[] = [];
    call.on("dtmf", (d) => digits.push(d));
    let cseq = 1;
    const info = (body: string, contentType: string) => {
      h.send(requestText({ method: "INFO", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: ++cseq, body, contentType }));
      return h.flush();
    };
    return { h, call, digits, info };
  }

  it("turns application/dtmf-relay and application/dtmf into dtmf events", async () => {
    const { h, digits, info } = await confirmedCall();
    await info("Signal=5\r\nDuration=160\r\n", "application/dtmf-relay");
    await info("Signal= #\r\nDuration= 100\r\n", "application/dtmf-relay");
    await info("7", "application/dtmf");
    await info("Signal=11\r\n", "application/dtmf-relay");
    expect(digits).toEqual([
      { digit: "5", durationMs: 160 }, { digit: "#", durationMs: 100 }, { digit: "7", durationMs: 250 }, { digit: "#", durationMs: 250 },
    ]);
    expect(h.responses(200, "INFO")).toHaveLength(4);
  });

  it("answers 415 to other INFO bodies, 400 to a bad digit, 200 to an empty INFO", async () => {
    const { h, digits, info } = await confirmedCall();
    await info("hello", "text/plain");
    await info("Signal=Z\r\nDuration=100", "application/dtmf-relay");
    await info("", "application/dtmf");
    expect(h.responses(415, "INFO")).toHaveLength(1);
    expect(h.responses(415, "INFO")[0].headers.get("accept")).toContain("application/dtmf-relay");
    expect(h.responses(400, "INFO")).toHaveLength(1);
    expect(h.responses(200, "INFO")).toHaveLength(1);
    expect(digits).toHaveLength(0);
  });

  it("rejects an in-dialog request with a lower CSeq (500)", async () => {
    const { h, info } = await confirmedCall();
    await info("1", "application/dtmf");
    const call = h.calls[0];
    h.send(requestText({ method: "INFO", callId: call.callId, fromTag: call.dialog.remoteTag, toTag: call.dialog.localTag, cseq: 1, body: "1", contentType: "application/dtmf" }));
    await h.flush();
    expect(h.responses(500, "INFO")).toHaveLength(1);
  });
});

describe("re-INVITE", () => {
  it("ours on an incoming call: in-dialog INVITE with our next CSeq, 491 while one is pending, ACK of the 200", async () => {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    h.send(ackText(spec, toTag));
    await h.flush();
    const result = call.reinvite(ANSWER.replace("a=rtpmap:0", "a=sendonly\r\na=rtpmap:0"));
    await expect(call.reinvite(ANSWER)).resolves.toEqual({ status: 491, reason: "Request Pending" });
    await h.flush();
    const re = h.requests("INVITE")[0];
    expect(re.uri).toBe(`sip:alice@${PEER.address}:${PEER.port}`);
    expect(re.headers.get("from")).toContain(`tag=${toTag}`);
    expect(re.headers.get("to")).toContain(`tag=${spec.fromTag}`);
    expect(re.headers.get("contact")).toBe("<sip:10.0.0.1:5060>");
    expect(re.body.toString()).toContain("a=sendonly");
    // Their answer (a peer retransmits its 200 until our ACK: we ACK each).
    const ok = [
      "SIP/2.0 200 OK", `Via: ${re.headers.get("via")}`, `From: ${re.headers.get("from")}`, `To: ${re.headers.get("to")}`,
      `Call-ID: ${spec.callId}`, `CSeq: ${re.headers.get("cseq")}`, `Contact: <sip:alice@${PEER.address}:${PEER.port}>`,
      "Content-Type: application/sdp", `Content-Length: ${Buffer.byteLength(OFFER)}`, "", OFFER,
    ].join("\r\n");
    h.send(ok);
    h.send(ok);
    await expect(result).resolves.toEqual({ status: 200, reason: "OK", sdp: OFFER });
    await h.flush();
    const acks = h.requests("ACK");
    expect(acks).toHaveLength(2);
    expect(acks[0].headers.get("cseq")).toBe(re.headers.get("cseq")!.replace("INVITE", "ACK"));
    expect(call.localSdp).toContain("a=sendonly");
  });

  it("lets the application answer the new offer; 200 retransmitted until its ACK", async () => {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    h.send(ackText(spec, toTag));
    await h.flush();
    const reinvites: ReinviteRequest[] = [];
    call.on("reinvite", (r) => reinvites.push(r));
    const acks: SipRequest[] = [];
    call.on("ack", (a) => acks.push(a));
    const holdOffer = OFFER.replace("a=rtpmap:0", "a=sendonly\r\na=rtpmap:0");
    h.send(requestText({ method: "INVITE", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: 2, body: holdOffer }));
    await h.flush();
    expect(reinvites).toHaveLength(1);
    expect(reinvites[0].offer).toBe(holdOffer);
    const newAnswer = ANSWER.replace("a=rtpmap:0", "a=recvonly\r\na=rtpmap:0");
    expect(reinvites[0].accept(newAnswer)).toBe(true);
    await h.advance(600);
    const oks = h.responses(200, "INVITE").filter((r) => r.headers.get("cseq") === "2 INVITE");
    expect(oks).toHaveLength(2);
    expect(oks[0].body.toString()).toBe(newAnswer);
    h.send(requestText({ method: "ACK", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: 2 }));
    await h.flush();
    expect(acks).toHaveLength(1);
    expect(acks[0].headers.get("cseq")).toBe("2 ACK");
    await h.advance(5_000);
    expect(h.responses(200, "INVITE").filter((r) => r.headers.get("cseq") === "2 INVITE")).toHaveLength(2);
    expect(call.state).toBe("confirmed");
    expect(call.localSdp).toBe(newAnswer);
  });

  it("re-uses the current SDP when nobody listens, and 500s a re-INVITE while one is pending", async () => {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    h.send(ackText(spec, toTag));
    await h.flush();
    h.send(requestText({ method: "INVITE", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: 2, body: OFFER }));
    await h.flush();
    const ok = h.responses(200, "INVITE").find((r) => r.headers.get("cseq") === "2 INVITE");
    expect(ok?.body.toString()).toBe(ANSWER);

    call.on("reinvite", () => { /* the application takes its time */ });
    h.send(requestText({ method: "ACK", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: 2 }));
    h.send(requestText({ method: "INVITE", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: 3, body: OFFER }));
    h.send(requestText({ method: "INVITE", callId: spec.callId, fromTag: spec.fromTag, toTag, cseq: 4, body: OFFER }));
    await h.flush();
    const busy = h.responses(500, "INVITE");
    expect(busy).toHaveLength(1);
    expect(busy[0].headers.get("retry-after")).toBe("1");
  });
});

describe("robustness", () => {
  it("answers 400 to a broken request with enough headers, drops garbage, keeps serving", async () => {
    const h = await setup();
    h.send("\x00\xff garbage \r\n\r\n");
    const broken = requestText({ method: "INVITE", callId: "bad", fromTag: "a", cseq: 1, body: OFFER }).replace(/Content-Length: \d+/, "Content-Length: 9999");
    h.send(broken);
    await h.flush();
    expect(h.responses(400)).toHaveLength(1);
    expect(h.responses(400)[0].reason).toMatch(/Content-Length/);
    expect(h.stack.stats.transport.parseErrors).toBe(2);
    expect(h.stack.stats.transport.dropped).toBe(1);
    await h.invite();
    expect(h.calls).toHaveLength(1);
  });

  it("survives a throwing event listener", async () => {
    const h = await setup();
    const { spec, call, toTag } = await answeredCall(h);
    call.on("ack", () => { throw new Error("listener bug"); });
    h.send(ackText(spec, toTag));
    await h.flush();
    expect(call.state).toBe("confirmed");
    expect(h.logs.some((l) => l.includes("listener bug"))).toBe(true);
  });

  it("delivers through a lossy, delayed network (first 200 lost, ACK late)", async () => {
    const h = await setup();
    let dropped = 0;
    h.network.knobs.drop = (p) => p.text.startsWith("SIP/2.0 200") && dropped++ === 0;
    h.network.knobs.delayMs = 30;
    const spec = { method: "INVITE", callId: uniq("c"), fromTag: "ft", cseq: 1, body: OFFER };
    h.send(requestText(spec));
    await h.advance(40);
    const call: Call = h.calls[0];
    call.answer(ANSWER);
    await h.advance(600);
    const ok = h.responses(200, "INVITE");
    expect(ok).toHaveLength(1);
    h.send(ackText(spec, h.toTagOf(ok[0])));
    await h.advance(40);
    expect(call.state).toBe("confirmed");
  });
});
