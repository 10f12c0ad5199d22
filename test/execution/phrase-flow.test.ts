// A flow with a Phrase node, generated and run on the runtime in TS and in Lua (the runtime's
// Lua host and a plain lua5.4 through the stand-in): the caller hears the macro's files in
// FreeSWITCH's order, with the data from a channel variable and a nomatch for bad data.
import { describe, expect, it } from "vitest";
import { loadFlow } from "../../flow";
import { parsePhrase } from "../../flow/phrases";
import { luaAvailable, runLua, runTs, sessionCalls, type CallEvent, type ScriptedCaller } from "../support/run-flow";

const flow = loadFlow({
  schemaVersion: 1,
  name: "Queue",
  nodes: [
    { id: "start", kind: "start" },
    { id: "answer", kind: "answer" },
    { id: "position", kind: "phrase", params: { name: "queue_position", data: "${queue_pos}" } },
    { id: "bye", kind: "hangup" },
  ],
  edges: [
    { source: "start", outcome: "next", target: "answer" },
    { source: "answer", outcome: "next", target: "position" },
    { source: "position", outcome: "next", target: "bye" },
  ],
});

const phrases = [
  parsePhrase({
    name: "queue_position",
    pauseMs: 0,
    inputs: [
      {
        pattern: "^(\\d+)$",
        match: [
          { type: "file", file: "ivr/ivr-you_are_number.wav" },
          { type: "say", text: "$1", sayType: "ITEMS", method: "PRONOUNCED" },
          { type: "file", file: "ivr/ivr-in_line.wav" },
        ],
        nomatch: [{ type: "file", file: "ivr/ivr-please_hold.wav" }],
      },
    ],
  }),
];

const plays = (events: readonly CallEvent[]) => events.flatMap((e) => (e.type === "play" ? [e.file] : []));
const caller = (pos: string): ScriptedCaller => ({ actions: [], variables: { queue_pos: pos }, phrases });

describe("a flow playing a phrase macro", () => {
  it("TS and Lua play the macro's files, say included, in order", async () => {
    const ts = await runTs(flow, caller("21"));
    expect(ts.error).toBeUndefined();
    expect(plays(ts.events)).toEqual(["ivr/ivr-you_are_number.wav", "file_string://digits/20.wav!digits/1.wav", "ivr/ivr-in_line.wav"]);
    const lua = await runLua(flow, caller("21"), { lua: "runtime" });
    expect(plays(lua.events)).toEqual(plays(ts.events));
    expect(sessionCalls(lua.trace)).toEqual(sessionCalls(ts.trace));
    expect(ts.path).toEqual(["start", "answer", "position", "bye"]);
  });

  it.runIf(luaAvailable("lua5.4"))("plain lua5.4 through the stand-in, with data that takes the nomatch", async () => {
    const lua = await runLua(flow, caller("soon"), { lua: "lua5.4" });
    expect(plays(lua.events)).toEqual(["ivr/ivr-please_hold.wav"]);
  });
});
