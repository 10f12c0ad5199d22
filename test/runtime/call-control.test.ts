// Call control end to end against SIPp on 127.0.0.1: menus that time out, CANCEL, BYE from either
// side, a missing ACK, and the INVITEs the runtime must refuse (404, 488, 403, 503), plus a
// malformed datagram that must not stop the next call.
import dgram from "node:dgram";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCENARIOS } from "../sip/sipp-harness";
import { startIvr, type IvrFixture } from "./support/ivr-fixture";
import { inviteText, okFor, rawUac } from "./support/raw-uac";
import { explain, hasSipp, sipp } from "./support/sipp";
import { writeScenario } from "./support/uac-scenario";

const RTP: [number, number] = [44100, 44199];
let ivr: IvrFixture;
beforeAll(async () => {
  ivr = await startIvr({
    rtpPorts: RTP,
    // T1 = 25 ms: Timer H (64*T1) gives up on a missing ACK after 1.6 s.
    sipTimers: { T1: 25 },
    routes: {
      "2000": "menu.ts 1 1 3 600 # ^[12]$ hangup",
      "2001": "ring-then-answer.ts",
      "2002": "long-prompt.ts",
      "2003": "hang-up.ts",
      "2004": "long-prompt.ts",
      "2005": "hang-up.ts",
      "2006": "hang-up.ts",
    },
  });
});
afterAll(async () => {
  await ivr?.stop();
});

const scenario = (name: string) => path.join(SCENARIOS, `${name}.xml`);

