// Integration with a real peer: SIPp over UDP on 127.0.0.1 against createSipStack (real timers).
// The application side is a dummy IVR with a static SDP answer (no RTP at this layer).
import { afterEach, describe, expect, it } from "vitest";
import dgram from "node:dgram";
import { createSipStack, type Call, type CallEnded, type InfoDtmf, type SipStack, type SipTimerConfig } from "../../runtime/sip/index";
import { hasSipp, runSipp } from "./sipp-harness";

const ANSWER_SDP = "v=0\r\no=ivr 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

interface Harness {
  stack: SipStack;
  calls: Call[];
  ended: CallEnded[];
  dtmf: InfoDtmf[];
  port: number;
  /** Summaries of every message the stack sent. */
  sent: string[];
}

const stacks: SipStack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});

/** The dummy IVR: routes on the dialled number. */
async function startIvr(timerConfig?: Partial<SipTimerConfig>): Promise<Harness> {
  const calls: Call[] = [];
  const ended: CallEnded[] = [];
  const dtmf: InfoDtmf[] = [];
  const sent: string[] = [];
  const stack = await createSipStack({
    address: "127.0.0.1", port: 0, timerConfig,
    trace: (e) => { if (e.direction === "out") sent.push(e.summary); },
    onInvite: async (call) => {
      calls.push(call);
      call.on("ended", (e) => ended.push(e));
      call.on("dtmf", (d) => dtmf.push(d));
      switch (call.destinationNumber) {
        case "404":
          call.reject(404);
          return;
        case "slow": // answers late: leaves room for a CANCEL
          call.ring();
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 3000);
            call.once("ended", () => { clearTimeout(timer); resolve(); });
          });
          if (call.state !== "ended") call.answer(ANSWER_SDP);
          return;
        case "hangup":
          call.answer(ANSWER_SDP);
          call.once("ack", () => setTimeout(() => void call.hangup(), 500));
          return;
        default:
          call.answer(ANSWER_SDP);
      }
    },
  });
  stacks.push(stack);
  return { stack, calls, ended, dtmf, sent, port: stack.transport.local.port };
}

function explain(r: { code: number | null; stdout: string; stderr: string }) {
  return `sipp exit ${r.code}\n--- stderr ---\n${r.stderr}\n--- stdout ---\n${r.stdout.slice(-1500)}`;
}

