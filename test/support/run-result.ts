// What running a script on the scripted line produced, the same shape for Lua and TS.
import type { CallerAction } from "./caller";
import type { CallEvent, TraceEntry } from "./line";

export interface RunResult {
  language: "lua" | "ts";
  /** Every call the script made, in order (session methods, API commands). */
  trace: TraceEntry[];
  /** Node ids in the order the script set `ivr_node`. */
  path: string[];
  events: CallEvent[];
  /** Channel variables at the end. */
  vars: Record<string, string>;
  /** Caller actions the script never consumed. */
  unusedActions: CallerAction[];
  /** Why the script stopped early: a Lua/TS error message, or "exit"/"die" from the hangup hook. */
  error?: string;
  /** Set when the hangup hook's exit/die ended the script. */
  exitedBy?: string;
  /** The harness or the scripted caller could not go on (a test bug, not a script bug). */
  harnessError?: string;
  /** What a plain lua5.x script printed. */
  output: string;
  stderr?: string;
  traceback?: string;
}

/** The calls of one session method in a trace, arguments only. */
export function argsOf(r: RunResult, method: string): unknown[][] {
  return r.trace.filter((t) => t.kind === "session" && t.method === method).map((t) => t.args);
}
