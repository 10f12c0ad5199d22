// Run a flow (or ready code) in Lua under a real interpreter and in TS, against the
// stand-ins, with one scripted caller. The entry points the execution tests use.
import type { FlowGraph } from "../../flow";
import { generate } from "../../generators";
import type { ScriptedCaller } from "./caller";
import { runLuaScript, type LuaRunOptions } from "./lua-runner";
import type { RunResult } from "./run-result";
import type { TraceEntry } from "./session-model";
import { runTsScript, type TsRunOptions } from "./ts-runner";

export type { RunResult } from "./run-result";
export type { ScriptedCaller, CallerAction } from "./caller";
export { LUA_VERSIONS, type LuaVersion } from "./lua-runner";
export { typeCheck } from "./typecheck";

type Source = FlowGraph | string;

const luaCache = new WeakMap<FlowGraph, string>();
const tsCache = new WeakMap<FlowGraph, string>();

function codeFor(source: Source, language: "lua" | "ts"): string {
  if (typeof source === "string") return source;
  const cache = language === "lua" ? luaCache : tsCache;
  let code = cache.get(source);
  if (code === undefined) {
    code = generate(source, language).code;
    cache.set(source, code);
  }
  return code;
}

/** Lua: a FlowGraph is generated first; a string is taken as Lua source. */
export function runLua(source: Source, caller: ScriptedCaller, options: LuaRunOptions = {}): Promise<RunResult> {
  return runLuaScript(codeFor(source, "lua"), caller, options);
}

/** TS: a FlowGraph is generated first; a string is taken as TS source. */
export function runTs(source: Source, caller: ScriptedCaller, options: TsRunOptions = {}): Promise<RunResult> {
  return runTsScript(codeFor(source, "ts"), caller, options);
}

/** The session calls of a trace, comparable across languages (API/fetch calls differ by design). */
export function sessionCalls(trace: readonly TraceEntry[]): Array<Pick<TraceEntry, "method" | "args" | "result" | "node" | "error">> {
  return trace
    .filter((t) => t.kind === "session")
    .map((t) => ({
      method: t.method,
      args: t.args,
      result: t.result === undefined ? null : t.result,
      node: t.node,
      ...(t.error !== undefined ? { error: t.error } : {}),
    }));
}
