import { describe, expect, it } from "vitest";
import { hasErrors, validate, validateDocument, type FlowGraph } from "../../flow";
import { around, brief, flowOf, type NodeIn } from "./helpers";

/** A flow that uses most kinds, correctly: no diagnostics at all. */
function cleanFlow(): FlowGraph {
  return flowOf(
    [
      { id: "start", kind: "start", label: "Incoming call" },
      { id: "hours", kind: "time_of_day", params: { timezone: "Europe/Paris" } },
      { id: "answer", kind: "answer" },
      { id: "flush", kind: "flush_digits" },
      { id: "welcome", kind: "play", params: { file: "ivr/welcome.wav", interruptKeys: "12", branchOnKey: true, keyVariable: "key" } },
      {
        id: "menu",
        kind: "menu",
        label: "Main menu",
        params: { prompt: "ivr/menu.wav", choices: [{ key: "1" }, { key: "2" }, { key: "[3-5]" }], variable: "choice" },
      },
      { id: "pin", kind: "read_digits", params: { prompt: "ivr/pin.wav", regex: "\\d{4}", variable: "pin", minDigits: 4, maxDigits: 4 } },
      { id: "crm", kind: "http_request", params: { url: "https://crm.example.com/callers/${caller_id_number}", responseVariables: [{ name: "tier", value: "customer.tier" }] } },
      {
        id: "route",
        kind: "branch",
        params: { variable: "tier", cases: [{ key: "gold", op: "equals", value: "gold" }, { key: "big", op: "gt", value: "10" }, { key: "vip", op: "regex", value: "^v[0-9]+$" }] },
      },
      { id: "bal", kind: "say", params: { text: "${balance}" } },
      { id: "tts", kind: "speak", params: { text: "Goodbye" } },
      { id: "phr", kind: "phrase", params: { name: "voicemail_menu" } },
      { id: "wait", kind: "sleep" },
      { id: "rec", kind: "record" },
      { id: "digits", kind: "get_digits", params: { variable: "more" } },
      { id: "count", kind: "set_variable", params: { name: "tries", mode: "increment" } },
      { id: "note", kind: "log", params: { message: "tier ${tier}" } },
      { id: "exec", kind: "execute", params: { application: "playback", data: "ivr/beep.wav" } },
      { id: "code", kind: "custom_code" },
      { id: "agent", kind: "bridge", params: { dialString: "user/1001" } },
      { id: "xfer", kind: "transfer", params: { destination: "1000" } },
      { id: "bye", kind: "hangup" },
    ],
    [
      ["start", "next", "hours"],
      ["hours", "open", "answer"],
      ["hours", "closed", "bye"],
      ["hours", "holiday", "xfer"],
      ["answer", "next", "flush"],
      ["flush", "next", "welcome"],
      ["welcome", "next", "menu"],
      ["welcome", "key_1", "pin"],
      ["welcome", "key_2", "menu"],
      ["menu", "1", "pin"],
      ["menu", "2", "crm"],
      ["menu", "[3-5]", "rec"],
      ["menu", "failed", "bye"],
      ["pin", "next", "crm"],
      ["pin", "failed", "count"],
      ["count", "next", "note"],
      ["note", "next", "menu"], // loop back through the menu: it waits for the caller
      ["crm", "success", "route"],
      ["crm", "failure", "agent"],
      ["route", "gold", "bal"],
      ["route", "big", "tts"],
      ["route", "vip", "phr"],
      ["route", "default", "exec"],
      ["bal", "next", "wait"],
      ["wait", "next", "digits"],
      ["digits", "next", "code"],
      ["digits", "failed", "bye"],
      ["code", "next", "bye"],
      ["tts", "next", "bye"],
      ["phr", "next", "bye"],
      ["exec", "next", "bye"],
      ["rec", "next", "bye"],
      ["agent", "answered", "bye"],
      ["agent", "busy", "xfer"],
      ["agent", "no_answer", "xfer"],
      ["agent", "failed", "bye"],
    ],
  );
}

const options = { authorIsAdmin: true, httpAllowList: ["*.example.com"] };

/** Validate a one-node flow (start → node → hangup) and return its findings. */
const check = (node: NodeIn, opts = options) => validate(around(node), opts);

describe("validate: a clean flow", () => {
  it("has no diagnostics", () => {
    expect(validate(cleanFlow(), options)).toEqual([]);
  });
  it("a one-node flow around a default-param Answer is clean too", () => {
    expect(check({ id: "n", kind: "answer" })).toEqual([]);
  });
});

