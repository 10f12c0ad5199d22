// execute("bridge") end to end over real SIP: SIPp calls the runtime, the Lua script bridges
// through a configured gateway to a second SIPp acting as the callee (answer, busy, no answer
// until our CANCEL, 404, a 407 challenge), all on 127.0.0.1.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseGatewaySpec, parseUserSpec } from "../../runtime/outbound/destinations";
import { compileRoute } from "../../runtime/routes";
import { startSippUas, type SippUas } from "../sip/sipp-harness";
import { startIvr, type IvrFixture } from "../runtime/support/ivr-fixture";
import { explain, hasSipp, sipp } from "../runtime/support/sipp";
import { writeScenario } from "../runtime/support/uac-scenario";

const RTP: [number, number] = [45400, 45499];
const open: Array<{ stop(): Promise<void> } | SippUas> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) {
    if ("kill" in o) o.kill();
    else await o.stop();
  }
});

/** The bridge, then one log line with what the A leg's variables say; the script then hangs up. */
const BRIDGE_LUA = (vars: string) => `
session:answer()
${vars}
session:execute("bridge", argv[1])
local function v(n) return tostring(session:getVariable(n)) end
freeswitch.consoleLog("notice", "result " .. tostring(session:ready()) .. " " .. v("originate_disposition") .. " " .. v("originate_failed_cause") .. " " .. v("DIALSTATUS") .. " " .. v("last_bridge_hangup_cause") .. "\\n")
session:hangup()
`;

interface Setup {
  callee: string;
  gateway?: string;
  vars?: string;
  dial?: string;
  /** The caller's steps: who hangs up. */
  caller?: { hangup: "caller" | "ivr"; pauseMs?: number };
  /** false: the INVITE must never reach the callee (SIPp is stopped once the caller is done). */
  calleeReached?: boolean;
}

async function bridgeCall(s: Setup) {
  const uas = await startSippUas(s.callee);
  open.push(uas);
  const ivr: IvrFixture = await startIvr({
    rtpPorts: RTP,
    routes: {},
    // RFC 3261's T1: no INVITE retransmissions while SIPp is slow to answer on a busy machine.
    sipTimers: { T1: 500 },
    outbound: {
      gateways: [parseGatewaySpec(`callee=127.0.0.1:${uas.port};allow=2XXX${s.gateway ?? ""}`)],
      users: [parseUserSpec("1000:desk-secret-1000")],
    },
  });
  open.push(ivr);
  const file = path.join(ivr.dir, "bridge.lua");
  writeFileSync(file, BRIDGE_LUA(s.vars ?? `session:setVariable("continue_on_fail", "true")`));
  ivr.server.setRoutes([compileRoute({ pattern: "5000", target: `${file} ${s.dial ?? "sofia/gateway/callee/2000"}` })]);
  const scenario = writeScenario(ivr.dir, `caller-${s.callee}`, {
    steps: s.caller?.pauseMs ? [{ pause: s.caller.pauseMs }] : [],
    hangup: s.caller?.hangup ?? "ivr",
  });
  const caller = await sipp(scenario, ivr.port, "5000");
  if (s.calleeReached === false) uas.kill();
  const callee = await uas.done;
  const trace = await ivr.callTo("5000");
  const result = ivr.lines.find((l) => l.startsWith("notice result "))?.slice("notice result ".length).trim();
  return { caller, callee, trace, result, lines: ivr.lines };
}

