// The Session methods a TS script can call across the isolate boundary: the realm builds its
// `session` from this list and the host refuses any other name. The type check below fails when
// runtime/session/types.ts gains or loses a method without this list following.
import type { Session } from "../../session/types";

/** Methods that take a script function: the realm keeps the function, the host calls back by message. */
export const CALLBACK_METHODS = ["setInputCallback", "setHangupHook"] as const;

export const SESSION_METHODS = [
  "answer",
  "preAnswer",
  "insertFile",
  "answered",
  "ready",
  "mediaReady",
  "bridged",
  "hangup",
  "hangupCause",
  "getState",
  "get_uuid",
  "transfer",
  "execute",
  "setVariable",
  "getVariable",
  "consoleLog",
  "streamFile",
  "sleep",
  "set_tts_params",
  "speak",
  "say",
  "sayPhrase",
  "recordFile",
  "flushDigits",
  "flushEvents",
  "getDigits",
  "read",
  "playAndGetDigits",
  "collectDigits",
  "setInputCallback",
  "unsetInputCallback",
  "setHangupHook",
  "originateSession",
  "bridgeSession",
  "waitForAnswer",
  "setAutoHangup",
] as const satisfies ReadonlyArray<keyof Session>;

/**
 * How a Session crosses the isolate boundary (originateSession's result, bridgeSession's and
 * waitForAnswer's argument): a handle the host maps to its FsSession; 0 is the call's own.
 */
export interface SessionRef {
  __ivrSession: number;
}

export type SessionMethod = (typeof SESSION_METHODS)[number];

// Every Session method is listed (a missing one makes this `false` and the assignment fails).
const complete: Exclude<keyof Session, SessionMethod> extends never ? true : false = true;
void complete;
