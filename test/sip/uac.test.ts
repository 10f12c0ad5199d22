// Outgoing calls (INVITE client transactions and the UAC dialog) over the loop transport with a
// fake clock: the peer at PEER is scripted by hand, answering with buildResponse.
import { describe, expect, it } from "vitest";
import { ANSWER, OFFER, PEER, SERVER, requestText, setup } from "./helpers";
import { buildResponse, type ResponseOptions } from "../../runtime/sip/response";
import { DigestServer } from "../../runtime/sip/auth";
import { staticResolver, type FailedEvent, type OutboundCall, type SipRequest, type CallEnded } from "../../runtime/sip/index";

const TARGET = `sip:2000@${PEER.address}:${PEER.port}`;

async function outbound(options: Partial<Parameters<Awaited<ReturnType<typeof setup>>["stack"]["placeCall"]>[0]> = {}, setupOptions: Parameters<typeof setup>[0] = {}) {
  const h = await setup(setupOptions);
  const call = h.stack.placeCall({ target: TARGET, sdp: OFFER, from: { user: "ivr", displayName: "IVR" }, ...options });
  const events: string[] = [];
  const failed: FailedEvent[] = [];
  const ended: CallEnded[] = [];
  call.on("progress", (e) => events.push(`progress ${e.status}`));
  call.on("early", (e) => events.push(`early ${e.status} ${e.sdp.length}`));
  call.on("answered", () => events.push("answered"));
  call.on("failed", (e) => { failed.push(e); events.push(`failed ${e.status} ${e.cause}`); });
  call.on("ended", (e) => { ended.push(e); events.push(`ended ${e.cause} ${e.by}`); });
  await h.flush();
  const invite = () => h.requests("INVITE").at(-1)!;
  /** The peer answers our latest INVITE (or `request`). */
  const respond = async (status: number, options: ResponseOptions = {}, request: SipRequest = invite()) => {
    h.peer.send(buildResponse(request, status, { toTag: status > 100 ? "callee1" : undefined, ...options }), SERVER);
    await h.flush();
  };
  return { h, call, events, failed, ended, invite, respond };
}

const calleeContact: Array<[string, string]> = [["Contact", `<sip:2000@${PEER.address}:${PEER.port}>`]];

