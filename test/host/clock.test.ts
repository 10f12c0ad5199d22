// The runtime's injectable clock (runtime/clock.ts): a pinned "now" that advances, a zone for
// strftime / os.date / os.time / Date, a setting that survives postMessage, and the example
// business-hours flow taking both of its branches in Lua and in TS on the real hosts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadFlow } from "../../flow";
import { generate } from "../../generators";
import { createClock, dateClassFor, pinClock, strftime, type ClockSetting } from "../../runtime/clock";
import { executeApi } from "../../runtime/host/fs-api";
import { LuaHost } from "../../runtime/host/lua-host";
import { TsHost, loadTsScript } from "../../runtime/host/ts-host";
import { makeSession } from "../session/fakes";

/** The instants the issue names: open and closed in New York, and the last seconds of a year. */
const MONDAY_10_NY = "2026-12-07T15:00:00Z";
const SUNDAY_2330_NY = "2026-12-07T04:30:00Z";
const NEW_YEARS_EVE = "2026-12-31T23:59:30Z";
const NY = "America/New_York";

const dir = mkdtempSync(path.join(tmpdir(), "ivr-clock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the clock", () => {
  it("starts at the pinned instant and advances with real time", async () => {
    const clock = createClock({ at: MONDAY_10_NY });
    const t0 = clock.now();
    expect(Math.abs(t0 - Date.parse(MONDAY_10_NY))).toBeLessThan(50);
    await new Promise((r) => setTimeout(r, 30));
    expect(clock.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it("is plain data across postMessage: two threads' clocks built from one setting agree", () => {
    const setting = pinClock({ at: SUNDAY_2330_NY, zone: NY });
    const copy = structuredClone(setting) as ClockSetting;
    expect(copy).toEqual(setting);
    const a = createClock(setting);
    const b = createClock(copy);
    expect(Math.abs(a.now() - b.now())).toBeLessThan(5);
    expect(b.zone).toBe(NY);
  });

  it("refuses an instant without a zone, a bad instant and an unknown zone", () => {
    expect(() => createClock({ at: "2026-12-07T10:00:00" })).toThrow(/zone or offset/);
    expect(() => createClock({ at: "2026-13-45T10:00:00Z" })).toThrow(/ISO 8601/);
    expect(() => createClock({ zone: "Mars/Olympus" })).toThrow(/IANA/);
  });

  it("strftime covers the C99 conversions in a zone", () => {
    const t = Date.parse(NEW_YEARS_EVE);
    expect(strftime("%Y-%m-%d %H:%M:%S %w %j %Z", t, "UTC")).toBe("2026-12-31 23:59:30 4 365 UTC");
    expect(strftime("%c|%x|%X|%r|%R|%D|%e|%C|%y", t, "UTC")).toBe("Thu Dec 31 23:59:30 2026|12/31/26|23:59:30|11:59:30 PM|23:59|12/31/26|31|20|26");
    expect(strftime("%G-W%V-%u %U %W %z", t, NY)).toBe("2026-W53-4 52 52 -0500");
    expect(strftime("%Y-%m-%d %H:%M %a %Z", Date.parse(SUNDAY_2330_NY), NY)).toBe("2026-12-06 23:30 Sun EST");
  });
});

describe("API commands read the clock", () => {
  it("strftime_tz in a named zone, strftime in the clock's zone", async () => {
    const clock = createClock({ at: NEW_YEARS_EVE, zone: NY });
    const ctx = { globals: new Map<string, string>(), httpAllowList: [], clock };
    expect(await executeApi("strftime_tz", "UTC %Y-%m-%d %T", undefined, ctx)).toBe("2026-12-31 23:59:30");
    expect(await executeApi("strftime_tz", `${NY} %Y-%m-%d %H:%M %w`, undefined, ctx)).toBe("2026-12-31 18:59 4");
    expect(await executeApi("strftime", "%H:%M %Z", undefined, ctx)).toBe("18:59 EST");
    expect(await executeApi("strftime_tz", "Nowhere/Else %H", undefined, ctx)).toBe("-ERR invalid time zone");
  });
});

function luaHost(setting: ClockSetting) {
  const t = makeSession();
  const globals = new Map<string, string>();
  const clock = createClock(setting);
  const host = new LuaHost({
    clock,
    warmStates: 0,
    globals,
    log: (level, msg) => t.logs.push([level, msg]),
    api: (cmd, args, s) => executeApi(cmd, args, s, { globals, httpAllowList: [], clock }),
  });
  const run = (code: string) => host.run({ name: "clock.lua", code }, t.session, []);
  const printed = () => t.logs.filter(([l]) => l === "info").map(([, m]) => m);
  return { ...t, host, run, printed };
}

describe("Lua: os.date, os.time and API:getTime on a pinned clock", () => {
  it("local time is the clock's zone; '!' is UTC; *t tables; os.time of a table", async () => {
    const t = luaHost({ at: MONDAY_10_NY, zone: NY });
    const end = await t.run(`
      local function say(s) freeswitch.consoleLog("info", tostring(s)) end
      say(os.date("%Y-%m-%d %H:%M %A"))
      say(os.date("!%H:%M"))
      local now = os.time()
      say(math.type(now) .. " " .. tostring(math.abs(now - 1796655600) < 5))
      local t = os.date("*t", 1796655600)
      say(t.year .. "-" .. t.month .. "-" .. t.day .. " " .. t.hour .. ":" .. t.min .. " wday=" .. t.wday .. " yday=" .. t.yday .. " dst=" .. tostring(t.isdst))
      say(os.time({ year = 2026, month = 12, day = 7, hour = 10 }))
      say(os.time({ year = 2026, month = 7, day = 1, hour = 0 }))
      local n = { year = 2026, month = 13, day = 1 }
      os.time(n)
      say(n.year .. "-" .. n.month .. "-" .. n.day .. " " .. n.hour)
      say(math.abs(tonumber(freeswitch.API():getTime()) - 1796655600000) < 5000)
      say(select(2, pcall(os.date, "%Q")))
      say(select(2, pcall(os.time, { year = 2026 })))
    `);
    expect(end).toEqual({ kind: "returned" });
    expect(t.printed()).toEqual([
      "2026-12-07 10:00 Monday",
      "15:00",
      "integer true",
      "2026-12-7 10:0 wday=2 yday=341 dst=false",
      "1796655600",
      "1782878400", // midnight of July 1st, EDT (UTC-4)
      "2027-1-1 12",
      "true",
      "bad argument #1 to 'date' (invalid conversion specifier '%Q')",
      "field 'month' missing in date table",
    ]);
    t.host.close();
  });

  it("the year ends at the clock's zone's midnight", async () => {
    const t = luaHost({ at: NEW_YEARS_EVE, zone: "UTC" });
    // The clock runs on from 23:59:30: a slow machine may be a few seconds past it, not a minute.
    await t.run(`freeswitch.consoleLog("info", os.date("%Y-%m-%d %H:%M")); freeswitch.consoleLog("info", os.date("%Y", os.time() + 60))`);
    expect(t.printed()).toEqual(["2026-12-31 23:59", "2027"]);
    t.host.close();
  });
});

describe("TS: Date on a pinned clock", () => {
  it("new Date(), Date.now() and Date() read the clock; local methods use its zone", () => {
    const D = dateClassFor(createClock({ at: MONDAY_10_NY, zone: NY }));
    const now = new D();
    expect(Math.abs(now.getTime() - Date.parse(MONDAY_10_NY))).toBeLessThan(50);
    expect(Math.abs(D.now() - Date.parse(MONDAY_10_NY))).toBeLessThan(50);
    expect([now.getFullYear(), now.getMonth(), now.getDate(), now.getDay(), now.getHours(), now.getTimezoneOffset()]).toEqual([2026, 11, 7, 1, 10, 300]);
    expect(now.getUTCHours()).toBe(15);
    expect(now.toString()).toMatch(/^Mon Dec 07 2026 10:00:\d\d GMT-0500 \(Eastern Standard Time\)$/);
    expect((D as unknown as () => string)()).toMatch(/^Mon Dec 07 2026 10:00/);
    expect(now.toLocaleTimeString("en-US", { hour: "numeric" })).toBe("10 AM");
    expect(new D(2026, 6, 1).toISOString()).toBe("2026-07-01T04:00:00.000Z");
    expect(new D("2026-12-07T10:00").toISOString()).toBe("2026-12-07T15:00:00.000Z");
    expect(new D("2026-12-07").toISOString()).toBe("2026-12-07T00:00:00.000Z");
    const d = new D(Date.parse(MONDAY_10_NY));
    d.setHours(23, 30);
    expect(d.toISOString()).toBe("2026-12-08T04:30:00.000Z");
    expect(new D(0) instanceof Date).toBe(true);
  });
});

/** The example business-hours flow, generated to both languages, prompts and TTS faked. */
describe("business hours on the real hosts: open Monday 10:00 New York, closed Sunday 23:30 New York", () => {
  const flow = loadFlow(JSON.parse(readFileSync(fileURLToPath(new URL("../../examples/business-hours.json", import.meta.url)), "utf8")));
  const lua = generate(flow, "lua").code;
  const tsFile = path.join(dir, "business-hours.ts");
  writeFileSync(tsFile, generate(flow, "ts").code);
  const OPEN = ["start", "answer", "welcome", "check_hours", "open_menu", "to_sales"];
  const CLOSED = ["start", "answer", "welcome", "check_hours", "closed_message", "goodbye", "hangup"];
  const cases = [
    { when: "Monday 10:00", at: MONDAY_10_NY, path: OPEN },
    { when: "Sunday 23:30", at: SUNDAY_2330_NY, path: CLOSED },
  ];
  const nodes = (trace: { method: string; args: unknown[] }[]) =>
    trace.filter((r) => r.method === "setVariable" && r.args[0] === "ivr_node").map((r) => r.args[1]);

  for (const c of cases) {
    it(`Lua, ${c.when}`, async () => {
      const t = luaHost({ at: c.at });
      t.press("1", 50);
      expect(await t.run(lua)).toEqual({ kind: "returned" });
      expect(nodes(t.trace)).toEqual(c.path);
      t.host.close();
    });

    it(`TS, ${c.when}`, async () => {
      // The clock setting crosses into the script's isolate, where Date is built on it.
      const host = new TsHost({ warmIsolates: 0, clock: createClock({ at: c.at }).setting, httpAllowList: () => [], log: () => undefined });
      const t = makeSession();
      t.press("1", 50);
      expect(await host.run(await loadTsScript(tsFile), t.session, [])).toEqual({ kind: "returned" });
      expect(nodes(t.trace)).toEqual(c.path);
    });
  }
});