describe("validate: node kinds", () => {
  it("IVR1001 unknown kind, with close kinds", () => {
    const ds = validate(flowOf([{ id: "start", kind: "start" }, { id: "x", kind: "read-digits" }], [["start", "next", "x"]]));
    expect(brief(ds)).toEqual([{ code: "IVR1001", severity: "error", nodeId: "x" }]);
    expect(ds[0].message).toContain("read-digits");
    expect(ds[0].message).toContain("read_digits");
  });

  it("IVR1001 without suggestions for a kind like nothing", () => {
    const ds = validate(flowOf([{ id: "start", kind: "start" }, { id: "x", kind: "zzzzzzzz" }], [["start", "next", "x"]]));
    expect(ds.map((d) => d.code)).toEqual(["IVR1001"]);
    expect(ds[0].message).not.toMatch(/did you mean/);
  });

  it("IVR1013 custom code needs an admin (error), and is fine for one", () => {
    const ds = check({ id: "c", kind: "custom_code", label: "Magic" }, { authorIsAdmin: false, httpAllowList: [] });
    expect(brief(ds)).toEqual([{ code: "IVR1013", severity: "error", nodeId: "c" }]);
    expect(ds[0].message).toMatch(/Custom code "Magic".*admin/);
    expect(validate(around({ id: "c", kind: "custom_code" }))).toHaveLength(1); // default: not admin
    expect(check({ id: "c", kind: "custom_code" })).toEqual([]);
  });
});

describe("validate: parameters", () => {
  it("IVR1002 maps each zod issue to its param path and UI label", () => {
    const ds = validate(
      flowOf(
        [
          { id: "start", kind: "start" },
          { id: "m", kind: "menu", label: "Main", params: { prompt: "a.wav", maxDigits: 500, choices: [{ key: "1" }, { key: 7 }] } },
        ],
        [["start", "next", "m"]],
      ),
    );
    expect(brief(ds)).toEqual([
      { code: "IVR1002", severity: "error", nodeId: "m", param: "choices.1.key" },
      { code: "IVR1002", severity: "error", nodeId: "m", param: "maxDigits" },
    ]);
    expect(ds[0].message).toBe('Menu "Main": Choices #2 › Digits or pattern must be text.');
    expect(ds[1].message).toBe('Menu "Main": Max digits must be at most 128.');
  });

  it("IVR1002 keeps the catalog's own messages and names enum choices", () => {
    const tod = check({ id: "t", kind: "time_of_day", params: { hours: [{ days: ["mon"], from: "9am", to: "17:00" }] } });
    expect(brief(tod)).toEqual([{ code: "IVR1002", severity: "error", nodeId: "t", param: "hours.0.from" }]);
    expect(tod[0].message).toContain("Business hours #1 › From is not valid: HH:MM");
    const say = check({ id: "s", kind: "say", params: { text: "1", sayType: "SHOE_SIZE" } });
    expect(brief(say)).toEqual([{ code: "IVR1002", severity: "error", nodeId: "s", param: "sayType" }]);
    expect(say[0].message).toMatch(/Type must be one of: NUMBER, ITEMS/);
    const sleep = check({ id: "z", kind: "sleep", params: { ms: 1.5 } });
    expect(sleep[0].message).toMatch(/Duration must be a whole number/);
  });

  it.each([
    ["menu", "prompt", { choices: [{ key: "1" }] }],
    ["play", "file", {}],
    ["speak", "text", {}],
    ["say", "text", {}],
    ["phrase", "name", {}],
    ["execute", "application", {}],
    ["set_variable", "name", {}],
    ["branch", "variable", {}],
    ["http_request", "url", {}],
    ["read_digits", "variable", { prompt: "p.wav", variable: " " }],
    ["get_digits", "variable", { variable: "" }],
    ["record", "path", { path: "" }],
  ])("IVR1020 %s with an empty %s is an error", (kind, param, params) => {
    const ds = check({ id: "n", kind, params });
    expect(brief(ds)).toEqual([{ code: "IVR1020", severity: "error", nodeId: "n", param }]);
  });

  it("IVR1020 an empty log message is only a warning", () => {
    const ds = check({ id: "n", kind: "log" });
    expect(brief(ds)).toEqual([{ code: "IVR1020", severity: "warning", nodeId: "n", param: "message" }]);
    expect(hasErrors(ds)).toBe(false);
  });

  it.each([
    ["transfer", "destination"],
    ["bridge", "dialString"],
  ])("IVR1012 %s with an empty %s", (kind, param) => {
    const ds = check({ id: "n", kind, params: { [param]: "  " } });
    expect(brief(ds)).toEqual([{ code: "IVR1012", severity: "error", nodeId: "n", param }]);
    expect(ds[0].message).toMatch(/nowhere to go/);
  });
});

