// The Session API for TypeScript scripts: FreeSWITCH's mod_lua `session`, method by
// method (shared/reference/freeswitch-session-api.md), made async. Names and argument
// order are FreeSWITCH's; status results are the numbers 1/0 (or raw switch_status_t
// where FreeSWITCH returns that); an unset variable is `undefined`. Callbacks are
// functions here where Lua takes global names.

/** What an input callback receives for a DTMF: the digit and its duration in samples. */
export interface DtmfInput {
  digit: string;
  duration: number;
}

/** An event delivered to an input callback (headers and body, as FreeSWITCH's Event). */
export interface SessionEvent {
  getHeader(name: string): string | undefined;
  getBody(): string | undefined;
  getType(): string;
  serialize(format?: "plain" | "json" | "xml"): string;
}

/**
 * Input callback: return undefined/""/"true"/"undefined" to continue, "break" (any other string) to stop,
 * or a file-handle command during streamFile/recordFile: "pause", "restart", "stop", "truncate",
 * "seek:N", "seek:+N", "seek:-N", "speed:N", "volume:N".
 */
export type InputCallback<A = unknown> = (
  session: Session,
  type: "dtmf" | "event",
  input: DtmfInput | SessionEvent,
  arg: A,
) => string | undefined | void | Promise<string | undefined | void>;

/** Hangup hook: called with "hangup" or "transfer"; returning "exit"/"die" ends the script. */
export type HangupHook<A = unknown> = (
  session: Session,
  status: "hangup" | "transfer",
  arg: A,
) => string | undefined | void | Promise<string | undefined | void>;

export type LogLevel = "console" | "alert" | "crit" | "err" | "warning" | "notice" | "info" | "debug" | string;

export interface Session {
  // --- call control ---------------------------------------------------------------
  /** 1 when the answer succeeded, 0 otherwise. */
  answer(): Promise<number>;
  /** 1/0: 183 with early media. */
  preAnswer(): Promise<number>;
  answered(): Promise<boolean>;
  /** False after hangup or once a transfer is pending. Runs a pending hangup hook. */
  ready(): Promise<boolean>;
  mediaReady(): Promise<boolean>;
  bridged(): Promise<boolean>;
  /** cause: a name (any case) or a decimal string; default NORMAL_CLEARING. Does not stop the script. */
  hangup(cause?: string): Promise<void>;
  /** The cause stored by originate (NONE otherwise): use getVariable("hangup_cause") on the inbound leg. */
  hangupCause(): Promise<string>;
  /** Channel state name, e.g. "CS_EXECUTE". */
  getState(): Promise<string>;
  get_uuid(): Promise<string>;
  /** 1/0. Sets a pending transfer: ready() turns false; return right after. */
  transfer(extension: string, dialplan?: string, context?: string): Promise<number>;
  /**
   * Run a dialplan application; results only through channel variables. `bridge` dials and
   * connects (originate_disposition, originate_failed_cause, DIALSTATUS, last_bridge_hangup_cause);
   * without continue_on_fail a failed bridge hangs the caller up, as on FreeSWITCH.
   */
  execute(app: string, data?: string): Promise<void>;

  // --- other legs (freeswitch.Session / freeswitch.bridge in Lua) ---------------------
  /**
   * Lua's freeswitch.Session(dialString, session): originate a leg with this session as the A leg
   * (ringback, answered when the leg answers; withCaller = false: no A leg). Waits up to 60 s
   * (call_timeout of the A leg, originate_timeout in {..}). Check ready(); hangupCause() says why not.
   * The leg hangs up when the script ends unless setAutoHangup(false).
   */
  originateSession(dialString: string, withCaller?: boolean): Promise<Session>;
  /** Lua's freeswitch.bridge(session, other): connect the two until one ends (this input callback sees digits). */
  bridgeSession(other: Session): Promise<void>;
  /** Until this outbound leg answers or has early media (ringback to caller); gives up after call_timeout. */
  waitForAnswer(caller?: Session): Promise<void>;
  /** Whether the leg hangs up when the script ends; returns 0. */
  setAutoHangup(on: boolean): Promise<number>;

  // --- variables and logging -------------------------------------------------------
  setVariable(name: string, value: string | undefined): Promise<void>;
  getVariable(name: string): Promise<string | undefined>;
  consoleLog(level: LogLevel, message: string): Promise<void>;

  // --- media -----------------------------------------------------------------------
  /** 1 when played to the end, 0 on hangup, not found, or break by the input callback. */
  streamFile(file: string, startSample?: number): Promise<number>;
  /** 1 full sleep, 0 on hangup or break by the input callback. */
  sleep(ms: number, sync?: number): Promise<number>;
  set_tts_params(engine: string, voice: string): Promise<void>;
  /** 1/0; quirk: 1 (SWITCH_STATUS_FALSE) when engine/voice were never set. */
  speak(text: string): Promise<number>;
  say(text: string, module: string, type: string, method: string, gender?: string): Promise<void>;
  sayPhrase(name: string, data?: string, lang?: string): Promise<void>;
  /** Splices `insertFile` into `file` at `samplePoint` samples, rewriting `file`; 1 done, 0 not. */
  insertFile(file: string, insertFile: string, samplePoint: number): Promise<number>;
  /** 1 when ended by time limit, silence or normal stop; 0 on hangup or break by callback. */
  recordFile(file: string, maxLenSecs?: number, silenceThreshold?: number, silenceSecs?: number): Promise<number>;
  /** Raw switch_status_t: 0. */
  flushDigits(): Promise<number>;
  /** Raw switch_status_t: 0. */
  flushEvents(): Promise<number>;

  // --- DTMF collection ---------------------------------------------------------------
  getDigits(maxDigits: number, terminators: string, timeout: number, interdigit?: number, abstimeout?: number): Promise<string>;
  read(minDigits: number, maxDigits: number, promptFile: string, timeout: number, terminators: string, digitTimeout?: number): Promise<string>;
  playAndGetDigits(
    minDigits: number,
    maxDigits: number,
    maxTries: number,
    timeout: number,
    terminators: string,
    prompt: string,
    invalidPrompt: string,
    regex: string,
    varName?: string,
    digitTimeout?: number,
    transferOnFailure?: string,
  ): Promise<string>;
  /** Raw status: always 0. Requires an input callback. */
  collectDigits(digitTimeout: number, absTimeout?: number): Promise<number>;

  // --- callbacks ---------------------------------------------------------------------
  setInputCallback<A>(callback: InputCallback<A>, arg?: A): Promise<void>;
  unsetInputCallback(): Promise<void>;
  setHangupHook<A>(hook: HangupHook<A>, arg?: A): Promise<void>;
}

/** A TS IVR script: `export default async function main(session, argv)`. */
export type ScriptMain = (session: Session, argv: string[]) => Promise<void>;
