import { describe, expect, it } from "vitest";
import { createClock } from "../../runtime/clock";
import { executeApi } from "../../runtime/host/fs-api";
import { HOST_SESSION_METHODS } from "../../runtime/host/lua-binding";
import { LuaHost } from "../../runtime/host/lua-host";
import { SESSION_METHODS } from "../../generators/lua/binding";
import { makeSession } from "../session/fakes";

function setup(vars: Record<string, string> = {}, budget = 500) {
  const t = makeSession(vars);
  const globals = new Map<string, string>([["sounds_dir", "/usr/share/freeswitch/sounds"]]);
  const events: string[] = [];
  const clock = createClock({ at: "2026-12-25T15:30:00Z", zone: "UTC" });
  const host = new LuaHost({
    clock,
    cpuBudgetMs: budget,
    globals,
    log: (level, msg) => t.logs.push([level, msg]),
    api: (cmd, args, s) => executeApi(cmd, args, s, { globals, httpAllowList: [], clock }),
    onEvent: (j) => events.push(j),
  });
  const run = (code: string, argv: string[] = []) => host.run({ name: "test.lua", code }, t.session, argv);
  return { ...t, host, run, events, globals };
}

const printed = (logs: Array<[string, string]>) => logs.filter(([l]) => l === "info").map(([, m]) => m);

