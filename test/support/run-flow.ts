// Run a flow (or ready code) in Lua and in TS on a scripted line (the runtime's FsSession),
// with one scripted caller. The entry points the execution and generator tests use.
import type { FlowGraph } from "../../flow";
import { generate, type GenerateOptions } from "../../generators";
import type { ScriptedCaller } from "./caller";
import { runLuaScript, type LuaRunOptions, type LuaVersion } from "./lua-runner";
import type { RunResult } from "./run-result";
import type { TraceEntry } from "./line";
import { runTsScript, type TsRunOptions } from "./ts-runner";

export { argsOf, type RunResult } from "./run-result";
export type { CallEvent, HttpRequest, TraceEntry } from "./line";
export type { ScriptedCaller, CallerAction } from "./caller";
export { LUA_VERSIONS, PLAIN_LUA_VERSIONS, luaAvailable, luaCompileError, type LuaVersion } from "./lua-runner";
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

export type Runner = LuaVersion | "ts";

/** Generate a flow (with generator options, e.g. an admin author) and run it in one language. */
export function runFlow(flow: FlowGraph, runner: Runner, caller: ScriptedCaller, gen: GenerateOptions = {}): Promise<RunResult> {
  if (runner === "ts") return runTsScript(generate(flow, "ts", gen).code, caller);
  return runLuaScript(generate(flow, "lua", gen).code, caller, { lua: runner });
}

/** The session calls of a trace, comparable across languages (API calls are Lua's alone). */
export function sessionCalls(trace: readonly TraceEntry[]): Array<Pick<TraceEntry, "method" | "args" | "result" | "node">> {
  return trace
    .filter((t) => t.kind === "session")
    .map((t) => ({ method: t.method, args: t.args, result: t.result === undefined ? null : t.result, node: t.node }));
}
