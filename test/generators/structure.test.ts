// Shape of the generated scripts: determinism, line maps, 300-node flows, keyword ids,
// validation errors, the binding surface, and the Lua 5.2 syntax subset.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate, GenerateError } from "../../generators";
import { checkArity, SESSION_METHODS } from "../../generators/lua/binding";
import { ADMIN, buildFlow, exampleFlows, FIXTURES, kitchenSink, loadJsonFlow } from "./support/flows";
import { argsOf, luaAvailable, luaCompileError, PLAIN_LUA_VERSIONS, runFlow } from "../support/run-flow";

const LUAS = PLAIN_LUA_VERSIONS.filter(luaAvailable);
/** A plain interpreter, the runtime's Lua host, and TS. */
const RUNNERS = [...LUAS.slice(0, 1), "runtime", "ts"] as const;

function bigFlow(count: number) {
  const nodes = [{ id: "start", kind: "start" }];
  const edges: Array<[string, string, string]> = [];
  let prev = "start";
  for (let i = 0; i < count; i++) {
    const id = `step_${i}`;
    nodes.push(i % 3 === 0 ? { id, kind: "log", params: { message: `step ${i}` } } as never : { id, kind: "set_variable", params: { name: "v", value: String(i) } } as never);
    edges.push([prev, "next", id]);
    prev = id;
  }
  return buildFlow(nodes, edges);
}

