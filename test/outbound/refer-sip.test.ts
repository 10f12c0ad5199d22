// SIP REFER both ways, against SIPp over loopback:
// - out: a flow's blind transfer (execute("deflect"), session:transfer("sip:...")) REFERs the
//   caller's side, waits for the NOTIFY sipfrag and ends with BLIND_TRANSFER, as mod_sofia does;
//   a target the toll-fraud guard does not allow is never REFERred;
// - in: a bridged phone (the agent) REFERs the caller to an extension routed here: 202, NOTIFY
//   "SIP/2.0 200 OK", the caller runs that route's script; without ivr_allow_refer: 403. The
//   allowing side is a flow whose Bridge node has "Let the called phone transfer the caller" on,
//   generated to Lua and to TS (the generators set ivr_allow_refer from the catalog).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFlow } from "../../flow";
import { generate } from "../../generators";
import { parseGatewaySpec } from "../../runtime/outbound/destinations";
import { compileRoute } from "../../runtime/routes";
import { runSipp, startSippUas } from "../sip/sipp-harness";
import { startIvr, type IvrFixture } from "../runtime/support/ivr-fixture";
import { explain, hasSipp, sipp } from "../runtime/support/sipp";
import { writeScenario } from "../runtime/support/uac-scenario";

let ivr: IvrFixture;
const lua = (name: string, body: string) => {
  const file = path.join(ivr.dir, name);
  writeFileSync(file, body);
  return file;
};
/** A hand-written script that does not allow transfers. */
const BRIDGE_DENY = `
session:answer()
session:setVariable("continue_on_fail", "true")
session:execute("bridge", "sofia/gateway/agent/2000")
freeswitch.consoleLog("notice", "after bridge ready=" .. tostring(session:ready()) .. "\\n")
-- As generated flows do: a transferred call is not hung up.
if session:ready() then session:hangup() end
`;
/** A flow: answer, then a Bridge that lets the agent transfer the caller; its outcomes log. */
const ALLOW_FLOW = loadFlow({
  schemaVersion: 1,
  name: "Agent may transfer",
  settings: { hangupHook: "none" },
  nodes: [
    { id: "start", kind: "start", label: "", params: {} },
    { id: "answer", kind: "answer", label: "", params: {} },
    { id: "agent", kind: "bridge", label: "", params: { dialString: "sofia/gateway/agent/2000", allowTransfer: true } },
    ...["answered", "busy", "no_answer", "failed"].map((o) => ({ id: o, kind: "log", label: "", params: { level: "notice", message: `after bridge ${o}` } })),
  ],
  edges: [
    { source: "start", outcome: "next", target: "answer" },
    { source: "answer", outcome: "next", target: "agent" },
    ...["answered", "busy", "no_answer", "failed"].map((o) => ({ source: "agent", outcome: o, target: o })),
  ],
});
/** Script output may come a moment after the SIP side is done: wait for it (5 s at most). */
const logged = async (test: (line: string) => boolean): Promise<boolean> => {
  for (let i = 0; i < 100; i++) {
    if (ivr.lines.some((l) => test(l.trim()))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
};

beforeAll(async () => {
  ivr = await startIvr({ rtpPorts: [45500, 45599], routes: {}, sipTimers: { T1: 500 } });
  ivr.server.setRoutes([
    compileRoute({ pattern: "7000", target: lua("deflect.lua", `session:answer()\nsession:execute("deflect", "2000")\nfreeswitch.consoleLog("notice", "after deflect ready=" .. tostring(session:ready()) .. " " .. tostring(session:getVariable("sip_refer_status_code")) .. "\\n")\n`) }),
    compileRoute({ pattern: "7001", target: lua("foreign.lua", `session:answer()\nsession:setVariable("ivr_node", "xfer")\nsession:transfer("sip:19005551234@198.51.100.9")\n`) }),
    compileRoute({ pattern: "5000", target: lua("bridge-allow.lua", generate(ALLOW_FLOW, "lua").code) }),
    compileRoute({ pattern: "5002", target: lua("bridge-allow.ts", generate(ALLOW_FLOW, "ts").code) }),
    compileRoute({ pattern: "5001", target: lua("bridge-deny.lua", BRIDGE_DENY) }),
    compileRoute({
      pattern: "6000",
      target: lua("desk.lua", `freeswitch.consoleLog("notice", "arrived at 6000 from " .. tostring(session:getVariable("sip_refer_to")) .. "\\n")\nsession:hangup()\n`),
    }),
  ]);
}, 30_000);

afterAll(() => ivr?.stop());

describe.skipIf(!hasSipp)("SIP REFER", () => {
  it("a flow's deflect REFERs the caller to 2000 at our address, reads the NOTIFY and hangs up with BLIND_TRANSFER", async () => {
    const r = await runSipp("uac-refer", ivr.port, "7000");
    expect(r.code, `${r.stdout}\n${r.stderr}\n${ivr.lines.join("\n")}`).toBe(0);
    const trace = await ivr.callTo("7000");
    expect(trace.end.cause).toBe("BLIND_TRANSFER");
    expect(ivr.lines.some((l) => /REFER to sip:2000@127\.0\.0\.1:\d+: 202/.test(l))).toBe(true);
    // As on FreeSWITCH the script goes on after the application, on a channel that is down.
    expect(await logged((l) => l === "notice after deflect ready=false 202"), ivr.lines.join("\n")).toBe(true);
  });

  it("a transfer to a host that is no gateway of ours is never REFERred: OUTGOING_CALL_BARRED, logged", async () => {
    const r = await runSipp("lua-wait-bye", ivr.port, "7001");
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const trace = await ivr.callTo("7001");
    expect(trace.end.cause).toBe("OUTGOING_CALL_BARRED");
    expect(ivr.lines.some((l) => /^warning outbound call refused REFER sip:19005551234@198\.51\.100\.9: .*not a configured gateway host -> OUTGOING_CALL_BARRED, node xfer$/.test(l))).toBe(true);
  });

  const bridgeWithAgent = async (scenario: string, number: string) => {
    const agent = await startSippUas(scenario, ["-s", "6000", "-key", "ivr_port", String(ivr.port)]);
    ivr.server.setOutbound({ gateways: [parseGatewaySpec(`agent=127.0.0.1:${agent.port};allow=2XXX`)], users: [] });
    const caller = await sipp(writeScenario(ivr.dir, `caller-${number}`, { steps: [], hangup: "ivr" }), ivr.port, number);
    return { caller, agent: await agent.done };
  };

  it("an agent's REFER moves the caller to extension 6000 (202, NOTIFY 200, the agent's leg hung up); the flow's Lua allowed it", async () => {
    const { caller, agent } = await bridgeWithAgent("uas-refer", "5000");
    expect(agent.code, `${explain(agent)}\n${ivr.lines.join("\n")}`).toBe(0);
    expect(caller.code, explain(caller)).toBe(0);
    expect(await logged((l) => /^notice arrived at 6000 from <sip:6000@127\.0\.0\.1:\d+>$/.test(l)), ivr.lines.join("\n")).toBe(true);
    expect(ivr.lines.some((l) => /refused REFER <sip:6000/.test(l)), ivr.lines.join("\n")).toBe(false);
  });

  it("an agent's REFER to a number another gateway may dial bridges the caller there (same guard and limits); the flow's TS allowed it", async () => {
    const second = await startSippUas("uas-answer-hangup");
    const agent = await startSippUas("uas-refer", ["-s", "2001", "-key", "ivr_port", String(second.port)]);
    ivr.server.setOutbound({
      gateways: [parseGatewaySpec(`agent=127.0.0.1:${agent.port};allow=2XXX`), parseGatewaySpec(`desk=127.0.0.1:${second.port};allow=2001`)],
      users: [],
    });
    const caller = await sipp(writeScenario(ivr.dir, "caller-5002", { steps: [], hangup: "ivr" }), ivr.port, "5002");
    const [a, s2] = [await agent.done, await second.done];
    expect(a.code, `${explain(a)}\n${ivr.lines.join("\n")}`).toBe(0);
    expect(s2.code, explain(s2)).toBe(0);
    expect(caller.code, explain(caller)).toBe(0);
    expect(ivr.lines.some((l) => new RegExp(`the caller is bridged to sofia/external/2001@127\\.0\\.0\\.1:${second.port}`).test(l)), ivr.lines.join("\n")).toBe(true);
  });

  it("without ivr_allow_refer the REFER is refused (403) and logged; the flow goes on when the agent hangs up", async () => {
    const { caller, agent } = await bridgeWithAgent("uas-refer-refused", "5001");
    expect(agent.code, `${explain(agent)}\n${ivr.lines.join("\n")}`).toBe(0);
    expect(caller.code, explain(caller)).toBe(0);
    expect(ivr.lines.some((l) => /^warning outbound call refused REFER <sip:6000@127\.0\.0\.1:\d+> from .*ivr_allow_refer/.test(l)), ivr.lines.join("\n")).toBe(true);
    expect(await logged((l) => l === "notice after bridge ready=true"), ivr.lines.join("\n")).toBe(true);
  });
});
