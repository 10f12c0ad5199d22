// A menu call over real SIP/RTP with digits sent three ways: RFC 2833 events (SIPp playing the
// shipped dtmf_2833_*.pcap files), SIP INFO (application/dtmf-relay), and in-band tones (SIPp
// playing a generated PCMA pcap with DTMF tones; the route has in-band detection on).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDtmfPcap } from "./support/audio";
import { examplePrompts, flowScript, script, startIvr, type IvrFixture } from "./support/ivr-fixture";
import { explain, hasSipp, sipp } from "./support/sipp";
import { writeScenario, type Step } from "./support/uac-scenario";

type Flow = Parameters<NonNullable<Parameters<typeof flowScript>[3]>>[0];

/** The examples' menus wait 5-7 s for input; the tests' callers are quick, so 1.5 s is plenty. */
function shortTimeouts(flow: Flow): void {
  for (const n of flow.nodes) {
    const p = n.params as Record<string, unknown>;
    if (typeof p.timeoutMs === "number") p.timeoutMs = 1500;
  }
}

let ivr: IvrFixture;
const dir = mkdtempSync(path.join(tmpdir(), "ivr-rt-flows-"));
beforeAll(async () => {
  ivr = await startIvr({
    rtpPorts: [44000, 44099],
    routes: {
      "1000": flowScript(dir, "main-menu", "ts", shortTimeouts),
      "1001": flowScript(dir, "main-menu", "ts", shortTimeouts),
      "1100": flowScript(dir, "pin-entry", "ts", shortTimeouts),
      "1101": flowScript(dir, "pin-entry", "ts", shortTimeouts),
      "1102": "menu.ts 1 5 1 2000 # ^[0-9]+$",
      "1103": "menu.ts 1 5 1 2000 # ^[0-9]+$",
      "^[234]\\d{3}$": script("wait-for-bye.ts"),
    },
    inbandDtmfRoutes: ["1100", "1103"],
    prompts: examplePrompts("main-menu", "pin-entry"),
  });
});
afterAll(async () => {
  await ivr?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const nodesOf = (methods: { node: string | null }[]) => [...new Set(methods.map((m) => m.node).filter(Boolean))];
/** The nodes in the order the call went through them (repeats kept when a node is re-entered). */
const pathOf = (methods: { node: string | null }[]) => methods.map((m) => m.node).filter((n, i, a) => n && n !== a[i - 1]);

describe.skipIf(!hasSipp).concurrent("menu digits over real SIP/RTP", () => {
  it("RFC 2833 (SIPp pcaps): main menu 1 then sales 2 reaches the existing-orders transfer", async () => {
    const steps: Step[] = [{ pause: 400 }, { rfc2833: "1" }, { pause: 700 }, { rfc2833: "2" }, { pause: 900 }];
    const file = writeScenario(ivr.dir, "rfc2833", { steps });
    const r = await sipp(file, ivr.port, "1000");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("1000");
    const menus = call.methods.filter((m) => m.method === "playAndGetDigits");
    expect(menus.map((m) => [m.node, m.result])).toEqual([["main_menu", "1"], ["sales_menu", "2"]]);
    expect(nodesOf(call.methods)).toEqual(expect.arrayContaining(["answer", "welcome", "main_menu", "sales_menu", "to_existing_orders"]));
    expect(call.results("transfer")).toEqual([1]);
    expect(call.end.cause).toBe("NORMAL_CLEARING");
  });

  it("SIP INFO (application/dtmf-relay): main menu 2 then support 1 reaches the technical transfer", async () => {
    const steps: Step[] = [{ pause: 300 }, { info: "2" }, { pause: 500 }, { info: "1" }, { pause: 600 }];
    const file = writeScenario(ivr.dir, "info", { steps });
    const r = await sipp(file, ivr.port, "1001");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("1001");
    const menus = call.methods.filter((m) => m.method === "playAndGetDigits");
    expect(menus.map((m) => [m.node, m.result])).toEqual([["main_menu", "2"], ["support_menu", "1"]]);
    expect(nodesOf(call.methods)).toContain("to_technical");
    expect(call.end.cause).toBe("NORMAL_CLEARING");
  });

  it("in-band tones (PCMA RTP from SIPp, --inband-dtmf route): the PIN flow gets 4321#", async () => {
    const pcap = path.join(ivr.dir, "pin.pcap");
    const ms = writeDtmfPcap(pcap, "4321#");
    const file = writeScenario(ivr.dir, "inband", { steps: [{ pcap }, { pause: ms + 400 }] });
    const r = await sipp(file, ivr.port, "1100");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("1100");
    // The PIN is sensitive: read's result is masked in the log. The path shows it was right:
    // one read, then check_pin took its "correct" branch (PIN == 4321) to accepted.
    expect(call.results("read")).toEqual(["***"]);
    expect(pathOf(call.methods)).toEqual(["start", "answer", "reset_attempts", "ask_pin", "check_pin", "accepted"]);
  });

  it.each([
    ["1103", "with in-band detection: the tones are the digits 4321 (# ends the menu)", "4321"],
    ["1102", "without in-band detection: the same tones are just audio (the menu times out)", ""],
  ])("same DTMF audio to route %s, %s", async (number, _what, expected) => {
    const pcap = path.join(ivr.dir, `tones-${number}.pcap`);
    const ms = writeDtmfPcap(pcap, "4321#");
    const file = writeScenario(ivr.dir, `tones-${number}`, { steps: [{ pcap }, { pause: ms + 1200 }] });
    const r = await sipp(file, ivr.port, number);
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo(number);
    const menu = call.methods.find((m) => m.method === "playAndGetDigits");
    expect(menu?.result).toBe(expected);
    // ended by '#' well before the 2 s timeout, or by the timeout (not by the caller's BYE)
    if (expected) expect(menu?.ms).toBeLessThan(ms + 500);
    else expect(menu?.ms).toBeGreaterThanOrEqual(2000);
    expect(call.results("sleep")).toEqual([0]);
  });

  it("a wrong PIN then the right one (RFC 2833): invalid entry, second attempt accepted", async () => {
    const digits = ["1", "1", "1", "1", "#", "4", "3", "2", "1", "#"];
    const steps: Step[] = [{ pause: 300 }];
    for (const d of digits) steps.push({ rfc2833: d }, { pause: 300 });
    steps.push({ pause: 300 });
    const file = writeScenario(ivr.dir, "wrong-right", { steps });
    const r = await sipp(file, ivr.port, "1101");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("1101");
    expect(pathOf(call.methods)).toEqual(["start", "answer", "reset_attempts", "ask_pin", "check_pin", "count_attempt", "too_many", "invalid_pin", "ask_pin", "check_pin", "accepted"]);
    expect(call.results("read")).toEqual(["***", "***"]);
  });
});
