// Messages between the web server's thread (index.ts: database, route table, call log writer)
// and the runtime thread (runtime-thread.ts: SIP, calls, scripts, with the media worker beside
// it). Everything is plain data: routes travel as pattern + script file, call log entries in
// batches, and the database stays with its single owner, the web server's thread.
import type { CallLogEntry } from "../../../../runtime/session/call-log";
import type { OutboundState } from "../../../../runtime/server";
import type { OutboundConfigData } from "../gateways/store";
import type { RuntimeConfig } from "./config";
import type { PhraseMacro } from "../../../../flow/phrases";

/** One route as the runtime thread receives it: the script file and what it runs, for the call log. */
export interface ThreadRoute {
  pattern: string;
  script: string;
  flowId: string;
  version: number;
}

export interface RuntimeThreadData {
  config: RuntimeConfig;
  /** Prompt/TTS/media caches of the runtime. */
  cacheDir: string;
  routes: ThreadRoute[];
  httpAllowList: string[];
  /** Gateways, SIP users (passwords decrypted: this never leaves the process) and outbound limits. */
  outbound: OutboundConfigData;
  /** The phrase library (sayPhrase). */
  phrases: PhraseMacro[];
  debug: boolean;
  /**
   * The CPU priority (nice) the runtime thread should run at: the web server's thread lowers its
   * own once the runtime is up, and a runtime thread it starts later (a restart) inherits that.
   */
  priority: number;
}

export interface RuntimeThreadStats {
  activeCalls: number;
  routes: number;
  sipPort: number;
  /** The runtime thread's own event-loop delay since the previous stats call (ms). */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Call log entries handed to the web server's thread so far. */
  callLogEntries: number;
  /** New calls are refused (drain or stop began). */
  draining: boolean;
}

/** A call in progress on the runtime thread, as the live view shows it. */
export interface LiveCall {
  /** The runtime's call UUID (the call log's callId). */
  callId: string;
  from: string;
  to: string;
  /** What the call's route ran when it started (null: a route outside the designer's table). */
  flowId: string | null;
  version: number | null;
  startedAt: string;
  /** The node the call is in now (null until its script enters one). */
  node: string | null;
  /** Since when it is in that node. */
  nodeSince: string;
}

export type ToRuntime =
  | { type: "routes"; routes: ThreadRoute[]; httpAllowList: string[]; phrases: PhraseMacro[] }
  /** While on, the runtime thread pushes the live calls whenever they change (at most every LIVE_PUSH_MS). */
  | { type: "live-watch"; on: boolean }
  | { type: "live"; id: number }
  | { type: "hangup"; id: number; callId: string }
  | { type: "outbound"; outbound: OutboundConfigData }
  | { type: "stats"; id: number }
  | { type: "drain" }
  | { type: "stop"; graceMs: number };

export type FromRuntime =
  | { type: "ready"; sipPort: number; metricsPort?: number }
  | { type: "failed"; message: string }
  | { type: "log"; line: string }
  | { type: "calls"; entries: CallLogEntry[] }
  | { type: "outbound-state"; state: OutboundState }
  | { type: "stats"; id: number; stats: RuntimeThreadStats }
  /** The calls in progress: the answer to a "live" request (id), or a push while watched (no id). */
  | { type: "live"; id?: number; calls: LiveCall[] }
  | { type: "hangup"; id: number; found: boolean }
  | { type: "stopping"; activeCalls: number }
  | { type: "draining"; activeCalls: number }
  | { type: "stopped" };

/** Pushes of the live calls are at most this often (a busy runtime changes nodes many times a second). */
export const LIVE_PUSH_MS = 250;
