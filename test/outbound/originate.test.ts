import { describe, expect, it } from "vitest";
import { makeEngine } from "./support";

describe("execute('bridge') on the runtime, as mod_dptools' bridge", () => {
  it("connects to an answering user; the caller's script continues when the far end hangs up", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, ring: true }, { at: 30, answer: true }, { at: 150, end: "NORMAL_CLEARING" }] } });
    const a = t.caller();
    let bridgedDuring: boolean | undefined;
    setTimeout(() => void a.session.bridged().then((b) => (bridgedDuring = b)), 80);
    await a.session.execute("bridge", "user/1000");
    expect(bridgedDuring).toBe(true);
    expect(await a.session.bridged()).toBe(false);
    expect(await a.session.ready()).toBe(true);
    expect(await a.session.getVariable("originate_disposition")).toBe("SUCCESS");
    expect(await a.session.getVariable("DIALSTATUS")).toBe("SUCCESS");
    expect(await a.session.getVariable("last_bridge_hangup_cause")).toBe("NORMAL_CLEARING");
    expect(await a.session.getVariable("originate_failed_cause")).toBeUndefined();
    const [leg] = t.dialer.dialed;
    expect(leg.request.target.requestUri).toBe("sip:1000@127.0.0.1:5062");
    expect(leg.request.callerIdNumber).toBe("15557654321");
    expect(leg.hangups).toEqual([]);
    expect(t.policy.activeCalls).toBe(0);
  });

  it("hangup_after_bridge=true ends the caller with the far end's cause", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, answer: true }, { at: 60, end: "NORMAL_CLEARING" }] } });
    const a = t.caller({ hangup_after_bridge: "true" });
    await a.session.execute("bridge", "user/1000");
    expect(a.control.hangups).toEqual(["NORMAL_CLEARING"]);
    expect(await a.session.ready()).toBe(false);
  });

  it("a busy callee without continue_on_fail hangs the caller up (USER_BUSY), as FreeSWITCH does", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, ring: true }, { at: 30, end: "USER_BUSY", status: 486 }] } });
    const a = t.caller();
    await a.session.execute("bridge", "user/1000");
    expect(a.control.hangups).toEqual(["USER_BUSY"]);
    expect(await a.session.getVariable("originate_failed_cause")).toBe("USER_BUSY");
    expect(await a.session.getVariable("originate_disposition")).toBe("USER_BUSY");
    expect(await a.session.getVariable("DIALSTATUS")).toBe("BUSY");
    expect(await a.session.getVariable("last_bridge_hangup_cause")).toBe("USER_BUSY");
    expect(await a.session.getVariable("last_bridge_proto_specific_hangup_cause")).toBe("sip:486");
    expect(await a.session.getVariable("sip_invite_failure_status")).toBe("486");
  });

  it("with continue_on_fail=true the script goes on and reads the cause", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, end: "USER_BUSY", status: 486 }] } });
    const a = t.caller({ continue_on_fail: "true" });
    await a.session.execute("bridge", "user/1000");
    expect(a.control.hangups).toEqual([]);
    expect(await a.session.ready()).toBe(true);
    expect(await a.session.getVariable("originate_failed_cause")).toBe("USER_BUSY");
  });

  it("continue_on_fail as a list of causes: a cause outside it still hangs up", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, end: "CALL_REJECTED", status: 603 }], "1001": [{ at: 10, end: "USER_BUSY" }] } });
    const a = t.caller({ continue_on_fail: "USER_BUSY,3" });
    await a.session.execute("bridge", "user/1001");
    expect(await a.session.ready()).toBe(true);
    await a.session.execute("bridge", "error/no_route_destination");
    expect(await a.session.ready()).toBe(true); // 3 = NO_ROUTE_DESTINATION, by number
    await a.session.execute("bridge", "user/1000");
    expect(a.control.hangups).toEqual(["CALL_REJECTED"]);
    expect(await a.session.getVariable("DIALSTATUS")).toBe("DONTCALL");
  });

  it("no answer within call_timeout: the leg is cancelled with NO_ANSWER and the script always continues", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, ring: true }] } });
    const a = t.caller({ call_timeout: "1" });
    await a.session.execute("bridge", "user/1000");
    expect(t.dialer.dialed[0].hangups).toEqual(["NO_ANSWER"]);
    expect(await a.session.ready()).toBe(true);
    expect(await a.session.getVariable("originate_failed_cause")).toBe("NO_ANSWER");
    expect(await a.session.getVariable("DIALSTATUS")).toBe("NOANSWER");
    expect(await a.session.getVariable("last_bridge_hangup_cause")).toBe("NO_ANSWER");
  });

  it("originate_timeout in {..} wins over call_timeout", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, ring: true }, { at: 1500, answer: true }, { at: 1550, end: "NORMAL_CLEARING" }] } });
    const a = t.caller({ call_timeout: "1", continue_on_fail: "true" });
    await a.session.execute("bridge", "{originate_timeout=3}user/1000");
    expect(await a.session.getVariable("originate_disposition")).toBe("SUCCESS");
  });

  it("the caller hanging up while it rings cancels the leg (ORIGINATOR_CANCEL)", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, ring: true }] } });
    const a = t.caller();
    setTimeout(() => a.channel.markHangup("NORMAL_CLEARING"), 60);
    await a.session.execute("bridge", "user/1000");
    expect(t.dialer.dialed[0].hangups).toEqual(["ORIGINATOR_CANCEL"]);
    expect(a.channel.getVar("originate_disposition")).toBe("ORIGINATOR_CANCEL");
    expect(a.channel.getVar("DIALSTATUS")).toBe("CANCEL");
  });

  it("the caller hanging up during the bridge sends the far end a BYE with the caller's cause", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, answer: true }] } });
    const a = t.caller();
    setTimeout(() => a.channel.markHangup("NORMAL_CLEARING"), 60);
    await a.session.execute("bridge", "user/1000");
    expect(t.dialer.dialed[0].hangups).toEqual(["NORMAL_CLEARING"]);
  });

  it("',' rings legs together: the first answer wins, the others get LOSE_RACE", async () => {
    const t = makeEngine({
      scripts: {
        "1000": [{ at: 10, ring: true }],
        "1001": [{ at: 10, ring: true }, { at: 40, answer: true }, { at: 80, end: "NORMAL_CLEARING" }],
      },
    });
    const a = t.caller();
    await a.session.execute("bridge", "user/1000,user/1001");
    expect(t.dialer.byDestination("1000")[0].hangups).toEqual(["LOSE_RACE"]);
    expect(t.dialer.byDestination("1001")[0].answered).toBe(true);
    expect(a.channel.getVar("originate_disposition")).toBe("SUCCESS");
  });

  it("'|' fails over to the next group after a failure, but not after a timeout", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, answer: true }, { at: 40, end: "NORMAL_CLEARING" }] } });
    const a = t.caller();
    await a.session.execute("bridge", "error/user_busy|user/1000");
    expect(a.channel.getVar("originate_disposition")).toBe("SUCCESS");

    const t2 = makeEngine({ scripts: { "1001": [{ at: 10, ring: true }], "1000": [{ at: 10, answer: true }, { at: 40, end: "NORMAL_CLEARING" }] } });
    const b = t2.caller({ call_timeout: "1" });
    await b.session.execute("bridge", "user/1001|user/1000");
    expect(t2.dialer.byDestination("1000")).toHaveLength(0);
    expect(b.channel.getVar("originate_failed_cause")).toBe("NO_ANSWER");

    const t3 = makeEngine({ scripts: { "1001": [{ at: 10, ring: true }], "1000": [{ at: 10, answer: true }, { at: 40, end: "NORMAL_CLEARING" }] } });
    const c = t3.caller({ call_timeout: "1" });
    await c.session.execute("bridge", "{originate_continue_on_timeout=true}user/1001|user/1000");
    expect(t3.dialer.byDestination("1000")).toHaveLength(1);
    expect(c.channel.getVar("originate_disposition")).toBe("SUCCESS");
  });

  it("early media is a success unless ignore_early_media; the caller is answered when the leg answers", async () => {
    const steps = [{ at: 10, early: true as const }, { at: 80, answer: true as const }, { at: 120, end: "NORMAL_CLEARING" as const }];
    const t = makeEngine({ scripts: { "1000": steps } });
    const a = t.caller({}, false);
    let earlyDuring: [boolean, boolean] | undefined;
    setTimeout(() => (earlyDuring = [a.channel.earlyMedia, a.channel.answered]), 50);
    await a.session.execute("bridge", "user/1000");
    expect(earlyDuring).toEqual([true, false]);
    expect(a.control.preAnswers).toBe(1);
    expect(a.control.answers).toBe(1);

    const t2 = makeEngine({ scripts: { "1000": steps } });
    const b = t2.caller({}, false);
    let during: [boolean, boolean] | undefined;
    setTimeout(() => (during = [b.channel.earlyMedia, b.channel.answered]), 50);
    await b.session.execute("bridge", "{ignore_early_media=true}user/1000");
    expect(during).toEqual([false, false]);
    expect(b.control.preAnswers).toBe(0);
    expect(b.control.answers).toBe(1);
  });

  it("ringback (${us-ring}) plays to the caller once the leg rings; without it an unanswered caller gets 180", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, ring: true }, { at: 60, answer: true }, { at: 90, end: "NORMAL_CLEARING" }] } });
    const a = t.caller({ ringback: "${us-ring}" });
    await a.session.execute("bridge", "user/1000");
    expect(a.media.played).toEqual(["tone_stream://%(2000,4000,440,480);loops=-1"]);

    const b = t.caller({}, false);
    await b.session.execute("bridge", "user/1000");
    expect(b.control.rings).toBe(1);
    expect(b.media.played).toEqual([]);
  });

  it("leg_timeout ends one leg with ALLOTTED_TIMEOUT", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, ring: true }] } });
    const a = t.caller({ continue_on_fail: "true" });
    await a.session.execute("bridge", "[leg_timeout=1]user/1000");
    expect(t.dialer.dialed[0].hangups).toEqual(["ALLOTTED_TIMEOUT"]);
    expect(a.channel.getVar("originate_failed_cause")).toBe("ALLOTTED_TIMEOUT");
  });

  it("an unparsable dial string fails as FreeSWITCH fails it (ORIGINATOR_CANCEL) and says why", async () => {
    const t = makeEngine();
    const a = t.caller();
    await a.session.execute("bridge", "{a=1 user/1000");
    expect(a.channel.getVar("originate_failed_cause")).toBe("ORIGINATOR_CANCEL");
    expect(t.logs.some(([l, m]) => l === "err" && m.includes("Parse Error! unclosed '{'") && m.includes("script menu.lua"))).toBe(true);
    expect(await a.session.ready()).toBe(true); // ORIGINATOR_CANCEL always continues
  });
});