describe("INVITE client transaction", () => {
  it("sends a well-formed INVITE, retransmits it on Timer A and gives up on Timer B with 408", async () => {
    const { h, events, failed, call } = await outbound({ headers: [["X-Flow", "main"]] });
    const inv = h.requests("INVITE")[0];
    expect(inv.uri).toBe(TARGET);
    expect(inv.headers.get("via")).toMatch(new RegExp(`^SIP/2\\.0/UDP ${SERVER.address}:${SERVER.port};branch=z9hG4bK\\w+;rport`));
    expect(inv.headers.get("from")).toMatch(/^"IVR" <sip:ivr@10\.0\.0\.1>;tag=\w+$/);
    expect(inv.headers.get("to")).toBe(`<${TARGET}>`);
    expect(inv.headers.get("cseq")).toMatch(/^\d+ INVITE$/);
    expect(inv.headers.get("contact")).toBe("<sip:10.0.0.1:5060>");
    expect(inv.headers.get("content-type")).toBe("application/sdp");
    expect(inv.headers.get("x-flow")).toBe("main");
    expect(inv.body.toString()).toBe(OFFER);
    expect(call.callId).toBe(inv.headers.get("call-id"));
    await h.advance(31_999);
    // Timer A: T1 doubling without a cap (0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s).
    expect(h.timesOf((m) => m.kind === "request" && m.method === "INVITE")).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(failed).toHaveLength(0);
    await h.advance(1);
    expect(failed).toEqual([expect.objectContaining({ status: 408, cause: "RECOVERY_ON_TIMER_EXPIRE" })]);
    expect(events.at(-1)).toBe("ended RECOVERY_ON_TIMER_EXPIRE timeout");
    expect(h.stack.stats.clientTransactions).toBe(0);
    expect(h.stack.stats.outboundCalls).toBe(0);
  });

  it("100 stops the retransmissions; 180 is progress, 183 with SDP early media (once per SDP); 200 is answered and ACKed", async () => {
    const { h, call, events, respond } = await outbound();
    await respond(100);
    await h.advance(4000);
    expect(h.requests("INVITE")).toHaveLength(1);
    await respond(180, { headers: calleeContact });
    await respond(183, { headers: calleeContact, body: ANSWER, contentType: "application/sdp" });
    await respond(183, { headers: calleeContact, body: ANSWER, contentType: "application/sdp" }); // same SDP: no second early event
    expect(call.state).toBe("early");
    expect(call.remoteSdp).toBe(ANSWER);
    await respond(200, { headers: calleeContact, body: ANSWER, contentType: "application/sdp" });
    expect(events).toEqual(["progress 180", `early 183 ${ANSWER.length}`, "answered"]);
    expect(call.state).toBe("confirmed");
    const acks = h.requests("ACK");
    expect(acks).toHaveLength(1);
    const inv = h.requests("INVITE")[0];
    expect(acks[0].uri).toBe(`sip:2000@${PEER.address}:${PEER.port}`);
    expect(acks[0].headers.get("cseq")).toBe(inv.headers.get("cseq")!.replace("INVITE", "ACK"));
    expect(acks[0].headers.get("via")).not.toContain(/branch=(\w+)/.exec(inv.headers.get("via")!)![1]);
    expect(acks[0].headers.get("to")).toContain("tag=callee1");
    // A retransmitted 200 (our ACK was lost) is ACKed again.
    await respond(200, { headers: calleeContact, body: ANSWER, contentType: "application/sdp" });
    expect(h.requests("ACK")).toHaveLength(2);
    expect(events.filter((e) => e === "answered")).toHaveLength(1);
  });

  it("a 486 is ACKed on the INVITE's branch and fails the call USER_BUSY; retransmitted 486 re-ACKed", async () => {
    const { h, call, failed, ended, respond, invite } = await outbound();
    await respond(180);
    await respond(486);
    expect(failed).toEqual([expect.objectContaining({ status: 486, reason: "Busy Here", cause: "USER_BUSY" })]);
    expect(ended).toEqual([{ cause: "USER_BUSY", by: "remote", status: 486 }]);
    expect(call.state).toBe("ended");
    const ack = h.requests("ACK")[0];
    const branch = (m: SipRequest) => /branch=(\w+)/.exec(m.headers.get("via")!)![1];
    expect(branch(ack)).toBe(branch(invite()));
    expect(ack.uri).toBe(TARGET);
    expect(ack.headers.get("to")).toContain("tag=callee1");
    await respond(486);
    expect(h.requests("ACK")).toHaveLength(2);
    await h.advance(40_000);
    expect(h.stack.stats.clientTransactions).toBe(0);
  });

  it.each([
    [404, "UNALLOCATED_NUMBER"], [480, "NO_USER_RESPONSE"], [408, "RECOVERY_ON_TIMER_EXPIRE"], [503, "NORMAL_TEMPORARY_FAILURE"],
    [603, "CALL_REJECTED"], [488, "INCOMPATIBLE_DESTINATION"], [302, "NORMAL_UNSPECIFIED"],
  ] as const)("maps a final %i to %s (mod_sofia's table)", async (status, cause) => {
    const { failed, respond } = await outbound();
    await respond(status);
    expect(failed[0]).toMatchObject({ status, cause });
  });

  it("a Q.850 Reason on the failure names the cause, as sofia.c reads it", async () => {
    const { failed, respond } = await outbound();
    await respond(480, { headers: [["Reason", 'Q.850;cause=17;text="USER_BUSY"']] });
    expect(failed[0]).toMatchObject({ status: 480, cause: "USER_BUSY" });
  });
});

