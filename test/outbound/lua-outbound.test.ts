// mod_lua's outbound surface on the runtime's Lua host, with the scripted far end:
// freeswitch.Session(dial[, a_leg]), blank:originate(), freeswitch.bridge(), hangupCause().
import { describe, expect, it } from "vitest";
import { executeApi } from "../../runtime/host/fs-api";
import { HOST_SESSION_METHODS } from "../../runtime/host/lua-binding";
import { LuaHost } from "../../runtime/host/lua-host";
import { SESSION_METHODS } from "../../generators/lua/binding";
import { makeEngine, type EngineSetup } from "./support";

function setup(engine: EngineSetup = {}, vars: Record<string, string> = {}) {
  const t = makeEngine(engine);
  const a = t.caller(vars);
  const host = new LuaHost({
    cpuBudgetMs: 1000,
    warmStates: 0,
    globals: t.globals,
    log: (level, msg) => t.logs.push([level, msg]),
    api: (cmd, args, s) => executeApi(cmd, args, s, { globals: t.globals, httpAllowList: [] }),
  });
  /** Run a script for the caller, then release its legs as the call does at the script's end. */
  const run = async (code: string) => {
    const end = await host.run({ name: "retry.lua", code }, a.session, []);
    const kept = a.session.releaseOwnedLegs();
    return { end, kept };
  };
  const said = () => t.logs.filter(([l]) => l === "notice").map(([, m]) => m);
  return { ...t, a, run, said };
}