describe("toll-fraud guard", () => {
  it("numbers outside the gateway's allow-list are refused, logged with script, node and dial string", async () => {
    const t = makeEngine();
    const a = t.caller({ ivr_node: "operator", continue_on_fail: "true" });
    await a.session.execute("bridge", "sofia/gateway/carrier/19001234567");
    expect(t.dialer.dialed).toHaveLength(0);
    expect(a.channel.getVar("originate_failed_cause")).toBe("OUTGOING_CALL_BARRED");
    const line = t.logs.find(([l, m]) => l === "warning" && m.startsWith("outbound call refused"));
    expect(line?.[1]).toContain("sofia/gateway/carrier/19001234567");
    expect(line?.[1]).toContain("script menu.lua");
    expect(line?.[1]).toContain("node operator");
    expect(line?.[1]).toContain("OUTGOING_CALL_BARRED");
  });

  it("hosts that are not configured, unknown gateways and URI tricks are refused", async () => {
    const t = makeEngine();
    const a = t.caller({ continue_on_fail: "true" });
    for (const [dial, cause] of [
      ["sofia/external/15552345678@203.0.113.66", "OUTGOING_CALL_BARRED"],
      ["sofia/gateway/nope/15552345678", "INVALID_GATEWAY"],
      ["sofia/gateway/carrier/15552345678;fs_path=sip:203.0.113.66", "INVALID_URL"],
      ["sofia/internal/1000@127.0.0.1;maddr=203.0.113.66", "CHAN_NOT_IMPLEMENTED"],
    ]) {
      await a.session.execute("bridge", dial);
      expect(a.channel.getVar("originate_failed_cause"), dial).toBe(cause);
    }
    expect(t.dialer.dialed).toHaveLength(0);
    expect(t.logs.filter(([l, m]) => l === "warning" && m.startsWith("outbound call refused"))).toHaveLength(3);
  });

  it("without continue_on_fail a refusal ends the caller's call (OUTGOING_CALL_BARRED)", async () => {
    const t = makeEngine();
    const a = t.caller();
    await a.session.execute("bridge", "sofia/gateway/carrier/0044123");
    expect(a.control.hangups).toEqual(["OUTGOING_CALL_BARRED"]);
  });

  it("concurrent and per-minute limits refuse with CALL_REJECTED", async () => {
    const t = makeEngine({ limits: { maxCalls: 1, callsPerMinute: 10 }, scripts: { "1000": [{ at: 10, answer: true }] } });
    const a = t.caller();
    const b = t.caller({ continue_on_fail: "true", ivr_node: "sales" });
    const bridging = a.session.execute("bridge", "user/1000");
    await new Promise((r) => setTimeout(r, 50));
    await b.session.execute("bridge", "user/1001");
    expect(b.channel.getVar("originate_failed_cause")).toBe("CALL_REJECTED");
    expect(t.logs.some(([l, m]) => l === "warning" && m.includes("user/1001") && m.includes("(limit)") && m.includes("node sales"))).toBe(true);
    a.channel.markHangup("NORMAL_CLEARING");
    await bridging;
    expect(t.policy.activeCalls).toBe(0);
  });
});