describe("Lua host: mod_lua globals and return types", () => {
  it("status results are floats, booleans are booleans, unset variables are nil", async () => {
    const t = setup();
    const end = await t.run(`
      local r = session:answer()
      freeswitch.consoleLog("info", tostring(r) .. " " .. math.type(r))
      freeswitch.consoleLog("info", tostring(session:ready()) .. " " .. type(session:ready()))
      freeswitch.consoleLog("info", tostring(session:getVariable("nope")))
      freeswitch.consoleLog("info", session:getVariable("destination_number"))
      freeswitch.consoleLog("info", session:getState())
      freeswitch.consoleLog("info", argv[0] .. "|" .. tostring(argv[1]) .. "|" .. tostring(argv[2]))
    `, ["a", "two words"]);
    expect(end).toEqual({ kind: "returned" });
    expect(printed(t.logs)).toEqual(["1.0 float", "true boolean", "nil", "1000", "CS_EXECUTE", "test.lua|a|two words"]);
  });

  it("checks arity and types like SWIG (the read() argument-order mistake fails)", async () => {
    const t = setup();
    const end = await t.run(`session:read(1, 4, "prompt.wav", "my_var", 5000, "#")`);
    expect(end.kind).toBe("error");
    expect((end as { message: string }).message).toMatch(/Error in CoreSession::read \(arg 5\), expected 'int' got 'string'/);
    const t2 = setup();
    const e2 = await t2.run(`session:streamFile()`);
    expect((e2 as { message: string }).message).toMatch(/CoreSession::streamFile expected 2\.\.3 args, got 1/);
    const t3 = setup();
    const e3 = await t3.run(`session:executeString("x")`);
    expect((e3 as { message: string }).message).toMatch(/attempt to call a nil value \(method 'executeString'\)/);
  });

  it("playAndGetDigits with \\\\d+ and #, the session blocking the script", async () => {
    const t = setup();
    t.press("123#", 30);
    await t.run(`
      local d = session:playAndGetDigits(2, 5, 3, 3000, "#", "silence_stream://500", "invalid.wav", "\\\\d+")
      freeswitch.consoleLog("info", "got " .. d)
    `);
    expect(printed(t.logs)).toEqual(["got 123"]);
  });

  it("the [134] menu with digits_received and a transfer on failure", async () => {
    const t = setup();
    await t.run(`
      local d = session:playAndGetDigits(1, 1, 2, 50, "", "p@10ms.wav", "e@10ms.wav", "[134]", "digits_received", 50, "operator XML default")
      freeswitch.consoleLog("info", "[" .. d .. "] " .. tostring(session:ready()))
    `);
    expect(printed(t.logs)).toEqual(["[] false"]);
    expect(t.control.transfers).toEqual([["operator", "XML", "default"]]);
  });

  it("recordFile with an input callback that breaks on DTMF returns 0.0", async () => {
    const t = setup();
    t.media.recordEnd = { ms: 5000, reason: "limit" };
    t.press("1", 60);
    await t.run(`
      function onInput(s, type, obj, arg)
        freeswitch.consoleLog("info", type .. ":" .. obj.digit .. ":" .. tostring(arg))
        return "break"
      end
      blah = "the arg"
      session:setInputCallback("onInput", "blah")
      local r = session:recordFile("/tmp/x.wav", 30, 30, 5)
      freeswitch.consoleLog("info", "result " .. r)
    `);
    expect(printed(t.logs)).toEqual(["dtmf:1:the arg", "result 0.0"]);
  });

  it("setHangupHook with an exit return ends the script", async () => {
    const t = setup();
    t.hangupAfter(80);
    const end = await t.run(`
      function myHangupHook(s, status, arg)
        freeswitch.consoleLog("info", "hook " .. status .. " " .. tostring(arg))
        return "exit"
      end
      blah = "x"
      session:setHangupHook("myHangupHook", "blah")
      while session:ready() do session:sleep(20) end
      freeswitch.consoleLog("info", "not reached")
    `);
    expect(end).toEqual({ kind: "exit", how: "exit" });
    expect(printed(t.logs)).toEqual(["hook hangup x"]);
  });

  it("a runaway loop is stopped after the CPU budget; pcall cannot swallow it", async () => {
    const t = setup({}, 150);
    const t0 = Date.now();
    const end = await t.run(`while true do pcall(function() while true do end end) end`);
    expect(end).toEqual({ kind: "killed", reason: "CPU budget of 150 ms exceeded" });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it("a busy script yields the main thread every few ms while it runs (other calls go on)", async () => {
    const t = setup({}, 600);
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    const end = await t.run(`local x = 0 while true do x = x + 1 end`);
    maxGap = Math.max(maxGap, performance.now() - last);
    clearInterval(timer);
    expect(end).toEqual({ kind: "killed", reason: "CPU budget of 600 ms exceeded" });
    // Without slicing the loop would hold the thread for the whole 600 ms budget.
    expect(maxGap).toBeLessThan(300);
  });

  it("a syntax error is reported with the line", async () => {
    const t = setup();
    const end = await t.run(`local x = \n session:answer(`);
    expect(end.kind).toBe("error");
    expect((end as { message: string }).message).toMatch(/test\.lua:2:/);
  });

  it("os.exit is neutralised, Event and JSON work, API answers -ERR for unknown commands", async () => {
    const t = setup();
    await t.run(`
      os.exit(1)
      local e = freeswitch.Event("CUSTOM", "ivr::test")
      e:addHeader("k", "v")
      e:fire()
      local j = freeswitch.JSON()
      local t = j:decode('{"a":{"b":[1,"two",true]}}')
      freeswitch.consoleLog("info", t.a.b[2] .. " " .. j:encode({x = 1}))
      local api = freeswitch.API()
      freeswitch.consoleLog("info", api:execute("regex", "m:~1234~^\\\\d{4}$"))
      freeswitch.consoleLog("info", api:executeString("strftime_tz America/New_York %Y-%m-%d %H:%M %w"))
      freeswitch.consoleLog("info", api:execute("nope", ""))
      freeswitch.consoleLog("info", tostring(freeswitch.getGlobalVariable("sounds_dir")))
      local leg = freeswitch.Session("sofia/gateway/gw/123")
      freeswitch.consoleLog("info", tostring(leg:ready()) .. " " .. leg:hangupCause())
    `);
    expect(t.logs.some(([, m]) => /Surely you jest/.test(m))).toBe(true);
    expect(JSON.parse(t.events[0])).toMatchObject({ "Event-Name": "CUSTOM", "Event-Subclass": "ivr::test", k: "v" });
    expect(printed(t.logs)).toEqual([
      'two {"x":1}',
      "true",
      "2026-12-25 10:30 5",
      "-ERR nope Command not found!\n",
      "/usr/share/freeswitch/sounds",
      "false NO_ROUTE_DESTINATION",
    ]);
  });

  it("each call gets a fresh Lua state", async () => {
    const t = setup();
    await t.run(`leak = "x"`);
    await t.run(`freeswitch.consoleLog("info", tostring(leak))`);
    expect(printed(t.logs)).toEqual(["nil"]);
  });

  it("the generator's allowed surface is a subset of what the host implements, with the same arities", () => {
    for (const [name, sig] of Object.entries(SESSION_METHODS)) {
      const host = HOST_SESSION_METHODS[name];
      expect(host, name).toBeDefined();
      expect(host.types.length, name).toBe(sig.args.length);
      expect(host.min, name).toBe(sig.args.filter((a) => !a.optional).length);
    }
  });
});
