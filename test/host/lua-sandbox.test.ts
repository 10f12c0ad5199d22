// The Lua host's sandbox (runtime/host/lua/prelude.lua): no bytecode, no shell, no shared
// in-memory file system between calls, and nothing that can switch the CPU budget off. Each case
// is something a script could do on 1df1693 to hurt the runtime or reach past its own call.
import { describe, expect, it } from "vitest";
import { createClock } from "../../runtime/clock";
import { executeApi } from "../../runtime/host/fs-api";
import { LuaHost } from "../../runtime/host/lua-host";
import { makeSession } from "../session/fakes";

function setup(budget = 400) {
  const t = makeSession();
  const globals = new Map<string, string>();
  const clock = createClock({ at: "2026-12-25T15:30:00Z", zone: "UTC" });
  const host = new LuaHost({
    clock,
    cpuBudgetMs: budget,
    warmStates: 0,
    globals,
    log: (level, msg) => t.logs.push([level, msg]),
    api: (cmd, args, s) => executeApi(cmd, args, s, { globals, httpAllowList: [], clock }),
  });
  const run = (code: string) => host.run({ name: "test.lua", code }, t.session, []);
  const said = () => t.logs.filter(([l]) => l === "info").map(([, m]) => m);
  return { ...t, host, run, said };
}

describe("Lua sandbox", () => {
  it("refuses bytecode: string.dump is gone and load() takes text only, whatever the mode", async () => {
    const t = setup();
    const end = await t.run(`
      local f = function() return 42 end
      local ok, err = pcall(string.dump, f)
      freeswitch.consoleLog("info", "dump: " .. tostring(ok) .. " " .. tostring(err))
      -- A bytecode chunk made by hand (the header of any Lua 5.4 dump) is refused as well.
      local chunk, lerr = load("\\27Lua\\84\\0\\25\\147\\13\\10\\26\\10", nil, "b")
      freeswitch.consoleLog("info", "load b: " .. tostring(chunk) .. " " .. tostring(lerr))
      local chunk2, lerr2 = load("\\27Lua\\84\\0", nil, "bt")
      freeswitch.consoleLog("info", "load bt: " .. tostring(chunk2) .. " " .. tostring(lerr2))
      freeswitch.consoleLog("info", "text: " .. tostring(load("return 7", nil, "t")()) .. " " .. tostring(load("return 8")()))
      local ok3, err3 = pcall(("x").dump, f)
      freeswitch.consoleLog("info", "method: " .. tostring(ok3))
    `);
    expect(end).toEqual({ kind: "returned" });
    const said = t.said();
    expect(said[0]).toMatch(/^dump: false .*string\.dump is not available/);
    expect(said[1]).toMatch(/^load b: nil .*binary chunk/);
    expect(said[2]).toMatch(/^load bt: nil .*binary chunk/);
    expect(said[3]).toBe("text: 7 8");
    expect(said[4]).toBe("method: false");
  });

  it("os.execute inside pcall is an ordinary Lua error: the script goes on", async () => {
    const t = setup();
    const end = await t.run(`
      local ok, err = pcall(os.execute, "id")
      freeswitch.consoleLog("info", tostring(ok) .. " " .. tostring(err))
      freeswitch.consoleLog("info", "shell: " .. tostring(os.execute()))
      local ok2 = pcall(function() return io.popen("id") end)
      freeswitch.consoleLog("info", "popen: " .. tostring(ok2))
      freeswitch.consoleLog("info", "still running")
    `);
    expect(end).toEqual({ kind: "returned" });
    expect(t.said()[0]).toMatch(/^false .*os\.execute is not available/);
    expect(t.said().slice(1)).toEqual(["shell: false", "popen: false", "still running"]);
  });

  it("os.execute without pcall ends the script with a Lua error, not a host failure", async () => {
    const t = setup();
    const end = await t.run(`os.execute("touch /tmp/pwned")`);
    expect(end).toMatchObject({ kind: "error", message: expect.stringMatching(/os\.execute is not available/) });
  });

  it("files do not exist for scripts: no call can leave data for another, or fill memory with it", async () => {
    const a = setup();
    await a.run(`
      local f, err = io.open("/tmp/shared.txt", "w")
      freeswitch.consoleLog("info", tostring(f) .. " " .. tostring(err))
      freeswitch.consoleLog("info", tostring(pcall(io.lines, "/etc/passwd")))
      freeswitch.consoleLog("info", tostring(io.tmpfile()) .. " " .. tostring(os.tmpname and pcall(os.tmpname)))
      freeswitch.consoleLog("info", tostring(loadfile("/etc/passwd")) .. " " .. tostring(pcall(dofile, "/etc/passwd")))
    `);
    expect(a.said()[0]).toMatch(/^nil \/tmp\/shared\.txt: files are not available to scripts/);
    expect(a.said().slice(1)).toEqual(["false", "nil false", "nil false"]);
  });

  it("debug.sethook cannot switch the CPU budget off", async () => {
    const t = setup(300);
    const t0 = Date.now();
    const end = await t.run(`pcall(debug.sethook) while true do end`);
    expect(end).toMatchObject({ kind: "killed", reason: "CPU budget of 300 ms exceeded" });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