describe.skipIf(!hasSipp).concurrent("call control over real SIP", () => {
  it("no input: playAndGetDigits tries 3 times, returns '' and the script hangs up", async () => {
    const file = writeScenario(ivr.dir, "no-input", { hangup: "ivr" });
    const r = await sipp(file, ivr.port, "2000");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("2000");
    const pagd = call.methods.find((m) => m.method === "playAndGetDigits");
    expect(pagd?.result).toBe("");
    // three tries of (100 ms prompt + 600 ms timeout)
    expect(pagd?.ms).toBeGreaterThan(3 * 600);
    expect(pagd?.ms).toBeLessThan(5000);
    expect(call.end.cause).toBe("NORMAL_CLEARING");
  });

  it("CANCEL before answer: 487, the script's wait ends, cause ORIGINATOR_CANCEL", async () => {
    const r = await sipp(scenario("uac-cancel-early"), ivr.port, "2001");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("2001");
    expect(call.results("preAnswer")).toEqual([1]);
    expect(call.results("sleep")).toEqual([0]);
    expect(call.results("answer")).toEqual([]);
    expect(call.end.cause).toBe("ORIGINATOR_CANCEL");
  });

  it("caller BYE mid-prompt: streamFile returns 0 early, cause NORMAL_CLEARING", async () => {
    const file = writeScenario(ivr.dir, "bye-mid-prompt", { steps: [{ pause: 700 }] });
    const r = await sipp(file, ivr.port, "2002");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("2002");
    const play = call.methods.find((m) => m.method === "streamFile");
    expect(play?.result).toBe(0);
    expect(play?.ms).toBeLessThan(2000); // the prompt is 5 s long
    expect(call.results("ready")).toContain(false);
    expect(call.end.cause).toBe("NORMAL_CLEARING");
  });

  it("our BYE: the script hangs up, SIPp receives and answers the BYE", async () => {
    const file = writeScenario(ivr.dir, "our-bye", { hangup: "ivr" });
    const r = await sipp(file, ivr.port, "2003");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("2003");
    expect(call.results("streamFile")).toEqual([1]);
    expect(call.methods.find((m) => m.method === "hangup")?.args).toEqual(["NORMAL_CLEARING"]);
    expect(call.end.cause).toBe("NORMAL_CLEARING");
  });

  it("missing ACK: the 200 is retransmitted, then the IVR gives up (BYE, RECOVERY_ON_TIMER_EXPIRE)", async () => {
    const uac = await rawUac(ivr.port);
    try {
      await uac.send(inviteText(uac.port, "2004", "no-ack-1@test", 40_000));
      const bye = await uac.waitFor(/^BYE /, 5000);
      await uac.send(okFor(bye));
      const oks = uac.received.filter((m) => /^SIP\/2\.0 200 /.test(m) && /CSeq: 1 INVITE/i.test(m));
      // T1 = 25 ms: 200 sent at 0, 25, 75, 175, 375, 775 ms... until Timer H (1.6 s)
      expect(oks.length).toBeGreaterThanOrEqual(4);
      const call = await ivr.callTo("2004");
      const play = call.methods.find((m) => m.method === "streamFile");
      expect(play?.result).toBe(0); // the 5 s prompt was cut short
      expect(play?.ms).toBeLessThan(4000);
      expect(call.end.cause).toBe("RECOVERY_ON_TIMER_EXPIRE");
    } finally {
      uac.close();
    }
  });

  it("unknown number: 404", async () => {
    const r = await sipp(scenario("uac-reject"), ivr.port, "9999");
    expect(r.code, explain(r)).toBe(0);
  });

  it.each([
    ["G722 only", [{ pt: 9, rtpmap: "G722/8000" }]],
    ["a dynamic codec only (opus)", [{ pt: 96, rtpmap: "opus/48000/2" }]],
  ])("codec mismatch (%s): 488", async (name, formats) => {
    const file = writeScenario(ivr.dir, `488-${formats[0].pt}`, { formats, expect: 488 });
    const r = await sipp(file, ivr.port, "2005");
    expect(r.code, `${name}: ${explain(r)}`).toBe(0);
  });

  it("malformed datagrams get 400 or are dropped, and the next call is still served", async () => {
    const sock = dgram.createSocket("udp4");
    const replies: string[] = [];
    sock.on("message", (m) => replies.push(m.toString("latin1")));
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    const send = (s: string | Buffer) => new Promise<void>((r) => sock.send(s, ivr.port, "127.0.0.1", () => r()));
    const local = sock.address().port;
    // garbage, a request line only, an INVITE without Call-ID/CSeq, a header without a colon
    await send(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x80, 0x81]));
    await send("INVITE sip:2006@127.0.0.1 SIP/2.0\r\n\r\n");
    await send(
      `INVITE sip:2006@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKbad1\r\nFrom: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:2006@127.0.0.1>\r\nContent-Length: 0\r\n\r\n`,
    );
    await send(
      `OPTIONS sip:2006@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKbad2\r\nthis is not a header\r\nCSeq: x OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    );
    // every header a 400 needs, but a body shorter than its Content-Length
    await send(
      `INVITE sip:2006@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKbad3\r\nFrom: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:2006@127.0.0.1>\r\nCall-ID: broken-length@test\r\nCSeq: 1 INVITE\r\nContact: <sip:x@127.0.0.1:${local}>\r\nContent-Type: application/sdp\r\nContent-Length: 900\r\n\r\nv=0\r\n`,
    );
    const until = Date.now() + 2000;
    while (!replies.some((x) => x.includes("broken-length@test")) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    sock.close();
    // the unanswerable ones are dropped; the one with a Call-ID, From, To, CSeq and Via gets 400
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^SIP\/2\.0 400 /);
    expect(replies[0]).toContain("Call-ID: broken-length@test");
    const file = writeScenario(ivr.dir, "after-malformed", { hangup: "ivr" });
    const r = await sipp(file, ivr.port, "2006");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("2006");
    expect(call.end.cause).toBe("NORMAL_CLEARING");
    // nothing started a call for the malformed INVITEs
    expect(ivr.log.filter((e) => "event" in e && e.event === "start" && e.to === "2006")).toHaveLength(1);
  });
});


describe.skipIf(!hasSipp).concurrent("admission", () => {
  it("an INVITE from a source outside the allow list gets 403", async () => {
    const guarded = await startIvr({ rtpPorts: RTP, allowNetworks: ["10.0.0.0/8"], routes: { "3000": "hang-up.ts" } });
    try {
      const file = writeScenario(guarded.dir, "403", { expect: 403 });
      const r = await sipp(file, guarded.port, "3000");
      expect(r.code, explain(r)).toBe(0);
      expect(guarded.log).toEqual([]);
    } finally {
      await guarded.stop();
    }
  });

  it("over the call limit: 503 while one call is up, the first call unaffected", async () => {
    const limited = await startIvr({ rtpPorts: RTP, maxCalls: 1, routes: { "3001": "long-prompt.ts" } });
    try {
      const first = writeScenario(limited.dir, "first", { steps: [{ pause: 1500 }] });
      const second = writeScenario(limited.dir, "second", { expect: 503 });
      const running = sipp(first, limited.port, "3001");
      const until = Date.now() + 3000;
      while (limited.server.activeCalls < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const r2 = await sipp(second, limited.port, "3001");
      expect(r2.code, explain(r2)).toBe(0);
      const r1 = await running;
      expect(r1.code, explain(r1)).toBe(0);
      const call = await limited.callTo("3001");
      expect(call.end.cause).toBe("NORMAL_CLEARING");
      expect(limited.log.filter((e) => "event" in e && e.event === "start")).toHaveLength(1);
    } finally {
      await limited.stop();
    }
  });
});
