// The same hand-written script in Lua (plain lua5.x through the thin stand-in, and the
// runtime's Lua host) and in TS (the runtime's TS host), with the same caller, makes the same
// session calls on the runtime's FsSession: a difference is a plumbing bug in one host.
import { describe, expect, it } from "vitest";
import type { ScriptedCaller } from "../support/caller";
import { LUA_VERSIONS, runLua, runTs, sessionCalls, typeCheck } from "../support/run-flow";

const LUA = `
function on_hangup(s, status) s:consoleLog("info", "left " .. status .. "\\n") return "exit" end
function on_key(s, kind, obj) if obj.digit == "#" then return "break" end end
session:setHangupHook("on_hangup")
session:setVariable("ivr_node", "welcome")
session:answer()
session:setInputCallback("on_key")
local played = session:streamFile("welcome.wav")
session:unsetInputCallback()
session:setVariable("played", tostring(played == 1))
session:setVariable("ivr_node", "menu")
local choice = session:playAndGetDigits(1, 1, 3, 5000, "#", "menu.wav", "bad.wav", "^[1-3]$", "choice")
if choice == "1" then
  session:setVariable("ivr_node", "pin")
  local pin = session:read(4, 4, "pin.wav", 5000, "#")
  session:setVariable("pin_result", session:getVariable("read_result"))
  if pin == "1234" then
    session:setVariable("ivr_node", "bridge")
    session:execute("bridge", "user/1000")
    session:setVariable("ivr_node", "after_" .. (session:getVariable("originate_disposition") or "none"))
  end
elseif choice == "2" then
  session:setVariable("ivr_node", "transfer")
  session:transfer("2000", "XML", "default")
end
while session:ready() do
  session:setVariable("ivr_node", "wait")
  local more = session:getDigits(1, "", 3000)
  if more == "" then session:hangup("NORMAL_CLEARING") end
end
`;

const TS = `
import type { Session, DtmfInput } from "ivr-studio/runtime";
export default async function main(session: Session): Promise<void> {
  const onHangup = async (s: Session, status: string) => {
    await s.consoleLog("info", "left " + status + "\\n");
    return "exit";
  };
  const onKey = (_s: Session, _kind: string, obj: unknown) => ((obj as DtmfInput).digit === "#" ? "break" : undefined);
  await session.setHangupHook(onHangup);
  await session.setVariable("ivr_node", "welcome");
  await session.answer();
  await session.setInputCallback(onKey);
  const played = await session.streamFile("welcome.wav");
  await session.unsetInputCallback();
  await session.setVariable("played", String(played === 1));
  await session.setVariable("ivr_node", "menu");
  const choice = await session.playAndGetDigits(1, 1, 3, 5000, "#", "menu.wav", "bad.wav", "^[1-3]$", "choice");
  if (choice === "1") {
    await session.setVariable("ivr_node", "pin");
    const pin = await session.read(4, 4, "pin.wav", 5000, "#");
    await session.setVariable("pin_result", await session.getVariable("read_result"));
    if (pin === "1234") {
      await session.setVariable("ivr_node", "bridge");
      await session.execute("bridge", "user/1000");
      await session.setVariable("ivr_node", "after_" + ((await session.getVariable("originate_disposition")) ?? "none"));
    }
  } else if (choice === "2") {
    await session.setVariable("ivr_node", "transfer");
    await session.transfer("2000", "XML", "default");
  }
  while (await session.ready()) {
    await session.setVariable("ivr_node", "wait");
    const more = await session.getDigits(1, "", 3000);
    if (more === "") await session.hangup("NORMAL_CLEARING");
  }
}
`;

const CALLERS: Array<{ name: string; caller: ScriptedCaller; path: string[]; exit?: string }> = [
  {
    name: "# stops the welcome, 1, right PIN, operator answers, then silence",
    caller: { actions: [{ dtmf: "#" }, { dtmf: "1" }, { dtmf: "1234" }, { bridge: "answered" }, { noinput: true }] },
    path: ["welcome", "menu", "pin", "bridge", "after_SUCCESS", "wait"],
    exit: "exit",
  },
  {
    name: "two invalid choices, then 2: transfer (the hook hears transfer and exits)",
    caller: { actions: [{ dtmf: "7" }, { noinput: true }, { dtmf: "2" }] },
    path: ["welcome", "menu", "transfer"],
    exit: "exit",
  },
  {
    name: "short PIN, then the caller types one more digit and hangs up",
    caller: { actions: [{ noinput: true }, { dtmf: "1" }, { dtmf: "12#" }, { dtmf: "5" }, { hangup: true }] },
    path: ["welcome", "menu", "pin", "wait", "wait"],
    exit: "exit",
  },
  {
    name: "hangs up during the welcome",
    caller: { actions: [{ hangup: true }] },
    path: ["welcome"],
    exit: "exit",
  },
];

