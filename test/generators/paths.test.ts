// The kitchen-sink flow, run for real on the runtime's session (test/support/line.ts): Lua
// with lua5.3 and on the runtime's Lua host, TypeScript on the runtime's TS host, the clock
// pinned. Every language must take the same paths and make the same calls.
import { describe, expect, it } from "vitest";
import { ADMIN, buildFlow, kitchenSink } from "./support/flows";
import { argsOf, luaAvailable, runFlow, type CallEvent, type HttpRequest, type RunResult, type Runner } from "../support/run-flow";

const RUNNERS: Runner[] = [...(luaAvailable("lua5.3") ? (["lua5.3"] as const) : []), "runtime", "ts"];

// Monday 2026-11-23 10:00 in New York (15:00 UTC): open.
const MONDAY_OPEN = "2026-11-23T15:00:00Z";
const SUNDAY = "2026-11-22T15:00:00Z";
const CHRISTMAS = "2026-12-25T15:00:00Z";
/** The welcome prompt listens for interrupt keys: a caller who lets it play to its end. */
const LISTENS = { noinput: true } as const;

const logs = (r: RunResult) => r.events.filter((e): e is Extract<CallEvent, { type: "log" }> => e.type === "log").map(({ level, message }) => ({ level, message }));
const requests = (r: RunResult): HttpRequest[] => r.events.flatMap((e) => (e.type === "http" ? [e.request] : []));

