// Every examples/*.json, generated to Lua and TS, run on the runtime's session with
// scripted callers: the exact node path in lua5.2, lua5.3, lua5.4, the runtime's Lua host and
// TS, and the same session calls (method, arguments, results, node) in both languages.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { loadFlow, type FlowGraph } from "../../flow";
import { generate } from "../../generators";
import { LUA_VERSIONS, runLua, runTs, sessionCalls, typeCheck, type RunResult, type ScriptedCaller } from "../support/run-flow";
import { SCENARIOS, type Scenario } from "./scenarios";

const EXAMPLES_DIR = fileURLToPath(new URL("../../examples", import.meta.url));
const examples = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ name: path.basename(f, ".json"), flow: loadFlow(JSON.parse(readFileSync(path.join(EXAMPLES_DIR, f), "utf8"))) }));

/** Callers every example gets: one who hangs up at once, one who never types anything. */
const GENERIC_CALLERS: Array<{ name: string; caller: ScriptedCaller }> = [
  { name: "hangs up at the first wait", caller: { actions: [{ hangup: true }], http: [{ status: 200, body: "{}" }] } },
  {
    name: "never types anything",
    caller: {
      actions: Array.from({ length: 12 }, () => ({ noinput: true as const })),
      http: [{ status: 200, body: "{}" }],
      defaultBridge: "no_answer",
    },
  },
];

const typeName = (example: string) => example.replace(/[^A-Za-z0-9_]/g, "_");
let typeErrors: Record<string, string[]> = {};
// One compiler program for every example's TS (a program per file costs seconds each).
beforeAll(() => {
  const sources: Record<string, string> = {};
  for (const { name, flow } of examples) sources[typeName(name)] = generate(flow, "ts").code;
  typeErrors = typeCheck(sources).errors;
}, 60_000);

function expectSameRun(lua: RunResult, ts: RunResult): void {
  expect(lua.harnessError, "Lua caller").toBeUndefined();
  expect(ts.harnessError, "TS caller").toBeUndefined();
  expect(lua.path).toEqual(ts.path);
  expect(sessionCalls(lua.trace)).toEqual(sessionCalls(ts.trace));
  expect(lua.exitedBy).toEqual(ts.exitedBy);
}

describe.each(examples)("example $name", ({ name, flow }: { name: string; flow: FlowGraph }) => {
  let lua = "";
  let ts = "";
  beforeAll(() => {
    lua = generate(flow, "lua").code;
    ts = generate(flow, "ts").code;
  });

  it("generated TS type-checks with the repo tsconfig", () => {
    expect(typeErrors[typeName(name)]).toEqual([]);
  });

  const scenarios: Scenario[] = SCENARIOS[name] ?? [];
  it.each(scenarios)("$name", async ({ caller, path: expected, ends }) => {
    const tsRun = await runTs(ts, caller);
    // the only error a flow may end with is the hangup hook's exit
    if (tsRun.error !== undefined) expect(tsRun.exitedBy, `TS error: ${tsRun.error}`).toBeDefined();
    if (ends) expect(tsRun.exitedBy).toBe(ends);
    expect(tsRun.path).toEqual(expected);
    expect(tsRun.unusedActions).toEqual([]);
    for (const version of LUA_VERSIONS) {
      const luaRun = await runLua(lua, caller, { lua: version });
      if (luaRun.error !== undefined) expect(luaRun.exitedBy, `${version} error: ${luaRun.error}`).toBeDefined();
      if (ends) expect(luaRun.exitedBy, version).toBe(ends);
      expect(luaRun.path, version).toEqual(expected);
      expect(luaRun.unusedActions, version).toEqual([]);
      expectSameRun(luaRun, tsRun);
    }
  });

  it.each(GENERIC_CALLERS)("Lua and TS agree when the caller $name", async ({ caller }) => {
    const tsRun = await runTs(ts, caller);
    expect(tsRun.path[0]).toBe("start");
    for (const version of LUA_VERSIONS) {
      const luaRun = await runLua(lua, caller, { lua: version });
      expect(luaRun.error ?? null, version).toEqual(tsRun.error ?? null);
      expectSameRun(luaRun, tsRun);
    }
  });
});