describe.skipIf(!hasSipp)("SIPp integration (UDP, 127.0.0.1)", () => {
  it("basic call: INVITE -> 100/200 -> ACK -> INFO DTMF -> BYE", async () => {
    const h = await startIvr();
    const r = await runSipp("uac-basic", h.port, "1000");
    expect(r.code, explain(r)).toBe(0);
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0].callerName).toBe("SIPp Caller");
    expect(h.dtmf).toEqual([{ digit: "5", durationMs: 160 }]);
    expect(h.ended).toEqual([{ cause: "NORMAL_CLEARING", by: "remote" }]);
  });

  it("CANCEL before answer -> 200 + 487, cause ORIGINATOR_CANCEL", async () => {
    const h = await startIvr();
    const r = await runSipp("uac-cancel", h.port, "slow");
    expect(r.code, explain(r)).toBe(0);
    expect(h.ended).toEqual([{ cause: "ORIGINATOR_CANCEL", by: "remote", status: 487 }]);
  });

  it("our BYE: the application hangs up 500 ms after the ACK", async () => {
    const h = await startIvr();
    const r = await runSipp("uac-our-bye", h.port, "hangup");
    expect(r.code, explain(r)).toBe(0);
    expect(h.ended).toEqual([{ cause: "NORMAL_CLEARING", by: "local" }]);
    expect(r.ms).toBeGreaterThanOrEqual(500);
  });

  it("missing ACK: 200 retransmitted, call ended on Timer H (T1=50 ms) with a BYE", async () => {
    const h = await startIvr({ T1: 50, T2: 400 });
    const r = await runSipp("uac-no-ack", h.port, "1000");
    expect(r.code, explain(r)).toBe(0);
    expect(h.ended).toEqual([{ cause: "RECOVERY_ON_TIMER_EXPIRE", by: "timeout" }]);
    // 200 at 0 ms, then retransmissions at 50, 150, 350, 750, then every 400 ms until 3200 ms.
    const oks = h.sent.filter((s) => /^200 OK .*INVITE/.test(s)).length;
    expect(oks).toBeGreaterThanOrEqual(10);
    expect(oks).toBeLessThanOrEqual(13);
    expect(h.sent.filter((s) => s.startsWith("BYE ")).length).toBeGreaterThanOrEqual(1);
  });

  it("unknown number -> 404 (application rejects)", async () => {
    const h = await startIvr();
    const r = await runSipp("uac-reject", h.port, "404");
    expect(r.code, explain(r)).toBe(0);
    expect(h.ended).toEqual([{ cause: "UNALLOCATED_NUMBER", by: "local", status: 404 }]);
  });

  it("404 with the ACK on the same branch: Timer G stops at the ACK (RFC 3261 17.2.1)", async () => {
    const h = await startIvr({ T1: 50, T2: 400 });
    const r = await runSipp("uac-reject", h.port, "404");
    expect(r.code, explain(r)).toBe(0);
    // SIPp ACKs at once: at most the first 404 and one retransmission went out, and no more after.
    const atEnd = h.sent.filter((s) => /^404 .*INVITE/.test(s)).length;
    expect(atEnd).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(h.sent.filter((s) => /^404 .*INVITE/.test(s)).length).toBe(atEnd);
  });

  it("404 whose ACK carries another branch: no match by 17.2.3, so the 404 is retransmitted until Timer H", async () => {
    const h = await startIvr({ T1: 50, T2: 400 });
    const r = await runSipp("uac-reject-ack-other-branch", h.port, "404");
    expect(r.code, explain(r)).toBe(0);
    // During SIPp's 1 s pause: 404 at 0, then 50, 150, 350, 750 ms (T1 doubling).
    expect(h.sent.filter((s) => /^404 .*INVITE/.test(s)).length).toBeGreaterThanOrEqual(4);
    expect(h.stack.stats.serverTransactions).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 3300 - r.ms + 300));
    // Timer H (64*T1 = 3.2 s) ended the transaction: every 400 ms until then, and no more.
    expect(h.stack.stats.serverTransactions).toBe(0);
    const total = h.sent.filter((s) => /^404 .*INVITE/.test(s)).length;
    expect(total).toBeGreaterThanOrEqual(9);
    expect(total).toBeLessThanOrEqual(12);
  });

  it("malformed datagrams get 400 or are dropped, and the next INVITE is served", async () => {
    const h = await startIvr();
    const raw = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => raw.bind(0, "127.0.0.1", () => resolve()));
    const replies: string[] = [];
    raw.on("message", (m) => replies.push(m.toString("utf8")));
    const rawPort = raw.address().port;
    const send = (text: string | Buffer) => new Promise<void>((resolve) => raw.send(text, h.port, "127.0.0.1", () => resolve()));
    await send(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a, 0x41]));
    await send("INVITE sip:1000@127.0.0.1 SIP/2.0\r\n\r\n");
    const badLength = [
      "INVITE sip:1000@127.0.0.1 SIP/2.0", `Via: SIP/2.0/UDP 127.0.0.1:${rawPort};branch=z9hG4bKbadlen;rport`,
      "From: <sip:raw@127.0.0.1>;tag=r1", "To: <sip:1000@127.0.0.1>", "Call-ID: badlen@127.0.0.1", "CSeq: 1 INVITE",
      `Contact: <sip:raw@127.0.0.1:${rawPort}>`, "Content-Type: application/sdp", "Content-Length: 4000", "", "v=0\r\n",
    ].join("\r\n");
    await send(badLength);
    const deadline = Date.now() + 2000;
    while (!replies.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    raw.close();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^SIP\/2\.0 400 Bad Request - Content-Length 4000 exceeds/);
    expect(replies[0]).toContain("Call-ID: badlen@127.0.0.1");
    const stats = h.stack.stats.transport;
    expect(stats.parseErrors).toBe(3);
    expect(stats.badRequestsAnswered).toBe(1);
    expect(stats.dropped).toBe(2);
    expect(h.calls).toHaveLength(0);

    const r = await runSipp("uac-basic", h.port, "1000");
    expect(r.code, explain(r)).toBe(0);
    expect(h.calls).toHaveLength(1);
  });
});