describe("digest authentication", () => {
  it("answers a 407 with Proxy-Authorization that a digest server accepts, same Call-ID and From tag, next CSeq", async () => {
    const server = new DigestServer({ realm: "gw.example", clock: { now: () => 0 } });
    const { h, events, respond, invite } = await outbound({ auth: { username: "acct", password: "s3cret" } });
    const first = invite();
    await respond(407, { headers: server.challenge().map((c) => ["Proxy-Authenticate", c] as [string, string]) });
    const second = invite();
    expect(second).not.toBe(first);
    expect(h.requests("ACK")).toHaveLength(1); // the 407 was ACKed
    expect(second.headers.get("call-id")).toBe(first.headers.get("call-id"));
    expect(second.headers.get("from")).toBe(first.headers.get("from"));
    expect(Number.parseInt(second.headers.get("cseq")!)).toBe(Number.parseInt(first.headers.get("cseq")!) + 1);
    expect(second.headers.get("via")).not.toBe(first.headers.get("via"));
    const answer = second.headers.get("proxy-authorization")!;
    expect(answer).toMatch(/^Digest username="acct", realm="gw\.example", nonce="[^"]+", uri="sip:2000@10\.0\.0\.2:5070", response="[0-9a-f]{32}", algorithm=MD5, cnonce="\w+", qop=auth, nc=00000001$/);
    expect(server.verify(answer, "INVITE", (u) => (u === "acct" ? "s3cret" : undefined))).toEqual({ ok: true, username: "acct" });
    await respond(200, { headers: calleeContact, body: ANSWER, contentType: "application/sdp" });
    expect(events).toEqual(["answered"]);
  });

  it("prefers the server's first challenge (SHA-256 before MD5, RFC 8760)", async () => {
    const server = new DigestServer({ realm: "gw.example", clock: { now: () => 0 }, algorithms: ["SHA-256", "MD5"] });
    const { respond, invite } = await outbound({ auth: { username: "acct", password: "s3cret" } });
    await respond(401, { headers: server.challenge().map((c) => ["WWW-Authenticate", c] as [string, string]) });
    const answer = invite().headers.get("authorization")!;
    expect(answer).toContain("algorithm=SHA-256");
    expect(answer).toMatch(/response="[0-9a-f]{64}"/);
    expect(server.verify(answer, "INVITE", () => "s3cret")).toMatchObject({ ok: true });
  });

  it("gives up with CALL_REJECTED when the challenge repeats (wrong password) or without credentials", async () => {
    const server = new DigestServer({ realm: "gw.example", clock: { now: () => 0 } });
    const challenge = server.challenge().map((c) => ["WWW-Authenticate", c] as [string, string]);
    const withCreds = await outbound({ auth: { username: "acct", password: "wrong" } });
    await withCreds.respond(401, { headers: challenge });
    await withCreds.respond(401, { headers: challenge });
    expect(withCreds.h.requests("INVITE")).toHaveLength(2);
    expect(withCreds.failed).toEqual([expect.objectContaining({ status: 401, cause: "CALL_REJECTED" })]);
    const without = await outbound();
    await without.respond(407, { headers: challenge.map(([, v]) => ["Proxy-Authenticate", v] as [string, string]) });
    expect(without.h.requests("INVITE")).toHaveLength(1);
    expect(without.failed).toEqual([expect.objectContaining({ status: 407, cause: "CALL_REJECTED" })]);
  });
});

describe("CANCEL", () => {
  it("timeoutMs: after 180, CANCEL with Reason NO_ANSWER; the 487 is ACKed", async () => {
    const { h, call, failed, respond, invite } = await outbound({ timeoutMs: 5000 });
    await respond(180);
    await h.advance(4999);
    expect(h.requests("CANCEL")).toHaveLength(0);
    await h.advance(1);
    expect(failed).toEqual([expect.objectContaining({ status: 487, cause: "NO_ANSWER" })]);
    expect(call.ended).toEqual({ cause: "NO_ANSWER", by: "local", status: 487 });
    const cancel = h.requests("CANCEL")[0];
    const inv = invite();
    expect(cancel.uri).toBe(inv.uri);
    expect(cancel.headers.get("via")!.split(";")[1]).toBe(inv.headers.get("via")!.split(";")[1]); // same branch
    expect(cancel.headers.get("cseq")).toBe(inv.headers.get("cseq")!.replace("INVITE", "CANCEL"));
    expect(cancel.headers.get("to")).toBe(inv.headers.get("to"));
    expect(cancel.headers.get("reason")).toBe('Q.850;cause=19;text="NO_ANSWER"');
    await respond(200, {}, cancel);
    await respond(487);
    expect(h.requests("ACK")).toHaveLength(1);
    expect(h.requests("CANCEL")).toHaveLength(1);
    expect(failed).toHaveLength(1);
  });

  it("cancel() before any provisional waits for one (RFC 3261 9.1), then CANCELs", async () => {
    const { h, call, failed, respond } = await outbound();
    call.cancel();
    await h.flush();
    expect(failed).toEqual([expect.objectContaining({ status: 487, cause: "ORIGINATOR_CANCEL" })]);
    expect(h.requests("CANCEL")).toHaveLength(0);
    await respond(100);
    expect(h.requests("CANCEL")).toHaveLength(1);
    // ORIGINATOR_CANCEL is FreeSWITCH's own cause (487), so it travels as SIP;cause=, not Q.850.
    expect(h.requests("CANCEL")[0].headers.get("reason")).toBe('SIP;cause=487;text="ORIGINATOR_CANCEL"');
  });

  it("a 200 that crosses our CANCEL is ACKed and ended with a BYE", async () => {
    const { h, call, events, respond } = await outbound();
    await respond(180);
    void call.hangup("ORIGINATOR_CANCEL");
    await h.flush();
    await respond(200, { headers: calleeContact, body: ANSWER, contentType: "application/sdp" });
    expect(h.requests("ACK")).toHaveLength(1);
    expect(h.requests("BYE")).toHaveLength(1);
    expect(h.requests("BYE")[0].headers.get("reason")).toBe('SIP;cause=487;text="ORIGINATOR_CANCEL"');
    expect(events).not.toContain("answered");
  });
});

