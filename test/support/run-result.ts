// What running a script against a stand-in produced, the same shape for Lua and TS.
import type { CallerAction } from "./caller";
import type { CallEvent, TraceEntry } from "./session-model";

export interface RunResult {
  language: "lua" | "ts";
  /** Every call the script made, in order (session methods, API commands, host calls such as fetch). */
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
  /** The stand-in or the scripted caller could not go on (a test bug, not a script bug). */
  harnessError?: string;
  /** What the script printed (Lua print / TS console is not captured). */
  output: string;
  stderr?: string;
  traceback?: string;
}
