// Hostile user strings survive generation and a real interpreter: what the script hands
// the session is byte for byte what the designer typed, in every Lua version and in TS
// (up to a NUL on the runtime's Lua host, as in mod_lua);
// a regex with quotes, spaces and the mod_commands delimiters still matches as written.
import { describe, expect, it } from "vitest";
import { loadFlow, type FlowGraph } from "../../flow";
import { LUA_VERSIONS, runLua, runTs, sessionCalls } from "../support/run-flow";

const HOSTILE = `he said "hi" it's ]] [[ \\ back\\slash \n new\r\n line \u0000 nul ~|/ é 😀 %s --[==[ \${`;

function linear(nodes: Array<{ id: string; kind: string; params?: Record<string, unknown> }>, extraEdges: Array<[string, string, string]> = []): FlowGraph {
  const edges = nodes.slice(0, -1).map((n, i) => ({ source: n.id, outcome: "next", target: nodes[i + 1].id }));
  return loadFlow({
    schemaVersion: 1,
    name: "hostile",
    nodes,
    edges: [...edges, ...extraEdges.map(([source, outcome, target]) => ({ source, outcome, target }))],
  });
}

describe("hostile strings", () => {
  const flow = linear([
    { id: "start", kind: "start" },
    { id: "play", kind: "play", params: { file: HOSTILE } },
    { id: "log", kind: "log", params: { level: "info", message: "plain text" } },
    { id: "speak", kind: "speak", params: { text: HOSTILE.replace("${", "$ {") } },
    { id: "bye", kind: "hangup" },
  ]);

  it("reach streamFile and speak unchanged in lua5.2/5.3/5.4 and TS", async () => {
    const ts = await runTs(flow, { actions: [] });
    expect(ts.harnessError).toBeUndefined();
    const played = ts.trace.find((t) => t.method === "streamFile");
    expect(played?.args).toEqual([HOSTILE]);
    expect(ts.trace.find((t) => t.method === "speak")?.args).toEqual([HOSTILE.replace("${", "$ {")]);
    // mod_lua hands C strings to the core: the runtime's Lua host, like FreeSWITCH, ends them at a NUL.
    const cString = (calls: ReturnType<typeof sessionCalls>) =>
      calls.map((c) => ({ ...c, args: c.args.map((a) => (typeof a === "string" ? a.split("\u0000")[0] : a)) }));
    for (const lua of LUA_VERSIONS) {
      const r = await runLua(flow, { actions: [] }, { lua });
      expect(r.harnessError, lua).toBeUndefined();
      expect(r.path, lua).toEqual(["start", "play", "log", "speak", "bye"]);
      const expected = lua === "runtime" ? cString(sessionCalls(ts.trace)) : sessionCalls(ts.trace);
      expect(sessionCalls(r.trace), lua).toEqual(expected);
    }
  });
});

describe("regex through FreeSWITCH's argument splitter", () => {
  const flow = linear(
    [
      { id: "start", kind: "start" },
      { id: "set", kind: "set_variable", params: { name: "x", value: "it's a ~/| 5" } },
      {
        id: "check",
        kind: "branch",
        params: { variable: "x", cases: [{ key: "match", op: "regex", value: "^it's a ~/\\| \\d$" }] },
      },
      { id: "matched", kind: "hangup" },
    ],
    [["check", "default", "unmatched"]],
  );
  flow.nodes.push({ id: "unmatched", kind: "hangup", label: "", params: {}, position: { x: 0, y: 0 } });
  flow.edges = flow.edges.map((e) => (e.source === "check" && e.outcome === "next" ? { ...e, outcome: "match" } : e));

  it("matches the same in Lua (mod_commands regex) and TS (RegExp)", async () => {
    const ts = await runTs(flow, { actions: [] });
    expect(ts.harnessError).toBeUndefined();
    expect(ts.path).toEqual(["start", "set", "check", "matched"]);
    for (const lua of LUA_VERSIONS) {
      const r = await runLua(flow, { actions: [] }, { lua });
      expect(r.harnessError, lua).toBeUndefined();
      expect(r.path, lua).toEqual(ts.path);
      const regexCalls = r.trace.filter((t) => t.kind === "api" && t.method === "regex");
      expect(regexCalls.map((t) => t.result), lua).toEqual(["true"]);
    }
  });
});