describe("what goes into the INVITE", () => {
  it("caller-ID from variables cannot inject SIP: the number keeps user-part characters, the name loses control characters", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, end: "USER_BUSY" }] } });
    const a = t.caller({ continue_on_fail: "true" });
    await a.session.execute("set", "effective_caller_id_name=Evil\r\nX-Injected: 1");
    await a.session.setVariable("effective_caller_id_number", "123>\r\nVia: evil");
    await a.session.execute("bridge", "{sip_h_X-Ok=fine,sip_h_Via=no,sip_h_X-Bad=a\r\nb}user/1000");
    const [d] = t.dialer.dialed;
    expect(d.request.callerIdNumber).toBe("123Viaevil");
    expect(d.request.callerIdName).not.toMatch(/[\r\n]/);
    // Only X- headers pass, and none with a line break.
    expect(d.request.headers).toEqual([["X-Ok", "fine"]]);
  });

  it("a gateway's caller-ID wins over everything the script sets", async () => {
    const t = makeEngine({ gateways: ["carrier=198.51.100.7;allow=1NXXNXXXXXX;cid=15550001111"], scripts: { "15552345678": [{ at: 10, end: "USER_BUSY" }], "1000": [{ at: 10, end: "USER_BUSY" }] } });
    const a = t.caller({ continue_on_fail: "true" });
    await a.session.execute("bridge", "{origination_caller_id_number=19005550000}sofia/gateway/carrier/15552345678");
    expect(t.dialer.dialed[0].request.callerIdNumber).toBe("15550001111");
    const b = t.caller({ continue_on_fail: "true" });
    await b.session.execute("bridge", "[origination_caller_id_number=4155550100]user/1000");
    expect(t.dialer.dialed[1].request.callerIdNumber).toBe("4155550100");
  });
});

describe("local users", () => {
  it("an unknown user is SUBSCRIBER_ABSENT, a known one that did not register USER_NOT_REGISTERED", async () => {
    const t = makeEngine({ registered: [] });
    const a = t.caller({ continue_on_fail: "true" });
    await a.session.execute("bridge", "user/2000");
    expect(a.channel.getVar("originate_failed_cause")).toBe("SUBSCRIBER_ABSENT");
    await a.session.execute("bridge", "user/1000");
    expect(a.channel.getVar("originate_failed_cause")).toBe("USER_NOT_REGISTERED");
  });
});
