// The scripted caller: what the person (and the network) on the other end does, as a
// queue of actions consumed while a script runs on the runtime's FsSession (see line.ts for
// when each action is taken). One caller gives a Lua and a TS script the same call.
//
// - an input wait (getDigits, read, one try of playAndGetDigits) takes digits already
//   typed, then one action: `dtmf` (typed), `noinput` (the wait times out), `hangup`; an
//   empty queue means the caller hangs up;
// - a playback (streamFile, sleep, speak, say, sayPhrase, recordFile) takes a `hangup`
//   (with `during`, only in that method) and, only while an input callback listens, one
//   `dtmf` action (to the callback digit by digit) or one `noinput` (it runs out). Without a
//   callback digits are not taken: they arrive at the next input wait (FreeSWITCH queues them);
// - execute("bridge", ...) takes a `bridge` action (the far end), or `defaultBridge`.
import type { PhraseMacro } from "../../flow/phrases";

export type CallerAction =
  | { dtmf: string }
  | { noinput: true }
  /** during: only a call of that session method takes it (e.g. "recordFile"); earlier waits let it pass. */
  | { hangup: true; during?: string }
  /** answered, busy, no_answer, or any hangup cause name (e.g. "CALL_REJECTED"); then: caller hangs up during the bridged call. */
  | { bridge: string; then?: "hangup" };

export interface HttpReply {
  /** HTTP status; 0 = the connection failed (mod_curl reports status_code 0). */
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface ScriptedCaller {
  actions: CallerAction[];
  /** Channel variables of the inbound call, over the defaults (caller_id_number, destination_number, uuid...). */
  variables?: Record<string, string>;
  /** The runtime clock's start (ISO 8601 with zone); default Thursday 2026-11-26 15:00 UTC. */
  now?: string;
  /** The scripts' local zone (os.date, strftime, Date); default UTC. */
  zone?: string;
  /** Replies to HTTP requests, consumed in order (mod_curl in Lua, fetch in TS). */
  http?: HttpReply[];
  /** How long recordings last (record_ms); default 4000. */
  recordMs?: number;
  /** Bridge result when the next action is not a `bridge` one (for callers written without the flow in mind). */
  defaultBridge?: string;
  /** argv[1..n] of the Lua script / argv of the TS main. */
  argv?: string[];
  /** Calls allowed before the run is stopped as a runaway loop; default 2000. */
  maxCalls?: number;
  /** Phrase macros sayPhrase plays (the designer's phrase library); default none. */
  phrases?: PhraseMacro[];
}

export const DEFAULT_CALL_VARIABLES: Readonly<Record<string, string>> = {
  uuid: "2b1f6c9e-5d0a-4c55-9a53-7c2a4e0b9f01",
  caller_id_number: "15551230001",
  caller_id_name: "Test Caller",
  ani: "15551230001",
  destination_number: "5000",
  network_addr: "127.0.0.1",
  context: "default",
  chan_name: "sofia/internal/15551230001@127.0.0.1:5062",
  direction: "inbound",
  default_language: "en",
};