describe("generated scripts", () => {
  it("are deterministic: same flow, same bytes and map", () => {
    const a = generate(kitchenSink(), "lua", ADMIN);
    const b = generate(kitchenSink(), "lua", ADMIN);
    expect(b.code).toBe(a.code);
    expect(b.map).toEqual(a.map);
    const c = generate(kitchenSink(), "ts", ADMIN);
    expect(generate(kitchenSink(), "ts", ADMIN).code).toBe(c.code);
  });

  it("map every node to the lines of its own function", () => {
    const flow = kitchenSink();
    for (const lang of ["lua", "ts"] as const) {
      const { code, map } = generate(flow, lang, ADMIN);
      const lines = code.split("\n");
      expect(Object.keys(map).sort()).toEqual(flow.nodes.map((n) => n.id).sort());
      let last = 0;
      for (const node of flow.nodes) {
        const { start, end } = map[node.id];
        expect(start).toBeGreaterThan(last);
        expect(end).toBeGreaterThanOrEqual(start);
        last = end;
        const text = lines.slice(start - 1, end).join("\n");
        expect(text).toContain(`"ivr_node", "${node.id}"`);
        expect(text.trimEnd().endsWith(lang === "lua" ? "end" : "};")).toBe(true);
      }
    }
  });

  it.each(LUAS)("a 300-node flow loads and runs in %s (no local per node)", async (bin) => {
    const flow = bigFlow(300);
    const { code } = generate(flow, "lua");
    expect(luaCompileError(code, bin)).toBeUndefined();
    expect(code.match(/^local /gm)?.length ?? 0).toBeLessThan(10);
    const r = await runFlow(flow, bin, { actions: [] });
    expect(r.error).toBeUndefined();
    expect(r.path).toHaveLength(301);
  });

  it.each(LUAS)("every fixture and example compiles in %s", (bin) => {
    const flows = [kitchenSink(), loadJsonFlow(join(FIXTURES, "keywords.json")), ...exampleFlows().map((e) => loadJsonFlow(e.path))];
    for (const flow of flows) expect(luaCompileError(generate(flow, "lua", ADMIN).code, bin), flow.name).toBeUndefined();
  });

  it("keyword-named and digit-leading node ids run in both languages", async () => {
    const flow = loadJsonFlow(join(FIXTURES, "keywords.json"));
    const ids = flow.nodes.map((n) => n.id);
    for (const runner of RUNNERS) {
      const r = await runFlow(flow, runner, { actions: [] });
      expect(r.error, runner).toBeUndefined();
      expect(r.path, runner).toEqual(ids);
      expect(argsOf(r, "sleep").map((a) => a[0])).toEqual(flow.nodes.filter((n) => n.kind === "sleep").map((n) => n.params.ms));
    }
  });

  it("use Lua 5.2 syntax only and the allowed FreeSWITCH surface", () => {
    const flows = [kitchenSink(), ...exampleFlows().map((e) => loadJsonFlow(e.path))];
    for (const flow of flows) {
      const { code } = generate(flow, "lua", ADMIN);
      const noStrings = code.replace(/"(?:\\.|[^"\\\n])*"/g, '""').replace(/--.*$/gm, "");
      expect(noStrings).not.toMatch(/\/\/|<const>|<close>|\bgoto\b|::\w+::|[&~|]\s*\d|<<|>>/);
      for (const m of noStrings.matchAll(/session:(\w+)\(/g)) expect(SESSION_METHODS[m[1]], m[1]).toBeDefined();
      for (const m of noStrings.matchAll(/freeswitch\.(\w+)/g)) expect(["consoleLog", "API", "JSON"]).toContain(m[1]);
      for (const m of code.matchAll(/freeswitch\.API\(\):execute\("(\w+)"/g)) expect(["regex", "strftime_tz", "curl"]).toContain(m[1]);
      expect(noStrings).not.toMatch(/hangupCause\(/);
      expect(noStrings).not.toMatch(/os\.|io\.|require\(/);
    }
  });

  it("the binding arity table is what the printers enforce", () => {
    expect(checkArity(SESSION_METHODS, "read", 5)).toBeUndefined();
    expect(checkArity(SESSION_METHODS, "read", 7)).toMatch(/takes 5-6/);
    expect(checkArity(SESSION_METHODS, "executeString", 1)).toMatch(/not in the allowed/);
  });

  it("unconnected outcomes end the script", async () => {
    const flow = buildFlow(
      [
        { id: "start", kind: "start" },
        { id: "m", kind: "menu", params: { prompt: "p.wav", choices: [{ key: "1" }] } },
      ],
      [["start", "next", "m"]],
    );
    const { code } = generate(flow, "lua");
    expect(code).toContain("return nil -- failed: not connected");
    for (const runner of RUNNERS) {
      const r = await runFlow(flow, runner, { actions: [{ noinput: true }, { noinput: true }, { noinput: true }] });
      expect(r.error, runner).toBeUndefined();
      expect(r.path, runner).toEqual(["start", "m"]);
      expect(r.unusedActions, runner).toEqual([]);
    }
  });

  it("throw GenerateError with diagnostics for a broken flow", () => {
    const noStart = buildFlow([{ id: "a", kind: "answer" }], []);
    expect(() => generate(noStart, "lua")).toThrow(GenerateError);
    try {
      generate(noStart, "ts");
    } catch (err) {
      expect((err as GenerateError).diagnostics.some((d) => d.severity === "error")).toBe(true);
    }
    const unknown = buildFlow([{ id: "start", kind: "start" }, { id: "x", kind: "teleport" }], [["start", "next", "x"]]);
    expect(() => generate(unknown, "lua")).toThrow(GenerateError);
    // Custom code needs an admin author (validate() rule, passed through).
    const custom = kitchenSink();
    let diags: GenerateError["diagnostics"] = [];
    try {
      generate(custom, "lua");
    } catch (err) {
      diags = (err as GenerateError).diagnostics;
    }
    expect(diags.map((d) => d.nodeId)).toContain("custom");
  });

  it("puts the flow version, modules and install hints in the header", () => {
    const { code } = generate(kitchenSink(), "lua", { ...ADMIN, flowVersion: 12 });
    const header = code.split("\n").slice(0, 10).join("\n");
    expect(header).toContain("Flow version: 12.");
    expect(header).toContain('<action application="lua" data="kitchen_sink.lua"/>');
    expect(header).toMatch(/modules needed: mod_lua, mod_commands, .*mod_flite.*mod_curl/);
    expect(readFileSync(join(FIXTURES, "kitchen-sink.json"), "utf8")).toContain("custom_code");
  });

  it("custom code cannot leave its node: errors are logged and the flow goes on", async () => {
    const flow = buildFlow(
      [
        { id: "start", kind: "start" },
        { id: "bad_syntax", kind: "custom_code", params: { lua: "this is not lua ]]", ts: "throw new Error(\"boom\");" } },
        { id: "escape", kind: "custom_code", params: { lua: "N = nil current = nil return 'hangup'", ts: "return \"hangup\";" } },
        { id: "raises", kind: "custom_code", params: { lua: "error('boom')", ts: "await session.setVariable(\"x\", \"1\"); throw 'boom';" } },
        { id: "end", kind: "log", params: { message: "reached" } },
      ],
      [["start", "next", "bad_syntax"], ["bad_syntax", "next", "escape"], ["escape", "next", "raises"], ["raises", "next", "end"]],
    );
    for (const runner of RUNNERS) {
      const r = await runFlow(flow, runner, { actions: [] }, ADMIN);
      expect(r.error, runner).toBeUndefined();
      expect(r.path, runner).toEqual(["start", "bad_syntax", "escape", "raises", "end"]);
      const logs = r.events.flatMap((e) => (e.type === "log" ? [{ level: e.level, message: e.message }] : []));
      const errs = logs.filter((l) => l.level === "err").map((l) => l.message);
      expect(errs, runner).toHaveLength(2);
      expect(errs[0]).toMatch(/^ivr: custom code in node bad_syntax failed: /);
      expect(errs[1]).toMatch(/^ivr: custom code in node raises failed: .*boom/);
      expect(logs.at(-1)).toEqual({ level: "info", message: "reached\n" });
    }
  });
});