describe.each(RUNNERS)("kitchen sink on %s", (runner) => {
  it("barge-in key 1, open hours, pattern choice, HTTP lookup, custom code, hangup", async () => {
    const r = await runFlow(
      kitchenSink(),
      runner,
      {
        now: MONDAY_OPEN,
        variables: { caller_id_number: "555", crm_token: "tok", caller_id_name: "Ann", balance: "12" },
        actions: [{ dtmf: "1" }, { dtmf: "4" }],
        http: [{ status: 200, body: JSON.stringify({ customer: { tier: "gold" }, items: [{ id: 7 }, { id: 8 }] }) }],
      },
      ADMIN,
    );
    expect(r.error).toBeUndefined();
    expect(r.harnessError).toBeUndefined();
    expect(r.path).toEqual([
      "start", "early", "answer", "flush", "welcome", "say_balance", "hours", "main_menu", "lookup", "log_tier",
      "custom", "mark_done", "clear_pin", "bye",
    ]);
    const v = r.vars;
    expect(v.welcome_key).toBe("1");
    expect(v.menu_choice).toBe("4");
    expect(v.crm_status).toBe("200");
    expect(v.tier).toBe("gold");
    expect(v.first_item).toBe("7");
    expect(v.custom_ran).toBe(runner === "ts" ? "ts 0" : "lua 0");
    expect(v.ivr_result).toBe("done by 555");
    expect(v.pin).toBeUndefined();
    expect(v.greeting_played).toBe("no");
    expect(v.default_language).toBe("en");
    expect(argsOf(r, "say")).toEqual([["12", "en", "CURRENCY", "PRONOUNCED"]]);
    expect(argsOf(r, "hangup")).toEqual([["NORMAL_CLEARING"]]);
    expect(argsOf(r, "set_tts_params")[0]).toEqual(["flite", "slt"]);
    expect(logs(r).map((l) => l.message)).toContain("tier=gold first=7\n");
    expect(requests(r)).toEqual([
      {
        url: "https://crm.example.com/api/callers/555",
        method: "POST",
        headers: { authorization: "Bearer tok", "content-type": "application/json" },
        body: '{"digits":"4"}',
      },
    ]);
    const pagd = argsOf(r, "playAndGetDigits")[0];
    expect(pagd).toEqual([1, 1, 3, 4000, "#", "ivr/main_menu.wav", "ivr/invalid.wav", "^(?:1|2|(?:[3-5])|9)$", "menu_choice", 2000]);
  });

  it("closed on Sunday, holiday on 12-25", async () => {
    const closed = await runFlow(kitchenSink(), runner, { now: SUNDAY, actions: [LISTENS] }, ADMIN);
    expect(closed.path.slice(-3)).toEqual(["hours", "closed_msg", "bye_closed"]);
    const holiday = await runFlow(kitchenSink(), runner, { now: CHRISTMAS, variables: { caller_id_number: "42" }, actions: [LISTENS] }, ADMIN);
    expect(holiday.path.slice(-3)).toEqual(["hours", "log_holiday", "bye_closed"]);
    expect(logs(holiday)).toContainEqual({ level: "notice", message: "holiday call from 42\n" });
  });

  it("PIN accepted, attempts counted, third attempt goes to the operator", async () => {
    const r = await runFlow(
      kitchenSink(),
      runner,
      { now: MONDAY_OPEN, actions: [LISTENS, { dtmf: "1" }, { dtmf: "1234" }], variables: { attempts: "2" } },
      ADMIN,
    );
    expect(r.error).toBeUndefined();
    expect(r.path.slice(-5)).toEqual(["main_menu", "read_pin", "count_attempts", "check", "to_operator"]);
    expect(r.vars.attempts).toBe("3");
    expect(r.vars.pin).toBe("1234");
    expect(argsOf(r, "transfer")).toEqual([["operator", "XML", "default"]]);
    // The PIN was collected with sensitive_dtmf on, and it was cleared afterwards.
    const sens = argsOf(r, "setVariable").filter((a) => a[0] === "sensitive_dtmf").map((a) => a[1]);
    expect(sens).toEqual(["true", undefined]);
    expect(argsOf(r, "read")[0]).toEqual([4, 4, "ivr/enter_pin.wav", 5000, "#"]);
  });

  it("PIN not matching the pattern fails, menu timeout fails to the operator", async () => {
    const noinput = { noinput: true } as const;
    const r = await runFlow(
      kitchenSink(),
      runner,
      { now: MONDAY_OPEN, actions: [LISTENS, { dtmf: "1" }, { dtmf: "12*4" }, noinput, noinput, noinput] },
      ADMIN,
    );
    expect(r.path.slice(-5)).toEqual(["main_menu", "read_pin", "pause", "main_menu", "to_operator"]);
    expect(argsOf(r, "sleep")).toEqual([[500]]);
  });

  it("extension dial: busy goes to voicemail, answered hangs up", async () => {
    const busy = await runFlow(
      kitchenSink(),
      runner,
      { now: MONDAY_OPEN, actions: [LISTENS, { dtmf: "2" }, { dtmf: "1001" }, { bridge: "busy" }] },
      ADMIN,
    );
    expect(busy.path.slice(-4)).toEqual(["get_ext", "dial", "voicemail", "bye"]);
    expect(argsOf(busy, "execute")).toEqual([["bridge", "user/${ext}"], ["voicemail", "default ${domain_name} ${ext}"]]);
    expect(busy.vars.call_timeout).toBe("20");
    // Set before the bridge: FreeSWITCH would otherwise hang the caller up on the failed bridge.
    expect(busy.vars.continue_on_fail).toBe("true");
    expect(busy.vars.hangup_after_bridge).toBe("false");
    const order = busy.trace.filter((t) => t.kind === "session").map((c) => `${c.method} ${c.args[0]}`);
    expect(order.indexOf("setVariable continue_on_fail")).toBeGreaterThan(-1);
    expect(order.indexOf("setVariable continue_on_fail")).toBeLessThan(order.indexOf("execute bridge"));
    expect(order.indexOf("setVariable hangup_after_bridge")).toBeLessThan(order.indexOf("execute bridge"));
    expect(busy.vars.ringback).toBe("${us-ring}");
    expect(argsOf(busy, "getDigits")).toEqual([[4, "#", 5000, 2000, 15000]]);
    const answered = await runFlow(
      kitchenSink(),
      runner,
      { now: MONDAY_OPEN, actions: [LISTENS, { dtmf: "2" }, { dtmf: "1001" }, { bridge: "answered" }] },
      ADMIN,
    );
    expect(answered.path.slice(-2)).toEqual(["dial", "bye"]);
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
    const answered = await runFlow(flow, runner, { actions: [{ bridge: "answered" }] });
    expect(answered.error).toBeUndefined();
    expect(answered.path).toEqual(["start", "dial"]);
    expect(answered.vars.hangup_after_bridge).toBe("true");
    expect(answered.vars.ivr_hangup_by_flow).toBe("true");
    const busy = await runFlow(flow, runner, { actions: [{ bridge: "busy" }] });
    expect(busy.path).toEqual(["start", "dial", "sorry"]);
  });

  it("bridge letting the called phone transfer: ivr_allow_refer=true around that bridge only; off leaves the variable alone", async () => {
    const flow = (allowTransfer: boolean) =>
      buildFlow(
        [
          { id: "start", kind: "start" },
          { id: "dial", kind: "bridge", params: { dialString: "user/1000", allowTransfer } },
          { id: "after", kind: "log", params: { message: "allow=${ivr_allow_refer}" } },
        ],
        [["start", "next", "dial"], ["dial", "answered", "after"]],
      );
    const calls = (r: RunResult) =>
      r.trace.filter((t) => t.kind === "session" && /^(setVariable|execute)$/.test(t.method)).map((c) => `${c.method} ${c.args.map(String).join(" ")}`);
    const on = await runFlow(flow(true), runner, { actions: [{ bridge: "answered" }] });
    expect(on.error).toBeUndefined();
    const order = calls(on);
    const bridged = order.indexOf("execute bridge user/1000");
    expect(order.indexOf("setVariable ivr_allow_refer true")).toBe(bridged - 1);
    expect(order[bridged + 1]).toBe("setVariable ivr_allow_refer"); // unset (nil / undefined)
    expect(logs(on).map((l) => l.message.trim())).toContain("allow=");
    // Off: not touched, so a value a script or Set variable node gave it still holds.
    const off = await runFlow(flow(false), runner, { actions: [{ bridge: "answered" }], variables: { ivr_allow_refer: "true" } });
    expect(calls(off).filter((c) => c.includes("ivr_allow_refer"))).toEqual([]);
    expect(logs(off).map((l) => l.message.trim())).toContain("allow=true");
  });

  it("record: beep, stop key through the input callback, path stored", async () => {
    const r = await runFlow(
      kitchenSink(),
      runner,
      { now: MONDAY_OPEN, actions: [LISTENS, { dtmf: "9" }, { dtmf: "#" }], variables: { uuid: "abc", recordings_dir: "/var/rec" } },
      ADMIN,
    );
    expect(r.path.slice(-2)).toEqual(["record_msg", "bye"]);
    expect(argsOf(r, "streamFile")).toContainEqual(["tone_stream://%(500,0,800)"]);
    expect(argsOf(r, "recordFile")).toEqual([["/var/rec/messages/abc.wav", 60, 200, 3]]);
    expect(r.vars.recording_path).toBe("/var/rec/messages/abc.wav");
  });

  it("record: a variable fills in a file name, never a folder (a hostile caller ID stays in the recordings folder)", async () => {
    const flow = buildFlow(
      [
        { id: "start", kind: "start" },
        { id: "rec", kind: "record", params: { path: "vm/${caller_id_number}/${caller_id_name}.wav", beep: false, stopKeys: "" } },
      ],
      [["start", "next", "rec"]],
    );
    const r = await runFlow(flow, runner, {
      variables: { recordings_dir: "/var/rec", caller_id_number: "../../../etc/cron.d/x", caller_id_name: ".profile é" },
      actions: [LISTENS],
    });
    expect(r.error).toBeUndefined();
    expect(r.harnessError).toBeUndefined();
    expect(argsOf(r, "recordFile")).toEqual([["/var/rec/vm/_._.._.._etc_cron.d_x/_profile___.wav", 120, 200, 3]]);
  });

  it("HTTP failure status takes Failure", async () => {
    const r = await runFlow(
      kitchenSink(),
      runner,
      { now: MONDAY_OPEN, actions: [LISTENS, { dtmf: "3" }], http: [{ status: 503, body: "{}" }] },
      ADMIN,
    );
    expect(r.path.slice(-2)).toEqual(["lookup", "bye"]);
    expect(r.vars.crm_status).toBe("503");
    expect(r.vars.tier).toBeUndefined();
  });

  it("caller hangup runs the hook, which logs and stops the script", async () => {
    const r = await runFlow(kitchenSink(), runner, { now: MONDAY_OPEN, actions: [{ hangup: true }] }, ADMIN);
    expect(r.path).toEqual(["start", "early", "answer", "flush", "welcome"]);
    expect(r.exitedBy).toBe("exit");
    expect(logs(r)).toContainEqual({ level: "info", message: "ivr: the call ended in node welcome before the flow finished\n" });
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
    const r = await runFlow(flow, runner, { actions: [], variables: value === undefined ? {} : { x: value } });
    expect(r.error).toBeUndefined();
    expect(r.path).toEqual(["start", "b", `to_${expected}`]);
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
    const r = await runFlow(flowFor(method, body), runner, { actions: [], http: [{ status: 204 }] });
    expect(r.error).toBeUndefined();
    const [req] = requests(r);
    expect(req.method).toBe(method);
    expect(req.headers).toMatchObject({ a: "1", b: "two words" });
    expect(req.body).toBe(method === "POST" || method === "PUT" ? body : undefined);
    expect(r.vars.http_status).toBe("204");
  });
});