describe("freeswitch.Session(dial) in Lua", () => {
  it("the retry loop on hangupCause() runs unchanged: retries a 503, stops at the answer", async () => {
    const t = setup({
      scripts: {
        "15552345678": [
          [{ at: 10, end: "NORMAL_TEMPORARY_FAILURE", status: 503 }],
          [{ at: 10, end: "NORMAL_TEMPORARY_FAILURE", status: 503 }],
          [{ at: 10, ring: true }, { at: 30, answer: true }],
        ],
      },
    });
    const { end } = await t.run(`
      local originate_str = "{ignore_early_media=true,originate_timeout=20}sofia/gateway/carrier/15552345678"
      local max_retries = 5
      local retries = 0
      local new_session = null
      repeat
        retries = retries + 1
        new_session = freeswitch.Session(originate_str)
        local hcause = new_session:hangupCause()
        freeswitch.consoleLog("notice", "try " .. retries .. ": " .. hcause .. "\\n")
      until not ((hcause == "NO_ROUTE_DESTINATION" or hcause == "RECOVERY_ON_TIMER_EXPIRE" or hcause == "INCOMPATIBLE_DESTINATION" or hcause == "CALL_REJECTED" or hcause == "NORMAL_TEMPORARY_FAILURE") and (retries < max_retries))
      if new_session:ready() then
        freeswitch.consoleLog("notice", "connected " .. new_session:getState() .. " " .. tostring(new_session:answered()) .. "\\n")
      end
    `);
    expect(end).toEqual({ kind: "returned" });
    expect(t.said()).toEqual(["try 1: NORMAL_TEMPORARY_FAILURE\n", "try 2: NORMAL_TEMPORARY_FAILURE\n", "try 3: SUCCESS\n", "connected CS_SOFT_EXECUTE true\n"]);
    // The script let go of the leg: it hangs up (S_HUP), as the object's destructor does.
    const third = t.dialer.dialed[2];
    expect(third.hangups).toEqual(["NORMAL_CLEARING"]);
    // No A leg: FreeSWITCH's default caller-ID (SWITCH_DEFAULT_CLID_NUMBER).
    expect(third.request.callerIdNumber).toBe("0000000000");
  });

  it("a refused or unreachable destination leaves a dead object: ready() false, the cause, defaults for the rest", async () => {
    const t = setup();
    await t.run(`
      local leg = freeswitch.Session("sofia/gateway/carrier/0900123")
      freeswitch.consoleLog("notice", tostring(leg:ready()) .. " " .. leg:hangupCause() .. " " .. leg:getState() .. " " .. leg:get_uuid() .. "\\n")
      freeswitch.consoleLog("notice", tostring(leg:answer()) .. " " .. tostring(leg:getVariable("x")) .. "\\n")
      local other = freeswitch.Session("user/2000", session)
      freeswitch.consoleLog("notice", other:hangupCause() .. "\\n")
    `);
    expect(t.said()).toEqual(["false OUTGOING_CALL_BARRED ERROR uninitialized\n", "-1.0 nil\n", "SUBSCRIBER_ABSENT\n"]);
    expect(t.logs.some(([l, m]) => l === "err" && m.includes("session is not initalized"))).toBe(true);
    expect(t.logs.some(([l, m]) => l === "warning" && m.includes("outbound call refused sofia/gateway/carrier/0900123") && m.includes("script menu.lua"))).toBe(true);
  });

  it("freeswitch.Session(dial, session) then freeswitch.bridge(session, leg): the script continues after the far end hangs up", async () => {
    const t = setup({ scripts: { "1000": [{ at: 10, ring: true }, { at: 40, answer: true }, { at: 120, end: "NORMAL_CLEARING" }] } });
    await t.run(`
      local leg = freeswitch.Session("user/1000", session)
      freeswitch.consoleLog("notice", "leg " .. tostring(leg:ready()) .. " " .. tostring(leg:bridged()) .. "\\n")
      freeswitch.bridge(session, leg)
      freeswitch.consoleLog("notice", "after " .. tostring(session:ready()) .. " " .. tostring(leg:ready()) .. " " .. tostring(session:getVariable("last_bridge_hangup_cause")) .. "\\n")
    `);
    expect(t.said()).toEqual(["leg true false\n", "after true false NORMAL_CLEARING\n"]);
  });

  it("blank:originate(a_leg, dest, timeout) returns 0 on success, 1 on failure; setAutoHangup(false) keeps the leg", async () => {
    const t = setup({ scripts: { "1000": [{ at: 10, answer: true }], "1001": [{ at: 10, end: "USER_BUSY", status: 486 }] } });
    const { kept } = await t.run(`
      local b = freeswitch.Session()
      freeswitch.consoleLog("notice", "blank " .. tostring(b:ready()) .. " " .. b:hangupCause() .. "\\n")
      freeswitch.consoleLog("notice", "empty " .. tostring(b:originate(session, "", 5)) .. "\\n")
      freeswitch.consoleLog("notice", "busy " .. tostring(b:originate(session, "user/1001", 5)) .. " " .. b:hangupCause() .. "\\n")
      freeswitch.consoleLog("notice", "ok " .. tostring(b:originate(session, "user/1000", 5)) .. " " .. tostring(b:ready()) .. "\\n")
      local c = freeswitch.Session("user/1000")
      freeswitch.consoleLog("notice", "keep " .. tostring(c:setAutoHangup(false)) .. "\\n")
    `);
    expect(t.said()).toEqual(["blank false NONE\n", "empty 0.0\n", "busy 1.0 USER_BUSY\n", "ok 0.0 true\n", "keep 0.0\n"]);
    expect(t.logs.some(([l, m]) => l === "err" && m.includes("Missing destination."))).toBe(true);
    // Neither the :originate leg (no S_HUP) nor the one with setAutoHangup(false) went down with the script.
    expect(t.dialer.byDestination("1000").map((d) => d.hangups)).toEqual([[], []]);
    expect(kept).toHaveLength(2);
    for (const leg of kept) leg.doHangup("NORMAL_CLEARING");
  });

  it("methods that return nothing in FreeSWITCH return no values at all", async () => {
    const t = setup();
    await t.run(`
      local n = {
        select("#", session:setVariable("a", "1")),
        select("#", session:consoleLog("info", "x")),
        select("#", session:execute("set", "b=2")),
        select("#", session:getVariable("nope")),
        select("#", session:answered()),
        select("#", freeswitch.consoleLog("info", "y")),
        select("#", session:hangup()),
      }
      freeswitch.consoleLog("notice", table.concat(n, ",") .. "\\n")
    `);
    expect(t.said()).toEqual(["0,0,0,1,1,0,0\n"]);
  });

  it("the hangup hook sees no hangup_cause (FreeSWITCH sets it after the script)", async () => {
    const t = setup();
    const p = t.run(`
      function hook(s, status)
        freeswitch.consoleLog("notice", "hook " .. status .. " cause " .. tostring(s:getVariable("hangup_cause")) .. "\\n")
      end
      session:setHangupHook("hook")
      while session:ready() do session:sleep(20) end
    `);
    setTimeout(() => t.a.channel.markHangup("NORMAL_CLEARING"), 50);
    await p;
    expect(t.said()).toEqual(["hook hangup cause nil\n"]);
  });
});

describe("the binding's table", () => {
  it("return kinds agree with the generator's binding", () => {
    for (const [name, sig] of Object.entries(SESSION_METHODS)) expect(HOST_SESSION_METHODS[name]?.returns, name).toBe(sig.returns);
  });
});