describe("answered outgoing calls", () => {
  async function answered(options: Parameters<typeof outbound>[0] = {}) {
    const o = await outbound(options);
    await o.respond(200, { headers: calleeContact, body: ANSWER, contentType: "application/sdp" });
    return o;
  }

  it("hangup sends BYE with a Q.850 Reason to the callee's Contact; their 200 completes it", async () => {
    const { h, call, ended } = await answered();
    const done = call.hangup("NORMAL_CLEARING");
    await h.flush();
    const bye = h.requests("BYE")[0];
    expect(bye.uri).toBe(`sip:2000@${PEER.address}:${PEER.port}`);
    expect(bye.headers.get("reason")).toBe('Q.850;cause=16;text="NORMAL_CLEARING"');
    expect(bye.headers.get("to")).toContain("tag=callee1");
    h.peer.send(buildResponse(bye, 200), SERVER);
    await done;
    expect(ended).toEqual([{ cause: "NORMAL_CLEARING", by: "local" }]);
    expect(h.stack.stats.outboundCalls).toBe(0);
  });

  it("their BYE ends it (Reason names the cause); in-dialog requests are routed by tags", async () => {
    const { h, ended, invite } = await answered();
    const inv = invite();
    const fromTag = /tag=(\w+)/.exec(inv.headers.get("from")!)![1];
    // The callee's BYE: From = callee (tag callee1), To = us (our tag).
    h.send([
      `BYE sip:ivr@${SERVER.address}:${SERVER.port} SIP/2.0`, `Via: SIP/2.0/UDP ${PEER.address}:${PEER.port};branch=z9hG4bKbye1`,
      `From: <${TARGET}>;tag=callee1`, `To: ${inv.headers.get("from")}`, `Call-ID: ${inv.headers.get("call-id")}`, "CSeq: 1 BYE",
      'Reason: Q.850;cause=16;text="NORMAL_CLEARING"', "Content-Length: 0", "", "",
    ].join("\r\n"));
    await h.flush();
    expect(h.responses(200, "BYE")).toHaveLength(1);
    expect(h.responses(200, "BYE")[0].headers.get("to")).toContain(`tag=${fromTag}`);
    expect(ended).toEqual([{ cause: "NORMAL_CLEARING", by: "remote" }]);
  });

  it("re-INVITE both ways: ours resolves with their answer and is ACKed; theirs raises 'reinvite'", async () => {
    const { h, call, invite } = await answered();
    const result = call.reinvite(OFFER.replace("40000", "40002"));
    await h.flush();
    const re = h.requests("INVITE").at(-1)!;
    expect(re.headers.get("to")).toContain("tag=callee1");
    expect(Number.parseInt(re.headers.get("cseq")!)).toBe(Number.parseInt(invite().headers.get("cseq")!));
    h.peer.send(buildResponse(re, 200, { body: ANSWER, contentType: "application/sdp", headers: calleeContact }), SERVER);
    await expect(result).resolves.toEqual({ status: 200, reason: "OK", sdp: ANSWER });
    expect(h.requests("ACK").at(-1)!.headers.get("cseq")).toBe(re.headers.get("cseq")!.replace("INVITE", "ACK"));

    const offers: string[] = [];
    call.on("reinvite", (r) => { offers.push(r.offer); r.accept(OFFER); });
    const inv = h.requests("INVITE")[0];
    h.send(requestText({ method: "INVITE", callId: inv.headers.get("call-id")!, fromTag: "callee1", toTag: /tag=(\w+)/.exec(inv.headers.get("from")!)![1], cseq: 5, body: ANSWER }));
    await h.flush();
    expect(offers).toEqual([ANSWER]);
    expect(h.responses(200, "INVITE").at(-1)!.body.toString()).toBe(OFFER);
  });

  it("a second 2xx from another fork is ACKed and sent a BYE; the call keeps the first", async () => {
    const { h, call, respond } = await answered();
    await respond(200, { toTag: "callee2", headers: calleeContact, body: ANSWER, contentType: "application/sdp" });
    await h.flush();
    expect(h.requests("ACK").map((a) => /tag=(\w+)/.exec(a.headers.get("to")!)![1])).toEqual(["callee1", "callee2"]);
    expect(h.requests("BYE").map((b) => /tag=(\w+)/.exec(b.headers.get("to")!)![1])).toEqual(["callee2"]);
    expect(call.state).toBe("confirmed");
    expect(call.dialog.remoteTag).toBe("callee1");
  });
});

