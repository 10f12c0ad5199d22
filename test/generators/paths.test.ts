// The kitchen-sink flow, run for real: Lua with lua5.3 through the recording session stub,
// TypeScript in-process. Both languages must take the same paths and make the same calls.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN, buildFlow, kitchenSink } from "./support/flows";
import { runFlow, type Runner } from "./support/run";
import { luaAvailable } from "./support/run-lua";

const RUNNERS: Runner[] = [...(luaAvailable("lua5.3") ? (["lua5.3"] as const) : []), "ts"];

// Monday 2026-11-23 10:00 in New York (15:00 UTC): open.
const MONDAY_OPEN = new Date("2026-11-23T15:00:00Z");
const SUNDAY = new Date("2026-11-22T15:00:00Z");
const CHRISTMAS = new Date("2026-12-25T15:00:00Z");

function atTime(runner: Runner, when: Date) {
  // TS uses the clock itself; Lua asks strftime_tz, which the fake answers from `now`.
  if (runner === "ts") {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(when);
  }
  return when;
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each(RUNNERS)("kitchen sink on %s", (runner) => {
  it("barge-in key 1, open hours, pattern choice, HTTP lookup, custom code, hangup", async () => {
    const now = atTime(runner, MONDAY_OPEN);
    const r = await runFlow(
      kitchenSink(),
      runner,
      {
        now,
        vars: { caller_id_number: "555", crm_token: "tok", caller_id_name: "Ann", balance: "12" },
        pressKeys: ["1"],
        digits: ["4"],
        http: () => ({ status: 200, body: JSON.stringify({ customer: { tier: "gold" }, items: [{ id: 7 }, { id: 8 }] }) }),
      },
      ADMIN,
    );
    expect(r.error).toBeUndefined();
    expect(r.fake.violations).toEqual([]);
    expect(r.trail).toEqual([
      "start", "early", "answer", "flush", "welcome", "say_balance", "hours", "main_menu", "lookup", "log_tier",
      "custom", "mark_done", "clear_pin", "bye",
    ]);
    const v = r.fake.vars;
    expect(v.get("welcome_key")).toBe("1");
    expect(v.get("menu_choice")).toBe("4");
    expect(v.get("crm_status")).toBe("200");
    expect(v.get("tier")).toBe("gold");
    expect(v.get("first_item")).toBe("7");
    expect(v.get("custom_ran")).toBe(runner === "ts" ? "ts 0" : "lua 0");
    expect(v.get("ivr_result")).toBe("done by 555");
    expect(v.has("pin")).toBe(false);
    expect(v.get("greeting_played")).toBe("no");
    expect(v.get("default_language")).toBe("en");
    expect(r.fake.argsOf("say")).toEqual([["12", "en", "CURRENCY", "PRONOUNCED"]]);
    expect(r.fake.argsOf("hangup")).toEqual([["NORMAL_CLEARING"]]);
    expect(r.fake.argsOf("set_tts_params")[0]).toEqual(["flite", "slt"]);
    expect(r.fake.logs.map((l) => l.message)).toContain("tier=gold first=7\n");
    expect(r.fake.curl).toHaveLength(1);
    const req = r.fake.curl[0];
    expect(req.url).toBe("https://crm.example.com/api/callers/555");
    expect(req.method).toBe("post");
    expect(req.headers).toEqual(["Authorization: Bearer tok"]);
    expect(req.body).toBe('{"digits":"4"}');
    expect(req.contentType).toBe("application/json");
    const pagd = r.fake.argsOf("playAndGetDigits")[0];
    expect(pagd).toEqual([1, 1, 3, 4000, "#", "ivr/main_menu.wav", "ivr/invalid.wav", "^(?:1|2|(?:[3-5])|9)$", "menu_choice", 2000, undefined]);
  });

  it("closed on Sunday, holiday on 12-25", async () => {
    const closed = await runFlow(kitchenSink(), runner, { now: atTime(runner, SUNDAY) }, ADMIN);
    expect(closed.trail.slice(-3)).toEqual(["hours", "closed_msg", "bye_closed"]);
    const holiday = await runFlow(kitchenSink(), runner, { now: atTime(runner, CHRISTMAS), vars: { caller_id_number: "42" } }, ADMIN);
    expect(holiday.trail.slice(-3)).toEqual(["hours", "log_holiday", "bye_closed"]);
    expect(holiday.fake.logs).toContainEqual({ level: "notice", message: "holiday call from 42\n" });
  });

  it("PIN accepted, attempts counted, third attempt goes to the operator", async () => {
    const r = await runFlow(kitchenSink(), runner, { now: atTime(runner, MONDAY_OPEN), digits: ["1", "1234"], vars: { attempts: "2" } }, ADMIN);
    expect(r.error).toBeUndefined();
    expect(r.trail.slice(-5)).toEqual(["main_menu", "read_pin", "count_attempts", "check", "to_operator"]);
    expect(r.fake.vars.get("attempts")).toBe("3");
    expect(r.fake.vars.get("pin")).toBe("1234");
    expect(r.fake.argsOf("transfer")).toEqual([["operator", "XML", "default"]]);
    // The PIN was collected with sensitive_dtmf on, and it was cleared afterwards.
    const sens = r.fake.argsOf("setVariable").filter((a) => a[0] === "sensitive_dtmf").map((a) => a[1]);
    expect(sens).toEqual(["true", undefined]);
    expect(r.fake.argsOf("read")[0]).toEqual([4, 4, "ivr/enter_pin.wav", 5000, "#", 0]);
  });

  it("PIN not matching the pattern fails, menu timeout fails to the operator", async () => {
    const r = await runFlow(kitchenSink(), runner, { now: atTime(runner, MONDAY_OPEN), digits: ["1", "12*4", ""] }, ADMIN);
    expect(r.trail.slice(-5)).toEqual(["main_menu", "read_pin", "pause", "main_menu", "to_operator"]);
    expect(r.fake.argsOf("sleep")).toEqual([[500]]);
  });

  it("extension dial: busy goes to voicemail, answered hangs up", async () => {
    const busy = await runFlow(
      kitchenSink(),
      runner,
      { now: atTime(runner, MONDAY_OPEN), digits: ["2", "1001"], bridgeVars: { originate_disposition: "USER_BUSY" } },
      ADMIN,
    );
    expect(busy.trail.slice(-4)).toEqual(["get_ext", "dial", "voicemail", "bye"]);
    expect(busy.fake.argsOf("execute")).toEqual([["bridge", "user/${ext}"], ["voicemail", "default ${domain_name} ${ext}"]]);
    expect(busy.fake.vars.get("call_timeout")).toBe("20");
    // Set before the bridge: FreeSWITCH would otherwise hang the caller up on the failed bridge.
    expect(busy.fake.vars.get("continue_on_fail")).toBe("true");
    expect(busy.fake.vars.get("hangup_after_bridge")).toBe("false");
    const order = busy.fake.calls.map((c) => `${c.method} ${c.args[0]}`);
    expect(order.indexOf("setVariable continue_on_fail")).toBeGreaterThan(-1);
    expect(order.indexOf("setVariable continue_on_fail")).toBeLessThan(order.indexOf("execute bridge"));
    expect(order.indexOf("setVariable hangup_after_bridge")).toBeLessThan(order.indexOf("execute bridge"));
    expect(busy.fake.vars.get("ringback")).toBe("${us-ring}");
    expect(busy.fake.argsOf("getDigits")).toEqual([[4, "#", 5000, 2000, 15000]]);
    const answered = await runFlow(
      kitchenSink(),
      runner,
      { now: atTime(runner, MONDAY_OPEN), digits: ["2", "1001"], bridgeVars: { originate_disposition: "SUCCESS" } },
      ADMIN,
    );
    expect(answered.trail.slice(-2)).toEqual(["dial", "bye"]);
  });

  it("bridge with hang up after the call: the call ends with the bridged call, quietly; a failure still branches", async () => {
    const flow = buildFlow(
      [
        { id: "start", kind: "start" },
        { id: "dial", kind: "bridge", params: { dialString: "user/1000", hangupAfterBridge: true } },
        { id: "sorry", kind: "log", params: { message: "busy" } },
        { id: "failed", kind: "log", params: { message: "failed" } },
      ],
      [["start", "next", "dial"], ["dial", "busy", "sorry"], ["dial", "no_answer", "sorry"], ["dial", "failed", "failed"]],
      { hangupHook: "exit" },
    );
    const answered = await runFlow(flow, runner, { bridgeVars: { originate_disposition: "SUCCESS" } });
    expect(answered.error).toBeUndefined();
    expect(answered.done).toBe(true);
    expect(answered.trail).toEqual(["start", "dial"]);
    expect(answered.fake.vars.get("hangup_after_bridge")).toBe("true");
    expect(answered.fake.vars.get("ivr_hangup_by_flow")).toBe("true");
    const busy = await runFlow(flow, runner, { bridgeVars: { originate_disposition: "USER_BUSY" } });
    expect(busy.trail).toEqual(["start", "dial", "sorry"]);
  });

  it("record: beep, stop key through the input callback, path stored", async () => {
    const r = await runFlow(kitchenSink(), runner, { now: atTime(runner, MONDAY_OPEN), digits: ["9"], vars: { uuid: "abc" }, pressKeys: ["#"] }, ADMIN);
    expect(r.trail.slice(-2)).toEqual(["record_msg", "bye"]);
    expect(r.fake.argsOf("streamFile")).toContainEqual(["tone_stream://%(500,0,800)"]);
    expect(r.fake.argsOf("recordFile")).toEqual([["/tmp/ivr-recordings/abc.wav", 60, 200, 3]]);
    expect(r.fake.vars.get("recording_path")).toBe("/tmp/ivr-recordings/abc.wav");
  });

  it("HTTP failure status takes Failure", async () => {
    const r = await runFlow(kitchenSink(), runner, { now: atTime(runner, MONDAY_OPEN), digits: ["3"], http: () => ({ status: 503, body: "{}" }) }, ADMIN);
    expect(r.trail.slice(-2)).toEqual(["lookup", "bye"]);
    expect(r.fake.vars.get("crm_status")).toBe("503");
    expect(r.fake.vars.has("tier")).toBe(false);
  });

  it("caller hangup runs the hook, which logs and stops the script", async () => {
    const r = await runFlow(kitchenSink(), runner, { now: atTime(runner, MONDAY_OPEN), hangupAtReady: 3 }, ADMIN);
    expect(r.trail).toEqual(["start", "early"]);
    expect(r.done).toBe(false);
    expect(r.error).toMatch(/exit/);
    expect(r.fake.logs).toContainEqual({ level: "info", message: "ivr: the call ended in node early before the flow finished\n" });
  });
});

describe.each(RUNNERS)("branch operators on %s", (runner) => {
  const cases = [
    { key: "eq", op: "equals", value: "abc" },
    { key: "rx", op: "regex", value: "^4\\d$" },
    { key: "neg", op: "lt", value: "0" },
    { key: "big", op: "ge", value: "100" },
    { key: "blank", op: "empty", value: "" },
    { key: "ne", op: "not_equals", value: "zzz" },
  ];
  const flow = buildFlow(
    [
      { id: "start", kind: "start" },
      { id: "b", kind: "branch", params: { variable: "x", cases } },
      ...[...cases.map((c) => c.key), "default"].map((k) => ({ id: `to_${k}`, kind: "log", params: { message: k } })),
    ],
    [["start", "next", "b"], ...[...cases.map((c) => c.key), "default"].map((k) => ["b", k, `to_${k}`] as [string, string, string])],
  );
  const table: Array<[string | undefined, string]> = [
    ["abc", "eq"], ["42", "rx"], ["x42", "ne"], ["-1", "neg"], ["1e3", "big"], [" 150 ", "big"], ["0x100", "ne"],
    ["inf", "ne"], ["", "blank"], [undefined, "blank"], ["zzz", "default"],
  ];
  it.each(table)("x = %j -> %s", async (value, expected) => {
    const r = await runFlow(flow, runner, { vars: value === undefined ? {} : { x: value } });
    expect(r.error).toBeUndefined();
    expect(r.trail).toEqual(["start", "b", `to_${expected}`]);
  });
});

describe.each(RUNNERS)("HTTP request shapes on %s", (runner) => {
  const flowFor = (method: string, body: string) =>
    buildFlow(
      [
        { id: "start", kind: "start" },
        {
          id: "h",
          kind: "http_request",
          params: { method, url: "http://127.0.0.1/x", body, headers: [{ name: "A", value: "1" }, { name: "B", value: "two words" }] },
        },
      ],
      [["start", "next", "h"]],
    );
  it.each([["GET", "ignored"], ["DELETE", ""], ["POST", ""], ["PUT", "a=1&b=2 3"]])("%s with body %j", async (method, body) => {
    const r = await runFlow(flowFor(method, body), runner, { http: () => ({ status: 204 }) });
    expect(r.error).toBeUndefined();
    const req = r.fake.curl[0];
    expect(req.method).toBe(method.toLowerCase());
    expect(req.headers).toEqual(["A: 1", "B: two words"]);
    expect(req.body).toBe(method === "POST" || method === "PUT" ? body : undefined);
    expect(r.fake.vars.get("http_status")).toBe("204");
  });
});
