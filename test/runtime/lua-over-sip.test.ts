// The Lua host over real SIP/RTP: a hand-written FreeSWITCH-style .lua script and an example
// flow generated as Lua (ivr serve --flow-lang lua), each called by SIPp pressing RFC 2833 digits.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { examplePrompts, flowScript, startIvr, type IvrFixture } from "./support/ivr-fixture";
import { explain, hasSipp, sipp } from "./support/sipp";
import { writeScenario, type Step } from "./support/uac-scenario";

const flows = mkdtempSync(path.join(tmpdir(), "ivr-rt-lua-"));
let ivr: IvrFixture;
beforeAll(async () => {
  ivr = await startIvr({
    rtpPorts: [44500, 44599],
    prompts: examplePrompts("main-menu"),
    routes: {
      "7000": "menu.lua",
      "7001": "menu.lua",
      "7100": flowScript(flows, "main-menu", "lua", (flow) => {
        for (const n of flow.nodes) if (n.kind === "menu") (n.params as { timeoutMs: number }).timeoutMs = 1500;
      }),
      "^[23]\\d{3}$": "wait-for-bye.ts",
    },
  });
});
afterAll(async () => {
  await ivr?.stop();
  rmSync(flows, { recursive: true, force: true });
});

const press = (digits: string): Step[] => [{ pause: 300 }, ...[...digits].flatMap((d): Step[] => [{ rfc2833: d }, { pause: 300 }])];

describe.skipIf(!hasSipp).concurrent("Lua scripts over SIP/RTP", () => {
  it("menu.lua: playAndGetDigits with \\d+ and # gets 42", async () => {
    const file = writeScenario(ivr.dir, "lua-42", { steps: [...press("42#"), { pause: 300 }] });
    const r = await sipp(file, ivr.port, "7000");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("7000");
    expect(call.results("playAndGetDigits")).toEqual(["42"]);
    const set = call.methods.find((m) => m.method === "setVariable" && (m.args as string[])[0] === "lua_digits");
    expect(set?.args).toEqual(["lua_digits", "42"]);
    expect(call.results("sleep").at(-1)).toBe(0); // waited for the caller, who hung up
    expect(call.end.cause).toBe("NORMAL_CLEARING");
  });

  it("menu.lua: no input on both tries returns '' and the script hangs up", async () => {
    const file = writeScenario(ivr.dir, "lua-none", { hangup: "ivr" });
    const r = await sipp(file, ivr.port, "7001");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("7001");
    expect(call.results("playAndGetDigits")).toEqual([""]);
    expect(call.methods.find((m) => m.method === "hangup")?.args).toEqual(["NORMAL_CLEARING"]);
  });

  it("main-menu flow generated as Lua: 2 then 2 reaches the billing transfer", async () => {
    const file = writeScenario(ivr.dir, "lua-flow", { steps: [{ pause: 300 }, { rfc2833: "2" }, { pause: 700 }, { rfc2833: "2" }, { pause: 700 }] });
    const r = await sipp(file, ivr.port, "7100");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("7100");
    const menus = call.methods.filter((m) => m.method === "playAndGetDigits");
    expect(menus.map((m) => [m.node, m.result])).toEqual([["main_menu", "2"], ["support_menu", "2"]]);
    expect(call.methods.some((m) => m.node === "to_billing" && m.method === "transfer")).toBe(true);
  });
});