describe("where outgoing calls go", () => {
  it("destination overrides the target's host; an unresolvable target fails 503 DNS Error", async () => {
    const viaProxy = await outbound({ target: "sip:2000@gw.example", destination: `${PEER.address}:${PEER.port}` }, { resolver: staticResolver() });
    expect(viaProxy.h.requests("INVITE")[0].uri).toBe("sip:2000@gw.example");
    const nowhere = await outbound({ target: "sip:2000@nowhere.invalid" }, { resolver: staticResolver() });
    expect(nowhere.failed).toEqual([expect.objectContaining({ status: 503, reason: "DNS Error", cause: "NORMAL_TEMPORARY_FAILURE" })]);
    const named = await outbound({ target: "sip:2000@phone.example:5070" }, { resolver: staticResolver({ "phone.example": PEER.address }) });
    expect(named.h.requests("INVITE")).toHaveLength(1);
  });

  it("caller ID and headers from scripts cannot forge the INVITE", async () => {
    const forged = await outbound({ from: { user: 'x>;tag=evil\r\nVia: SIP/2.0/UDP 6.6.6.6', displayName: 'A "quoted" name', host: "bad host" } });
    const from = forged.h.requests("INVITE")[0].headers.get("from")!;
    expect(from).toMatch(/^"A \\"quoted\\" name" <sip:x%3E;tag=evil%0D%0AVia%3A%20SIP\/2\.0\/UDP%206\.6\.6\.6@10\.0\.0\.1>;tag=\w+$/);
    expect(forged.h.requests("INVITE")[0].headers.getAll("via")).toHaveLength(1);
    for (const [options, reason] of [
      [{ headers: [["Via", "SIP/2.0/UDP 6.6.6.6"]] }, /Header Via is set by the SIP stack/],
      [{ headers: [["X-Ok", "a\r\nVia: x"]] }, /Bad header value/],
      [{ headers: [["Bad Name", "v"]] }, /Bad header name/],
      [{ target: "sips:2000@10.0.0.2" }, /needs TLS/],
      [{ target: "sip:2000@10.0.0.2?Route=%3Csip:x%3E" }, /cannot carry headers/],
      [{ target: "not a uri" }, /Bad target/],
    ] as const) {
      const o = await outbound(options as never);
      expect(o.h.requests("INVITE")).toHaveLength(0);
      expect(o.failed[0]?.status, JSON.stringify(options)).toBe(500);
      expect(o.failed[0].reason).toMatch(reason);
    }
  });

  it("while shutting down, placeCall fails at once with SYSTEM_SHUTDOWN", async () => {
    const h = await setup();
    await h.stack.shutdown();
    const call: OutboundCall = h.stack.placeCall({ target: TARGET, sdp: OFFER });
    const failed: FailedEvent[] = [];
    call.on("failed", (e) => failed.push(e));
    await h.flush();
    expect(failed).toEqual([expect.objectContaining({ cause: "SYSTEM_SHUTDOWN" })]);
    expect(h.requests("INVITE")).toHaveLength(0);
  });
});
