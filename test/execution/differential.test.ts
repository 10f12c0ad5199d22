// Node kinds and settings the examples do not exercise (pre-answer, phrase, a play with
// interrupt keys that branches on the key, menu choices given as patterns, get_digits, the
// "log" hangup hook), run in Lua and TS with several callers: same path, same session calls.
import { describe, expect, it } from "vitest";
import { loadFlow } from "../../flow";
import { generate } from "../../generators";
import { LUA_VERSIONS, runLua, runTs, sessionCalls, typeCheck, type ScriptedCaller } from "../support/run-flow";

const flow = loadFlow({
  schemaVersion: 1,
  name: "Coverage",
  settings: { hangupHook: "log" },
  nodes: [
    { id: "start", kind: "start" },
    { id: "early", kind: "pre_answer" },
    { id: "intro", kind: "play", params: { file: "intro.wav", interruptKeys: "1*#", branchOnKey: true, keyVariable: "intro_key" } },
    { id: "phrase", kind: "phrase", params: { name: "greeting", data: "morning" } },
    {
      id: "pick",
      kind: "menu",
      params: {
        prompt: "pick.wav",
        invalidPrompt: "bad.wav",
        choices: [{ key: "[4-6]" }, { key: "7\\d" }, { key: "*9" }],
        maxDigits: 2,
        tries: 2,
        timeoutMs: 3000,
      },
    },
    { id: "low", kind: "set_variable", params: { name: "choice", value: "low" } },
    { id: "seventy", kind: "set_variable", params: { name: "choice", value: "seventy" } },
    { id: "star", kind: "set_variable", params: { name: "choice", value: "star" } },
    { id: "collect", kind: "get_digits", params: { maxDigits: 3, terminators: "#", variable: "got" } },
    { id: "echo", kind: "log", params: { level: "notice", message: "got ${got}" } },
    { id: "bye", kind: "hangup" },
  ],
  edges: [
    { source: "start", outcome: "next", target: "early" },
    { source: "early", outcome: "next", target: "intro" },
    { source: "intro", outcome: "next", target: "phrase" },
    { source: "intro", outcome: "key_1", target: "pick" },
    { source: "intro", outcome: "key_star", target: "phrase" },
    { source: "intro", outcome: "key_pound", target: "collect" },
    { source: "phrase", outcome: "next", target: "pick" },
    { source: "pick", outcome: "[4-6]", target: "low" },
    { source: "pick", outcome: "7\\d", target: "seventy" },
    { source: "pick", outcome: "*9", target: "star" },
    { source: "pick", outcome: "failed", target: "collect" },
    { source: "low", outcome: "next", target: "bye" },
    { source: "seventy", outcome: "next", target: "bye" },
    { source: "star", outcome: "next", target: "bye" },
    { source: "collect", outcome: "next", target: "echo" },
    { source: "collect", outcome: "failed", target: "bye" },
    { source: "echo", outcome: "next", target: "bye" },
  ],
});

const CALLERS: Array<{ name: string; caller: ScriptedCaller; path: string[] }> = [
  { name: "1 during the intro, then 5#", caller: { actions: [{ dtmf: "1" }, { dtmf: "5#" }] }, path: ["start", "early", "intro", "pick", "low", "bye"] },
  {
    name: "listens to the intro, then 72",
    caller: { actions: [{ noinput: true }, { dtmf: "72" }] },
    path: ["start", "early", "intro", "phrase", "pick", "seventy", "bye"],
  },
  { name: "* during the intro, then *9", caller: { actions: [{ dtmf: "*" }, { dtmf: "*9" }] }, path: ["start", "early", "intro", "phrase", "pick", "star", "bye"] },
  {
    name: "two invalid entries, then 12# at the bare collect",
    caller: { actions: [{ noinput: true }, { dtmf: "3#" }, { dtmf: "80" }, { dtmf: "12#" }] },
    path: ["start", "early", "intro", "phrase", "pick", "collect", "echo", "bye"],
  },
  { name: "# during the intro, nothing typed", caller: { actions: [{ dtmf: "#" }, { noinput: true }] }, path: ["start", "early", "intro", "collect", "bye"] },
  { name: "hangs up during the intro (hook logs, script winds down)", caller: { actions: [{ hangup: true }] }, path: ["start", "early", "intro"] },
];

describe("coverage flow, Lua vs TS", () => {
  const lua = generate(flow, "lua").code;
  const ts = generate(flow, "ts").code;

  it("TS type-checks", () => {
    expect(typeCheck({ coverage: ts }).errors.coverage).toEqual([]);
  });

  it.each(CALLERS)("$name", async ({ caller, path }) => {
    const t = await runTs(ts, caller);
    expect(t.harnessError).toBeUndefined();
    expect(t.error).toBeUndefined();
    expect(t.path).toEqual(path);
    expect(t.unusedActions).toEqual([]);
    for (const version of LUA_VERSIONS) {
      const l = await runLua(lua, caller, { lua: version });
      expect(l.harnessError, version).toBeUndefined();
      expect(l.error, version).toBeUndefined();
      expect(l.path, version).toEqual(path);
      expect(sessionCalls(l.trace), version).toEqual(sessionCalls(t.trace));
      expect(l.vars, version).toEqual(t.vars);
    }
  });
});