describe("validate: variable names (IVR1011)", () => {
  it.each([
    ["set_variable", "name", { name: "9lives" }],
    ["branch", "variable", { variable: "my-var" }],
    ["menu", "variable", { prompt: "p.wav", choices: [{ key: "1" }], variable: "a b" }],
    ["read_digits", "variable", { prompt: "p.wav", variable: "${x}" }],
    ["get_digits", "variable", { variable: "é" }],
    ["record", "variable", { variable: "path.x" }],
    ["http_request", "statusVariable", { url: "https://a.example.com", statusVariable: "1" }],
    ["play", "keyVariable", { file: "a.wav", keyVariable: "k!" }],
  ])("%s %s", (kind, param, params) => {
    const ds = check({ id: "n", kind, params });
    expect(brief(ds)).toEqual([{ code: "IVR1011", severity: "error", nodeId: "n", param }]);
    expect(ds[0].message).toMatch(/not a valid variable name/);
  });

  it("an empty optional variable (play's key variable) is fine", () => {
    expect(check({ id: "n", kind: "play", params: { file: "a.wav", keyVariable: "" } })).toEqual([]);
  });

  it("http response variable names, including empty rows", () => {
    const ds = check({
      id: "h",
      kind: "http_request",
      params: { url: "https://a.example.com", responseVariables: [{ name: "ok", value: "a" }, { name: "x-y", value: "b" }, { name: "", value: "c" }] },
    });
    expect(brief(ds)).toEqual([
      { code: "IVR1011", severity: "error", nodeId: "h", param: "responseVariables.1.name" },
      { code: "IVR1011", severity: "error", nodeId: "h", param: "responseVariables.2.name" },
    ]);
  });

  it("declared flow variables", () => {
    const f = around({ id: "n", kind: "answer" });
    f.settings.variables = [{ name: "good", value: "1" }, { name: "bad name", value: "2" }];
    const ds = validate(f);
    expect(brief(ds)).toEqual([{ code: "IVR1011", severity: "error", nodeId: undefined, param: "settings.variables.1.name" }]);
    expect(ds[0].message).toMatch(/^Flow settings: variable #2 "bad name"/);
  });
});

describe("validate: structure", () => {
  it("IVR1003 no Start", () => {
    const ds = validate(flowOf([{ id: "a", kind: "hangup" }], []));
    expect(brief(ds)).toEqual([{ code: "IVR1003", severity: "error" }]);
  });

  it("IVR1004 one diagnostic per extra Start", () => {
    const ds = validate(
      flowOf(
        [{ id: "s1", kind: "start" }, { id: "s2", kind: "start" }, { id: "s3", kind: "start" }, { id: "end", kind: "hangup" }],
        [["s1", "next", "end"], ["s2", "next", "end"], ["s3", "next", "end"]],
      ),
    );
    expect(brief(ds)).toEqual([
      { code: "IVR1004", severity: "error", nodeId: "s2" },
      { code: "IVR1004", severity: "error", nodeId: "s3" },
    ]);
  });

  it("IVR1014 duplicate node ids", () => {
    const ds = validate(
      flowOf([{ id: "start", kind: "start" }, { id: "a", kind: "hangup" }, { id: "a", kind: "hangup", label: "Again" }], [["start", "next", "a"]]),
    );
    expect(brief(ds)).toEqual([{ code: "IVR1014", severity: "error", nodeId: "a" }]);
    expect(ds[0].message).toContain('Hangup "Again"');
  });

  it("IVR1017 edges to or from nodes that do not exist", () => {
    const ds = validate(
      flowOf([{ id: "start", kind: "start" }, { id: "end", kind: "hangup" }], [["start", "next", "end"], ["ghost", "next", "end"], ["start", "next", "nowhere"]]),
    );
    expect(brief(ds)).toEqual([
      { code: "IVR1017", severity: "error", nodeId: "end", outcome: "next" },
      { code: "IVR1017", severity: "error", nodeId: "start", outcome: "next" },
    ]);
    expect(ds[0].message).toMatch(/source node "ghost"/);
    expect(ds[1].message).toMatch(/target node "nowhere"/);
  });

  it("IVR1006 an outcome the source does not have", () => {
    const ds = validate(
      flowOf(
        [{ id: "start", kind: "start" }, { id: "a", kind: "answer" }, { id: "end", kind: "hangup" }],
        [["start", "next", "a"], ["a", "next", "end"], ["a", "failed", "end"], ["end", "next", "a"]],
      ),
    );
    expect(brief(ds)).toEqual([
      { code: "IVR1006", severity: "error", nodeId: "a", outcome: "failed" },
      { code: "IVR1006", severity: "error", nodeId: "end", outcome: "next" },
    ]);
    expect(ds[0].message).toMatch(/its exits are next/);
    expect(ds[1].message).toMatch(/no exits/);
  });

  it("IVR1007 an outcome connected twice", () => {
    const ds = validate(
      flowOf(
        [{ id: "start", kind: "start" }, { id: "a", kind: "answer" }, { id: "b", kind: "hangup" }],
        [["start", "next", "a"], ["a", "next", "b"], ["a", "next", "b"]],
      ),
    );
    expect(brief(ds)).toEqual([{ code: "IVR1007", severity: "error", nodeId: "a", outcome: "next" }]);
  });

  it("IVR1005 unconnected outcomes warn (the call hangs up), the Start's next is an error", () => {
    const ds = validate(
      flowOf([{ id: "start", kind: "start" }, { id: "r", kind: "read_digits", params: { prompt: "p.wav" } }, { id: "end", kind: "hangup" }], [
        ["start", "next", "r"],
        ["r", "next", "end"],
      ]),
    );
    expect(brief(ds)).toEqual([{ code: "IVR1005", severity: "warning", nodeId: "r", outcome: "failed" }]);
    expect(ds[0].message).toMatch(/the call hangs up there/);
    const lonely = validate(flowOf([{ id: "start", kind: "start" }], []));
    expect(brief(lonely)).toEqual([{ code: "IVR1005", severity: "error", nodeId: "start", outcome: "next" }]);
  });

  it("IVR1008 unreachable nodes warn", () => {
    const ds = validate(
      flowOf([{ id: "start", kind: "start" }, { id: "end", kind: "hangup" }, { id: "lost", kind: "answer" }, { id: "end2", kind: "hangup" }], [
        ["start", "next", "end"],
        ["lost", "next", "end2"],
      ]),
    );
    expect(brief(ds)).toEqual([
      { code: "IVR1008", severity: "warning", nodeId: "lost" },
      { code: "IVR1008", severity: "warning", nodeId: "end2" },
    ]);
  });
});

describe("validate: loops (IVR1009)", () => {
  it("a loop with nothing that waits for the caller is an error on each of its nodes", () => {
    const ds = validate(
      flowOf(
        [
          { id: "start", kind: "start" },
          { id: "inc", kind: "set_variable", params: { name: "n", mode: "increment" } },
          { id: "test", kind: "branch", params: { variable: "n", cases: [{ key: "done", op: "ge", value: "3" }] } },
          { id: "end", kind: "hangup" },
        ],
        [["start", "next", "inc"], ["inc", "next", "test"], ["test", "default", "inc"], ["test", "done", "end"]],
      ),
    );
    expect(brief(ds)).toEqual([
      { code: "IVR1009", severity: "error", nodeId: "inc" },
      { code: "IVR1009", severity: "error", nodeId: "test" },
    ]);
    expect(ds[0].message).toContain('Set variable node "inc"');
    expect(ds[0].message).toContain('Branch node "test"');
  });

  it("a self-loop spins too", () => {
    const ds = validate(flowOf([{ id: "start", kind: "start" }, { id: "a", kind: "answer" }], [["start", "next", "a"], ["a", "next", "a"]]));
    expect(brief(ds)).toEqual([{ code: "IVR1009", severity: "error", nodeId: "a" }]);
  });

  it("a loop through a node that waits (sleep) is fine", () => {
    const ds = validate(
      flowOf([{ id: "start", kind: "start" }, { id: "a", kind: "answer" }, { id: "z", kind: "sleep" }], [["start", "next", "a"], ["a", "next", "z"], ["z", "next", "a"]]),
    );
    expect(ds).toEqual([]);
  });
});

describe("validate: patterns (IVR1010)", () => {
  it("menu choices that are patterns (literal choices are not patterns)", () => {
    const ds = check({ id: "m", kind: "menu", params: { prompt: "p.wav", maxDigits: 2, choices: [{ key: "*" }, { key: "(?<=1)2" }, { key: "[4-6]" }] } });
    expect(brief(ds)).toEqual([{ code: "IVR1010", severity: "error", nodeId: "m", param: "choices.1.key" }]);
    expect(ds[0].message).toMatch(/lookbehind/);
  });

  it("read digits pattern", () => {
    const ds = check({ id: "r", kind: "read_digits", params: { prompt: "p.wav", regex: "\\d{4}\\Z" } });
    expect(brief(ds)).toEqual([{ code: "IVR1010", severity: "error", nodeId: "r", param: "regex" }]);
  });

  it("a pattern RE2 (the runtime's linear-time engine) cannot compile points at its node and param", () => {
    const ds = check({ id: "r", kind: "read_digits", params: { prompt: "p.wav", regex: "(\\d{50}){50}" } });
    expect(brief(ds)).toEqual([{ code: "IVR1010", severity: "error", nodeId: "r", param: "regex" }]);
    expect(ds[0].message).toMatch(/multiply to 2500, above the 1000 RE2/);
  });

  it("branch cases with the regex test only", () => {
    const ds = check({
      id: "b",
      kind: "branch",
      params: { variable: "v", cases: [{ key: "a", op: "equals", value: "(" }, { key: "b", op: "regex", value: "(?i)abc" }] },
    });
    expect(brief(ds)).toEqual([{ code: "IVR1010", severity: "error", nodeId: "b", param: "cases.1.value" }]);
    expect(ds[0].message).toMatch(/inline flags/);
  });
});

describe("validate: keys (IVR1015)", () => {
  it("duplicate menu choice keys and a choice named failed", () => {
    const ds = check({ id: "m", kind: "menu", params: { prompt: "p.wav", choices: [{ key: "1" }, { key: "1" }, { key: "failed" }] } });
    expect(brief(ds)).toEqual([
      { code: "IVR1015", severity: "error", nodeId: "m", param: "choices.1.key" },
      { code: "IVR1015", severity: "error", nodeId: "m", param: "choices.2.key" },
    ]);
  });

  it("duplicate branch case keys and a case named default", () => {
    const ds = check({
      id: "b",
      kind: "branch",
      params: { variable: "v", cases: [{ key: "x", value: "1" }, { key: "default", value: "2" }, { key: "x", value: "3" }] },
    });
    expect(brief(ds)).toEqual([
      { code: "IVR1015", severity: "error", nodeId: "b", param: "cases.1.key" },
      { code: "IVR1015", severity: "error", nodeId: "b", param: "cases.2.key" },
    ]);
  });
});

describe("validate: inconsistent parameters (IVR1016)", () => {
  it.each([
    ["menu", { prompt: "p.wav", choices: [{ key: "1" }], minDigits: 3, maxDigits: 2 }],
    ["read_digits", { prompt: "p.wav", minDigits: 5, maxDigits: 4 }],
  ])("%s with min digits above max digits", (kind, params) => {
    const ds = check({ id: "n", kind, params }).filter((d) => d.param === "minDigits");
    expect(brief(ds)).toEqual([{ code: "IVR1016", severity: "error", nodeId: "n", param: "minDigits" }]);
  });

  it("literal menu choices longer than max digits or shorter than min digits", () => {
    const ds = check({ id: "m", kind: "menu", params: { prompt: "p.wav", minDigits: 2, maxDigits: 3, choices: [{ key: "1234" }, { key: "5" }, { key: "12" }] } });
    expect(brief(ds)).toEqual([
      { code: "IVR1016", severity: "error", nodeId: "m", param: "choices.0.key" },
      { code: "IVR1016", severity: "error", nodeId: "m", param: "choices.1.key" },
    ]);
  });

  it("a menu with no choices is an error", () => {
    const ds = check({ id: "m", kind: "menu", params: { prompt: "p.wav" } });
    expect(brief(ds)).toEqual([{ code: "IVR1016", severity: "error", nodeId: "m", param: "choices" }]);
  });

  it("a menu choice with a terminator key warns", () => {
    const ds = check({ id: "m", kind: "menu", params: { prompt: "p.wav", choices: [{ key: "#" }] } });
    expect(brief(ds)).toEqual([{ code: "IVR1016", severity: "warning", nodeId: "m", param: "choices.0.key" }]);
    expect(check({ id: "m", kind: "menu", params: { prompt: "p.wav", terminators: "", choices: [{ key: "#" }] } })).toEqual([]);
  });

  it("time of day range that ends before it starts", () => {
    const ds = check({
      id: "t",
      kind: "time_of_day",
      params: { hours: [{ days: ["mon"], from: "09:00", to: "17:00" }, { days: ["sat"], from: "22:00", to: "06:00" }, { days: ["sun"], from: "10:00", to: "24:00" }] },
    });
    expect(brief(ds)).toEqual([{ code: "IVR1016", severity: "error", nodeId: "t", param: "hours.1.to" }]);
  });

  it("branch numeric comparison with a value that is not a number", () => {
    const ds = check({
      id: "b",
      kind: "branch",
      params: { variable: "v", cases: [{ key: "a", op: "lt", value: "10" }, { key: "b", op: "ge", value: "ten" }, { key: "c", op: "gt", value: "" }] },
    });
    expect(brief(ds)).toEqual([
      { code: "IVR1016", severity: "error", nodeId: "b", param: "cases.1.value" },
      { code: "IVR1016", severity: "error", nodeId: "b", param: "cases.2.value" },
    ]);
  });

  it("play that branches on keys but has none warns", () => {
    const ds = check({ id: "p", kind: "play", params: { file: "a.wav", branchOnKey: true } });
    expect(brief(ds)).toEqual([{ code: "IVR1016", severity: "warning", nodeId: "p", param: "interruptKeys" }]);
  });
});

describe("validate: time zones (IVR1018)", () => {
  it.each(["Mars/Olympus", "", "+01:00", "europe/paris"])("refuses %j", (timezone) => {
    const ds = check({ id: "t", kind: "time_of_day", params: { timezone } });
    expect(brief(ds)).toEqual([{ code: "IVR1018", severity: "error", nodeId: "t", param: "timezone" }]);
  });
  it.each(["UTC", "America/New_York", "Asia/Kolkata"])("accepts %s", (timezone) => {
    expect(check({ id: "t", kind: "time_of_day", params: { timezone } })).toEqual([]);
  });
});

describe("validate: HTTP hosts (IVR1019)", () => {
  const http = (url: string, httpAllowList?: string[]) =>
    validate(around({ id: "h", kind: "http_request", params: { url } }), { httpAllowList });

  it("is not checked without an allow-list", () => {
    expect(http("https://anything.test/${x}")).toEqual([]);
    expect(http("${base}/x")).toEqual([]);
  });

  it.each([
    ["https://crm.example.com/a/${id}", ["*.example.com"]],
    ["https://a.b.example.com", ["*.example.com"]],
    ["http://EXAMPLE.com:8080/x?y=${z}", ["example.com"]],
    ["https://api.test/${p}", ["other.test", "api.test"]],
  ])("allows %s with %j", (url, list) => {
    expect(http(url, list)).toEqual([]);
  });

  it.each([
    ["https://evil.test/x", ["example.com"], /evil\.test is not on the allowed hosts/],
    ["https://example.com/x", ["*.example.com"], /not on the allowed hosts/],
    ["https://notexample.com/x", ["*.example.com"], /not on the allowed hosts/],
    ["https://example.com.evil.test/", ["example.com"], /not on the allowed hosts/],
    ["https://${host}/x", ["example.com"], /host must be fixed/],
    ["https://api.${domain}/x", ["*.example.com"], /host must be fixed/],
    ["${base_url}/x", ["example.com"], /host must be fixed/],
    ["ftp://example.com/x", ["example.com"], /not http or https/],
    ["example.com/x", ["example.com"], /http:\/\//],
    ["https://a.example.com", [], /which is empty/],
    ["https://a.example.com\\@evil.test/", ["*.example.com"], /backslash/],
    ["https://a.example.com:${port}/", ["*.example.com"], /host must be fixed/],
  ])("refuses %s with %j", (url, list, message) => {
    const ds = http(url, list);
    expect(brief(ds)).toEqual([{ code: "IVR1019", severity: "error", nodeId: "h", param: "url" }]);
    expect(ds[0].message).toMatch(message);
  });
});

describe("validate: files stay under their roots (IVR1021)", () => {
  const check = (node: NodeIn) => validate(around(node));

  it.each([
    ["record", "path", "voicemail/${caller_id_number}-${uuid}.wav"],
    ["record", "path", "a/../b.wav"],
    ["record", "path", "./${uuid}.wav"],
    ["play", "file", "ivr/ivr-welcome.wav"],
    ["play", "file", "tone_stream://%(500,0,800)"],
    ["play", "file", "silence_stream://500"],
    ["play", "file", "file_string://ivr/a.wav!silence_stream://200!digits/1.wav"],
    ["play", "file", "${recording_path}"],
    ["play", "file", "phrase:voicemail_menu"],
    ["menu", "invalidPrompt", "ivr/invalid.wav"],
    ["execute", "data", "${recording_path}"],
  ])("allows %s %s %j", (kind, param, value) => {
    const params: Record<string, unknown> = kind === "execute" ? { application: "playback", [param]: value } : { [param]: value };
    if (kind === "menu") Object.assign(params, { prompt: "ivr/menu.wav", choices: [{ key: "1" }] });
    expect(check({ id: "n", kind, params }).filter((d) => d.code === "IVR1021")).toEqual([]);
  });

  it.each([
    ["record", { path: "/tmp/x/PWNED.wav" }, "path", /"\/tmp\/x\/PWNED\.wav" is an absolute path; a flow's recordings are relative to the recordings folder/],
    ["record", { path: "../../etc/cron.d/x" }, "path", /leaves the recordings folder with "\.\."/],
    ["record", { path: "a/../../x.wav" }, "path", /leaves the recordings folder/],
    ["record", { path: "${x}/../../y.wav" }, "path", /leaves the recordings folder/],
    ["record", { path: "http://evil.test/x.wav" }, "path", /is a http:\/\/ address/],
    ["play", { file: "/etc/passwd" }, "file", /is an absolute path; a flow's sound files are relative to the sounds folder/],
    ["play", { file: "../../../etc/passwd" }, "file", /leaves the sounds folder/],
    ["play", { file: "file_string://ivr/a.wav!/etc/passwd" }, "file", /has a part "\/etc\/passwd" that is an absolute path/],
    ["play", { file: "http://evil.test/a.wav" }, "file", /is a http:\/\/ source/],
    ["read_digits", { prompt: "/etc/shadow" }, "prompt", /absolute path/],
    ["bridge", { dialString: "user/1000", ringback: "/etc/passwd" }, "ringback", /absolute path/],
    ["execute", { application: "playback", data: "/etc/passwd" }, "data", /absolute path/],
    ["execute", { application: "record", data: "/tmp/x.wav 20" }, "data", /absolute path/],
  ])("refuses %s %j", (kind, params, param, message) => {
    const ds = check({ id: "n", kind, params });
    const found = ds.filter((d) => d.code === "IVR1021");
    expect(brief(found)).toEqual([{ code: "IVR1021", severity: "error", nodeId: "n", param, outcome: undefined }]);
    expect(found[0].message).toMatch(message);
  });

  it("a menu's prompts are both checked, each at its own param", () => {
    const ds = check({ id: "m", kind: "menu", params: { prompt: "/a.wav", invalidPrompt: "../b.wav", choices: [{ key: "1" }] } });
    expect(ds.filter((d) => d.code === "IVR1021").map((d) => d.param)).toEqual(["prompt", "invalidPrompt"]);
  });

  it.each([
    [{ id: "n", kind: "set_variable", params: { name: "recordings_dir", value: "/tmp/x" } }, "value"],
    [{ id: "n", kind: "set_variable", params: { name: "sound_prefix", value: "/etc" } }, "value"],
    [{ id: "n", kind: "set_variable", params: { name: "sound_prefix", value: "${sounds_dir}/../../etc" } }, "value"],
    [{ id: "n", kind: "set_variable", params: { name: "sound_prefix", value: "${caller_id_name}" } }, "value"],
    [{ id: "n", kind: "set_variable", params: { name: "sound_prefix", mode: "increment" } }, "name"],
    [{ id: "n", kind: "read_digits", params: { prompt: "ivr/pin.wav", variable: "recordings_dir" } }, "variable"],
    [{ id: "n", kind: "http_request", params: { url: "https://a.example.com", responseVariables: [{ name: "sound_prefix", value: "x" }] } }, "responseVariables.0.name"],
    [{ id: "n", kind: "execute", params: { application: "set", data: "sound_prefix=/etc" } }, "data"],
  ])("refuses pointing a folder variable outside its root: %j", (node, param) => {
    const ds = check(node).filter((d) => d.code === "IVR1021");
    expect(brief(ds)).toEqual([{ code: "IVR1021", severity: "error", nodeId: "n", param, outcome: undefined }]);
    expect(ds[0].message).toMatch(/(sound_prefix|recordings_dir) decides where the flow's (prompts are read|recordings are written); a flow sets it only to \$\{(sounds_dir|recordings_dir)\}/);
  });

  it.each([
    { name: "sound_prefix", value: "${sounds_dir}/fr/fr/sibylle" },
    { name: "sound_prefix", value: "${sounds_dir}" },
    { name: "recordings_dir", value: "${recordings_dir}/sales" },
    { name: "sound_prefix", mode: "unset" },
    { name: "other", value: "/anything" },
  ])("allows %j", (params) => {
    expect(check({ id: "n", kind: "set_variable", params }).filter((d) => d.code === "IVR1021")).toEqual([]);
  });

  it("checks the flow's declared variables too", () => {
    const flow = around({ id: "n", kind: "log", params: { message: "x" } });
    flow.settings.variables = [{ name: "recordings_dir", value: "/tmp" }];
    expect(brief(validate(flow).filter((d) => d.code === "IVR1021"))).toEqual([
      { code: "IVR1021", severity: "error", nodeId: undefined, param: "settings.variables.0.value", outcome: undefined },
    ]);
  });

  it("the Record node's default path is relative", () => {
    expect(check({ id: "r", kind: "record" }).filter((d) => d.code === "IVR1021")).toEqual([]);
  });
});

describe("validate: what an editor's flow could make FreeSWITCH run (IVR1013)", () => {
  const asEditor = (node: NodeIn) => validate(around(node)).filter((d) => d.code === "IVR1013");
  const asAdmin = (node: NodeIn) => validate(around(node), { authorIsAdmin: true }).filter((d) => d.code === "IVR1013");

  it.each([
    [{ id: "n", kind: "execute", params: { application: "system", data: "rm -rf /" } }, "application", /the system application is not one of .*; others can run programs/],
    [{ id: "n", kind: "execute", params: { application: "Lua", data: "x.lua" } }, "application", /the lua application/],
    [{ id: "n", kind: "execute", params: { application: "log", data: "INFO ${system(id)}" } }, "data", /calls the FreeSWITCH API command system/],
    [{ id: "n", kind: "bridge", params: { dialString: "user/${ system (id)}" } }, "dialString", /API command system/],
    [{ id: "n", kind: "bridge", params: { dialString: "user/1000", ringback: "${bgsystem(x)}" } }, "ringback", /API command bgsystem/],
    [{ id: "n", kind: "set_variable", params: { name: "api_hangup_hook", value: "system touch /tmp/pwned" } }, "name", /runs the value of the variable "api_hangup_hook"/],
    [{ id: "n", kind: "set_variable", params: { name: "execute_on_answer", value: "lua x.lua" } }, "name", /execute_on_answer/],
    [{ id: "n", kind: "execute", params: { application: "set", data: "exec_after_bridge_app=system" } }, "data", /exec_after_bridge_app/],
    [{ id: "n", kind: "http_request", params: { url: "https://a.example.com", responseVariables: [{ name: "record_post_process_exec_api", value: "x" }] } }, "responseVariables.0.name", /record_post_process_exec_api/],
  ])("refuses an editor's %j", (node, param, message) => {
    const ds = asEditor(node);
    expect(brief(ds)).toEqual([{ code: "IVR1013", severity: "error", nodeId: "n", param, outcome: undefined }]);
    expect(ds[0].message).toMatch(message);
    expect(ds[0].message).toMatch(/only an admin may publish it\.$/);
    expect(asAdmin(node)).toEqual([]);
  });

  it.each([
    { id: "n", kind: "execute", params: { application: "playback", data: "ivr/x.wav" } },
    { id: "n", kind: "execute", params: { application: "set", data: "hangup_after_bridge=true" } },
    { id: "n", kind: "bridge", params: { dialString: "{origination_caller_id_number=${caller_id_number}}user/${ext}", ringback: "${us-ring}" } },
    { id: "n", kind: "log", params: { message: "now ${strftime(%H:%M)}" } },
    { id: "n", kind: "set_variable", params: { name: "api_result", value: "x" } },
  ])("allows an editor's %j", (node) => {
    expect(asEditor(node)).toEqual([]);
  });

  it("the flow's declared variables too", () => {
    const flow = around({ id: "n", kind: "log", params: { message: "x" } });
    flow.settings.variables = [{ name: "api_on_answer", value: "system id" }];
    expect(brief(validate(flow).filter((d) => d.code === "IVR1013"))).toEqual([
      { code: "IVR1013", severity: "error", nodeId: undefined, param: "settings.variables.0.name", outcome: undefined },
    ]);
  });
});

describe("validateDocument", () => {
  it("loads, migrates and validates a good document", () => {
    const { flow, diagnostics } = validateDocument({ nodes: [{ id: "s", kind: "start" }, { id: "e", kind: "hangup" }], edges: [{ source: "s", outcome: "next", target: "e" }] });
    expect(flow?.schemaVersion).toBe(1);
    expect(diagnostics).toEqual([]);
  });

  it("returns the flow with its findings", () => {
    const r = validateDocument({ nodes: [{ id: "s", kind: "start" }] });
    expect(r.flow).toBeDefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["IVR1005"]);
  });

  it.each([
    [{ schemaVersion: 99, nodes: [] }, /newer IVR Studio/],
    [{ nodes: [{ id: 3, kind: "start" }] }, /nodes\.0\.id/],
    [42, /JSON object/],
    ["{not json", /not valid JSON/],
  ])("IVR1000 for a document that does not load: %j", (raw, message) => {
    const r = validateDocument(raw);
    expect(r.flow).toBeUndefined();
    expect(brief(r.diagnostics)).toEqual([{ code: "IVR1000", severity: "error" }]);
    expect(r.diagnostics[0].message).toMatch(message);
  });

  it("accepts JSON text", () => {
    const r = validateDocument(JSON.stringify({ nodes: [{ id: "s", kind: "start" }, { id: "e", kind: "hangup" }], edges: [{ source: "s", outcome: "next", target: "e" }] }));
    expect(r.diagnostics).toEqual([]);
  });
});

describe("validate: robustness", () => {
  it("does not throw on a hand-built object with holes", () => {
    const junk = {
      schemaVersion: 1,
      name: "junk",
      nodes: [
        { id: "start", kind: "start" },
        { id: "m", kind: "menu", params: null },
        { id: "x", kind: 42, params: { a: 1 } },
      ],
      edges: [{ source: "start", target: "m" }, null],
    } as unknown as FlowGraph;
    let ds: ReturnType<typeof validate> = [];
    expect(() => (ds = validate(junk))).not.toThrow();
    expect(ds.map((d) => d.code)).toContain("IVR1001");
    expect(ds.map((d) => d.code)).toContain("IVR1016"); // the menu (defaults) has no choices
  });
});