describe("the same script in Lua and in TS makes the same calls", () => {
  it.each(CALLERS)("$name", async ({ caller, path, exit }) => {
    const ts = await runTs(TS, caller);
    expect(ts.harnessError).toBeUndefined();
    expect(ts.path).toEqual(path);
    expect(ts.exitedBy).toBe(exit);
    expect(ts.unusedActions).toEqual([]);
    for (const lua of LUA_VERSIONS) {
      const l = await runLua(LUA, caller, { lua });
      expect(l.harnessError, lua).toBeUndefined();
      expect(l.path, lua).toEqual(path);
      expect(l.exitedBy, lua).toBe(exit);
      expect(sessionCalls(l.trace), lua).toEqual(sessionCalls(ts.trace));
      expect(l.vars, lua).toEqual(ts.vars);
    }
  });
});

describe("TS on the runtime host", () => {
  it("fetch goes through the guarded fetch to the scripted caller; Date is the runtime clock", async () => {
    const r = await runTs(
      `import type { Session } from "ivr-studio/runtime";
       export default async function main(session: Session): Promise<void> {
         const res = await fetch("https://crm.example.com/x", { method: "POST", body: "a=1" });
         await session.setVariable("got", res.status + " " + (await res.text()));
         await session.setVariable("year", String(new Date().getUTCFullYear()));
         try { await fetch("https://crm.example.com/y"); } catch (e) { await session.setVariable("err", String(e)); }
       }`,
      { actions: [], now: "2031-05-06T07:08:09Z", http: [{ status: 201, body: "made" }, { status: 0 }] },
    );
    expect(r.error).toBeUndefined();
    expect(r.vars.got).toBe("201 made");
    expect(r.vars.year).toBe("2031");
    expect(r.vars.err).toBe("TypeError: fetch failed");
    expect(r.events.filter((e) => e.type === "http")).toEqual([
      { type: "http", request: { url: "https://crm.example.com/x", method: "POST", headers: {}, body: "a=1" }, status: 201 },
      { type: "http", request: { url: "https://crm.example.com/y", method: "GET", headers: {} }, status: 0 },
    ]);
  });

  it("fetch to a host off the allow-list is refused before it leaves", async () => {
    const r = await runTs(
      `import type { Session } from "ivr-studio/runtime";
       export default async function main(session: Session): Promise<void> {
         try { await fetch("https://evil.test/"); } catch (e) { await session.setVariable("err", String(e)); }
       }`,
      { actions: [] },
    );
    expect(r.vars.err).toBe("TypeError: host evil.test is not on the HTTP allow-list");
    expect(r.events.filter((e) => e.type === "http")).toEqual([]);
  });

  it("reports an HTTP request nobody scripted as a harness error", async () => {
    const r = await runTs(`export default async function main() { await fetch("https://x.example.com/"); }`, { actions: [] });
    expect(r.harnessError).toMatch(/no reply is scripted/);
  });
});

describe("type-check helper", () => {
  it("type-checks with the repo tsconfig (ivr-studio/runtime resolves) and reports real errors", () => {
    const head = `import type { Session } from "ivr-studio/runtime";\n`;
    const { errors } = typeCheck({
      good: `${head}export default async function main(s: Session): Promise<void> { await s.streamFile("a.wav"); }`,
      bad: `${head}export default async function main(s: Session): Promise<void> {
  await s.read(1, 4, "p.wav", "pin", 5000, "#");
  await (s as Session).executeString("uptime");
}`,
    });
    expect(errors.good).toEqual([]);
    expect(errors.bad).toHaveLength(2);
    expect(errors.bad[0]).toMatch(/^3:\d+ Argument of type 'string' is not assignable to parameter of type 'number'/);
    expect(errors.bad[1]).toMatch(/^4:\d+ Property 'executeString' does not exist on type 'Session'/);
  });
});
