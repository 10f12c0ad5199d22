// The catalog and the generators agree: the kitchen-sink fixture holds every node kind (so a
// new kind cannot miss the generator tests), and each kind's catalog `sessionMethods` is what
// its generated code calls, read from the generated Lua (each node's function, found through
// the line map, plus the helpers it calls) and matched by the generated TS: every method the
// catalog names is called, and every other call is one of the few any kind may make.
import { describe, expect, it } from "vitest";
import { CATALOG, NODE_KINDS } from "../../flow";
import { generate } from "../../generators";
import { LUA_HELPER_NAMES, LUA_HELPERS } from "../../generators/lua/helpers";
import { TS_HELPER_NAMES, TS_HELPERS } from "../../generators/typescript/helpers";
import { ADMIN, kitchenSink } from "./support/flows";

const flow = kitchenSink();
const lua = generate(flow, "lua", ADMIN);
const ts = generate(flow, "ts", ADMIN);

/** The text of one node's function, from the line map. */
function nodeText(code: string, map: Record<string, { start: number; end: number }>, id: string): string {
  const { start, end } = map[id];
  return code.split("\n").slice(start - 1, end).join("\n");
}

/** Helper texts reached from `text` (helpers call helpers: ivr_http uses ivr_json_path...). */
function withHelpers(text: string, names: Record<string, string>, sources: Record<string, string>): string {
  const seen = new Set<string>();
  const queue = [text];
  let all = "";
  while (queue.length > 0) {
    const t = queue.pop()!;
    all += `\n${t}`;
    for (const [helper, fn] of Object.entries(names)) {
      if (!seen.has(helper) && new RegExp(`\\b${fn}\\(`).test(t)) {
        seen.add(helper);
        queue.push(sources[helper]);
      }
    }
  }
  return all;
}

/** The FreeSWITCH surface a piece of Lua uses, in the catalog's spelling. */
function luaSurface(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\bsession:(\w+)\(/g)) out.add(m[1]);
  for (const m of text.matchAll(/freeswitch\.API\(\):execute\("(\w+)"/g)) out.add(`freeswitch.API:${m[1]}`);
  if (/freeswitch\.JSON\(\)/.test(text)) out.add("freeswitch.JSON");
  return [...out].sort();
}

const tsSessionMethods = (text: string) => [...new Set([...text.matchAll(/\bsession\.(\w+)\(/g)].map((m) => m[1]))].sort();

/**
 * Calls that are not what a kind stands for: the ivr_node and ivr_hangup_by_flow markers the
 * scaffolding sets, and the admin's own Custom code.
 */
function ownCode(text: string, node: (typeof flow.nodes)[number], language: "lua" | "ts"): string {
  let t = text.replace(/session[:.]setVariable\("(ivr_node|ivr_hangup_by_flow)", [^)]*\)/g, "");
  if (node.kind !== "custom_code") return t;
  if (language === "lua") return t.replace(/load\("(?:[^"\\]|\\.)*"/g, 'load(""'); // the snippet is a string literal
  for (const line of ((node.params as { ts?: string }).ts ?? "").split("\n")) if (line.trim()) t = t.replace(line.trim(), "");
  return t;
}

/** What any kind may call besides its own methods, and why. */
const INCIDENTAL: Record<string, string> = {
  getVariable: "a ${name} in a text parameter is read from the channel",
  consoleLog: "helpers log their failures (strftime_tz, HTTP)",
  "freeswitch.API:regex": "a pattern (menu key, branch case, digits regex) is tested by FreeSWITCH's PCRE",
};

const nodesOf = (kind: string) => flow.nodes.filter((n) => n.kind === kind);

describe("catalog and generators agree", () => {
  it("the kitchen-sink fixture contains every node kind", () => {
    const missing = NODE_KINDS.filter((k) => nodesOf(k).length === 0);
    expect(missing, "add a node of each of these kinds to test/generators/fixtures/kitchen-sink.json").toEqual([]);
  });

  it("the channel variables a kind's catalog entry lists are what both languages set (and unset after, when it says so)", () => {
    const withVars = flow.nodes.filter((n) => CATALOG[n.kind as keyof typeof CATALOG].channelVariables);
    expect(withVars.length).toBeGreaterThan(0);
    for (const node of withVars) {
      const spec = CATALOG[node.kind as keyof typeof CATALOG];
      const vars = spec.channelVariables!(spec.params.parse(node.params) as never);
      const luaText = nodeText(lua.code, lua.map, node.id);
      const tsText = nodeText(ts.code, ts.map, node.id);
      for (const v of vars) {
        expect(luaText, node.id).toContain(`session:setVariable(${JSON.stringify(v.name)}, ${JSON.stringify(v.value)})`);
        expect(tsText, node.id).toContain(`session.setVariable(${JSON.stringify(v.name)}, ${JSON.stringify(v.value)})`);
        expect(luaText.includes(`session:setVariable(${JSON.stringify(v.name)}, nil)`), `${node.id} ${v.name}`).toBe(v.unsetAfter === true);
      }
    }
  });

  it.each(NODE_KINDS)("%s: catalog sessionMethods are what the generated Lua calls; TS calls the same session methods", (kind) => {
    const luaCalls = new Set<string>();
    const tsCalls = new Set<string>();
    for (const node of nodesOf(kind)) {
      const l = withHelpers(ownCode(nodeText(lua.code, lua.map, node.id), node, "lua"), LUA_HELPER_NAMES, LUA_HELPERS);
      for (const m of luaSurface(l)) luaCalls.add(m);
      const t = withHelpers(ownCode(nodeText(ts.code, ts.map, node.id), node, "ts"), TS_HELPER_NAMES, TS_HELPERS);
      for (const m of tsSessionMethods(t)) tsCalls.add(m);
    }
    expect(nodesOf(kind).length, `no ${kind} node in the kitchen sink`).toBeGreaterThan(0);
    const catalog = CATALOG[kind].sessionMethods;
    expect(catalog.filter((m) => !luaCalls.has(m)), `catalog ${kind}.sessionMethods the generated Lua never calls`).toEqual([]);
    const extra = [...luaCalls].filter((m) => !catalog.includes(m) && !(m in INCIDENTAL));
    expect(extra, `generated Lua for ${kind} calls what its catalog entry does not name`).toEqual([]);
    const own = (calls: Iterable<string>) => [...calls].filter((m) => !m.startsWith("freeswitch.") && !(m in INCIDENTAL)).sort();
    expect(own(tsCalls), `session methods of ${kind}: TS vs Lua`).toEqual(own(luaCalls));
  });
});