describe.skipIf(!hasSipp)("bridge through a gateway to SIPp", () => {
  it("answered, then the callee hangs up: the script goes on (SUCCESS, last_bridge_hangup_cause NORMAL_CLEARING)", async () => {
    const r = await bridgeCall({ callee: "uas-answer-hangup" });
    expect(r.callee.code, explain(r.callee)).toBe(0);
    expect(r.caller.code, explain(r.caller)).toBe(0);
    expect(r.result, r.lines.join("\n")).toBe("true SUCCESS nil SUCCESS NORMAL_CLEARING");
  });

  it("answered, then the caller hangs up: the callee gets our BYE with Reason Q.850 cause 16", async () => {
    const r = await bridgeCall({ callee: "uas-answer", caller: { hangup: "caller", pauseMs: 1500 } });
    expect(r.callee.code, explain(r.callee)).toBe(0);
    expect(r.caller.code, explain(r.caller)).toBe(0);
    expect(r.result).toBe("false SUCCESS nil SUCCESS NORMAL_CLEARING");
    expect(r.trace.end.cause).toBe("NORMAL_CLEARING");
  });

  it("486 Busy Here with continue_on_fail: USER_BUSY, DIALSTATUS BUSY", async () => {
    const r = await bridgeCall({ callee: "uas-486" });
    expect(r.callee.code, explain(r.callee)).toBe(0);
    expect(r.result, r.lines.join("\n")).toBe("true USER_BUSY USER_BUSY BUSY USER_BUSY");
  });

  it("486 without continue_on_fail hangs the caller up with USER_BUSY, as FreeSWITCH does", async () => {
    const r = await bridgeCall({ callee: "uas-486", vars: "" });
    expect(r.callee.code, explain(r.callee)).toBe(0);
    expect(r.caller.code, explain(r.caller)).toBe(0);
    expect(r.trace.end.cause).toBe("USER_BUSY");
    expect(r.result).toBe("false USER_BUSY USER_BUSY BUSY USER_BUSY");
  });

  it("no answer within call_timeout: our CANCEL carries Reason Q.850 cause 19, NO_ANSWER", async () => {
    const r = await bridgeCall({ callee: "uas-no-answer", vars: `session:setVariable("call_timeout", "1")` });
    expect(r.callee.code, explain(r.callee)).toBe(0);
    expect(r.result, r.lines.join("\n")).toBe("true NO_ANSWER NO_ANSWER NOANSWER NO_ANSWER");
  });

  it("404 Not Found: UNALLOCATED_NUMBER", async () => {
    const r = await bridgeCall({ callee: "uas-404" });
    expect(r.callee.code, explain(r.callee)).toBe(0);
    expect(r.result, r.lines.join("\n")).toBe("true UNALLOCATED_NUMBER UNALLOCATED_NUMBER UNALLOCATED_NUMBER UNALLOCATED_NUMBER");
  });

  it("407 then 200: the gateway's credentials answer the challenge", async () => {
    const r = await bridgeCall({ callee: "uas-auth-407", gateway: ";user=acct;pass=secret", caller: { hangup: "caller", pauseMs: 1500 } });
    expect(r.callee.code, explain(r.callee)).toBe(0);
    expect(r.caller.code, explain(r.caller)).toBe(0);
    expect(r.result).toBe("false SUCCESS nil SUCCESS NORMAL_CLEARING");
  });

  it("a number outside the allow-list never leaves: OUTGOING_CALL_BARRED, logged with script and node", async () => {
    const r = await bridgeCall({
      callee: "uas-answer",
      calleeReached: false,
      dial: "sofia/gateway/callee/19005551234",
      vars: `session:setVariable("continue_on_fail", "true") session:setVariable("ivr_node", "operator")`,
    });
    expect(r.caller.code, explain(r.caller)).toBe(0);
    expect(r.lines.some((l) => l.includes("New outbound leg"))).toBe(false);
    // No leg was created, so none reported its end: last_bridge_hangup_cause stays unset, as on FreeSWITCH.
    expect(r.result).toBe("true OUTGOING_CALL_BARRED OUTGOING_CALL_BARRED OUTGOING_CALL_BARRED nil");
    expect(r.lines.some((l) => /^warning outbound call refused sofia\/gateway\/callee\/19005551234: .* -> OUTGOING_CALL_BARRED, script .*bridge\.lua, node operator$/.test(l))).toBe(true);
  });
});
