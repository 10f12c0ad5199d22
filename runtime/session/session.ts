// FreeSWITCH's mod_lua `session`, for TS scripts (and, through the Lua host, for Lua):
// each method with the reference's arguments, defaults, return values and side effects
// (shared/reference/freeswitch-session-api.md). Media and call control sit behind ports.
import { nameToCause } from "../../flow/hangup-causes";
import { runApplication } from "./apps";
import { interpretCallbackResult } from "./callback-result";
import { Channel } from "./channel";
import { ScriptExit } from "./errors";
import { expandVariables } from "./expand";
import { PhraseBook, playPhrase, type PhraseHost, type PhraseStatus } from "./phrases";
import { composeSay, sayPlayback } from "./say";
import { SUPPORTED_APPLICATIONS } from "./apps";
import { realClock, type Clock } from "../clock";
import { compileFsRegex, regexErrorLine, SafeRegexError, type SafeRegex } from "../safe-regex";
import type { CallControl, LogSink, MediaPort, OutboundPort, PlaybackFailure, PlayHandle, PlayResult, RecordHandle } from "./ports";
import type { DtmfInput, HangupHook, InputCallback, LogLevel, Session } from "./types";

/** One line of the call log (runtime/session/call-log.ts writes them). */
export interface MethodRecord {
  node: string | undefined;
  method: string;
  args: unknown[];
  result: unknown;
  ms: number;
  /** Why playbacks during the method failed ("not found: ivr/x.wav (no such file: ...)"), if any did. */
  error?: string;
}

export interface SessionOptions {
  channel: Channel;
  control: CallControl;
  media: MediaPort;
  log: LogSink;
  /** Receives one record per session method call. */
  onMethod?: (record: MethodRecord) => void;
  /** Global variables ($${name}, freeswitch.getGlobalVariable). */
  globals?: Map<string, string>;
  /** Now and the local zone for say's dates and times (runtime/clock.ts); default the real clock. */
  clock?: Clock;
  /** Outbound calling (bridge, originate); absent: every dial fails with NO_ROUTE_DESTINATION. */
  outbound?: OutboundPort;
  /** The script running this session (for logs of refused dials). */
  script?: string;
  /** Phrase macros for sayPhrase (the designer's, or ivr serve --phrases); default none. */
  phrases?: PhraseBook;
}

const LOG_LEVEL_NAMES = ["console", "alert", "crit", "err", "warning", "notice", "info", "debug"];

/** switch_log_str2level: names or 0-7; anything else (including "error") is debug. */
export function normalizeLogLevel(level: unknown): string {
  const s = String(level ?? "").toLowerCase();
  if (LOG_LEVEL_NAMES.includes(s)) return s;
  if (/^[0-7]$/.test(s)) return LOG_LEVEL_NAMES[Number(s)];
  return "debug";
}

interface ReadOutcome {
  digits: string;
  status: "success" | "timeout" | "failure" | "restart";
  terminator: string | undefined;
}

interface ParsedTerminators {
  chars: string;
  append: string;
  restart: string;
  required: boolean;
}

/** switch_ivr_read terminators: "=..." requires one; "+c" appends c; "xc" appends c and restarts. */
function parseTerminators(spec: string): ParsedTerminators {
  let s = spec ?? "";
  const required = s.startsWith("=");
  if (required) s = s.slice(1);
  let chars = "";
  let append = "";
  let restart = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if ((c === "+" || c === "x") && i + 1 < s.length) {
      const t = s[++i];
      chars += t;
      if (c === "+") append += t;
      else restart += t;
    } else chars += c;
  }
  return { chars, append, restart, required };
}

const SENSITIVE_METHODS = new Set(["getDigits", "read", "playAndGetDigits"]);

/**
 * Scripts are untrusted: what one call's script can make the runtime keep is bounded. A channel's
 * variables hold at most this many characters (names and values), and the call log keeps at most
 * LOGGED_STRING_MAX characters of any argument or result.
 */
export const MAX_CHANNEL_VARIABLE_CHARS = 4 * 1024 * 1024;
const LOGGED_STRING_MAX = 4096;
const forLog = (v: unknown): unknown =>
  typeof v === "string" && v.length > LOGGED_STRING_MAX ? `${v.slice(0, LOGGED_STRING_MAX)}…[${v.length} characters]` : v;

export class FsSession implements Session {
  readonly channel: Channel;
  private readonly control: CallControl;
  readonly media: MediaPort;
  /** The port as given (the call's RTP stream behind it: a bridge relays between two of them). */
  readonly mediaPort: MediaPort;
  private readonly logSink: LogSink;
  private readonly onMethod?: (record: MethodRecord) => void;
  readonly globals: Map<string, string>;
  private readonly clock: Clock;
  private inputCallback: { fn: InputCallback<unknown>; arg: unknown } | undefined;
  private hangupHook: { fn: HangupHook<unknown>; arg: unknown } | undefined;
  private tts: { engine: string; voice: string } | undefined;
  /** Cause stored by originate (the Lua object's `cause`); the inbound leg reads hangup_cause instead. */
  originateCause = "NONE";
  /** S_HUP: hang the leg up when the script lets go of it (set on legs made from a dial string). */
  autoHangup = false;
  /** Legs this session's script originated: hung up at the script's end unless setAutoHangup(false). */
  readonly ownedLegs: FsSession[] = [];
  readonly outbound?: OutboundPort;
  readonly script?: string;
  private readonly phrases: PhraseBook;
  private hookRunning = false;
  /** Playback failures of the method being traced, for its call-log record. */
  private playbackFailures: PlaybackFailure[] = [];

  constructor(options: SessionOptions) {
    this.channel = options.channel;
    this.control = options.control;
    this.media = this.watchPlayback(options.media);
    this.mediaPort = options.media;
    this.logSink = options.log;
    this.onMethod = options.onMethod;
    this.globals = options.globals ?? new Map();
    this.clock = options.clock ?? realClock;
    this.outbound = options.outbound;
    this.script = options.script;
    this.phrases = options.phrases ?? new PhraseBook();
  }

  // --- plumbing --------------------------------------------------------------------

  /** The media port with every playback's failure noted for the call log (apps use it too). */
  private watchPlayback(media: MediaPort): MediaPort {
    return {
      play: (source) => {
        const h = media.play(source);
        // The method that started it gets the failure, even if a callback's method runs meanwhile.
        const sink = this.playbackFailures;
        void h.done.then((r) => r.failure && sink.push(r.failure), () => undefined);
        return h;
      },
      record: (file, options) => media.record(file, options),
      insertFile: async (file, insert, at) =>
        media.insertFile ? media.insertFile(file, insert, at) : "insertFile is not available on this media port",
      synthesize: (engine, voice, text) => media.synthesize(engine, voice, text),
      setInbandDtmf: (on) => media.setInbandDtmf(on),
    };
  }

  log(level: string, message: string): void {
    this.logSink(level, message, this.channel.uuid);
  }

  private get sensitive(): boolean {
    return /^(true|yes|on|1)$/i.test(this.channel.getVar("sensitive_dtmf") ?? "");
  }

  /** Run a method and log it in the call log, masking digits when sensitive. */
  private async traced<T>(method: string, args: unknown[], fn: () => Promise<T>): Promise<T> {
    const node = this.channel.getVar("ivr_node");
    const sensitiveNow = this.sensitive;
    const varName = method === "setVariable" || method === "getVariable" ? String(args[0]) : "";
    // A variable set while digits are sensitive holds them: mask it in the log from then on.
    if (method === "setVariable" && sensitiveNow && !/^(ivr_node|sensitive_dtmf)$/.test(varName)) {
      this.channel.sensitiveVariables.add(varName);
    }
    const maskVar = varName !== "" && this.channel.sensitiveVariables.has(varName);
    const t0 = performance.now();
    let result: T | undefined;
    const outer = this.playbackFailures;
    const failures: PlaybackFailure[] = [];
    this.playbackFailures = failures;
    try {
      result = await fn();
      return result;
    } finally {
      this.playbackFailures = outer;
      if (this.onMethod) {
        const maskResult =
          ((sensitiveNow && SENSITIVE_METHODS.has(method)) || (maskVar && method === "getVariable")) &&
          typeof result === "string" &&
          result !== "";
        this.onMethod({
          node,
          method,
          args: maskVar && method === "setVariable" && args[1] !== undefined ? [args[0], "***"] : args.map(forLog),
          // A leg (originateSession) is logged by its uuid and cause, not as the object.
          result: maskResult ? "***" : result instanceof FsSession ? { session: result.channel.uuid, cause: result.originateCause } : forLog(result),
          ms: Math.round((performance.now() - t0) * 1000) / 1000,
          ...(failures.length ? { error: failures.map((f) => `${f.kind}: ${f.source} (${f.detail})`).join("; ") } : {}),
        });
      }
    }
  }

  /**
   * The Lua binding runs a pending hangup hook on ready() and around every blocking method
   * (begin/end_allow_threads); "exit"/"die" raise an error that ends the script.
   */
  async runHangupHook(): Promise<void> {
    if (!this.hangupHook || this.hookRunning) return;
    const event = this.channel.takeHookEvent();
    if (!event) return;
    this.hookRunning = true;
    let ret: unknown;
    try {
      ret = await this.hangupHook.fn(this, event, this.hangupHook.arg);
    } catch (err) {
      this.log("err", `hangup hook error: ${(err as Error)?.message ?? err}`);
      ret = undefined;
    } finally {
      this.hookRunning = false;
    }
    const s = typeof ret === "string" ? ret : "";
    this.channel.setVar("lua_hangup_hook_return_val", s);
    if (/^(exit|die)$/i.test(s)) throw new ScriptExit(s.toLowerCase());
  }

  /** Bracket a blocking method the way begin/end_allow_threads do. */
  private async blocking<T>(fn: () => Promise<T>): Promise<T> {
    await this.runHangupHook();
    const r = await fn();
    await this.runHangupHook();
    return r;
  }

  /** All media methods pre-answer first (SIP 183). */
  async ensureMedia(): Promise<boolean> {
    if (!this.channel.ready) return false;
    if (this.channel.answered || this.channel.earlyMedia) return true;
    if (await this.control.preAnswer()) this.channel.earlyMedia = true;
    return this.channel.ready;
  }

  /** Hand a queued DTMF to the input callback; returns the action it asked for. */
  private async dispatchDtmf(hasFileHandle: boolean) {
    const d = this.channel.shiftDtmf();
    if (!d || !this.inputCallback) return { kind: "continue" as const };
    let ret: unknown;
    try {
      const input: DtmfInput = { digit: d.digit, duration: d.duration };
      ret = await this.inputCallback.fn(this, "dtmf", input, this.inputCallback.arg);
    } catch (err) {
      this.log("err", `input callback error: ${(err as Error)?.message ?? err}`);
      ret = "SCRIPT_ERROR";
    }
    return interpretCallbackResult(ret, hasFileHandle);
  }

  /**
   * Play with the session's input callback (if any): digits go to the callback while it plays;
   * without a callback they stay queued. Returns the playback result and whether a callback stopped it.
   */
  async playWithCallback(source: string, hasFileHandle = true): Promise<{ result: PlayResult; broken: boolean }> {
    const h: PlayHandle = this.media.play(source);
    let broken = false;
    for (;;) {
      const ev = await this.channel.waitEvent(undefined, h.done, !!this.inputCallback);
      if (ev === "extra") break;
      if (ev === "down") {
        h.stop();
        break;
      }
      if (ev === "dtmf") {
        const action = await this.dispatchDtmf(hasFileHandle);
        if (action.kind === "continue") continue;
        if (action.kind === "stop" || action.kind === "truncate") {
          broken = true;
          h.stop();
          break;
        }
        if (action.kind === "pause") h.pause();
        else if (action.kind === "restart") h.restart();
        else if (action.kind === "seek") h.seek(action.ms, action.relative);
        else h.adjust(action.kind, action.value, action.relative);
      }
    }
    const result = await h.done;
    if (!this.channel.up && result.reason === "done") result.reason = "hangup";
    return { result, broken };
  }

  private setPlaybackVars(r: PlayResult): void {
    this.channel.setVar("playback_ms", String(Math.round(r.ms)));
    this.channel.setVar("playback_samples", String(r.samples));
    this.channel.setVar("playback_seconds", String(Math.floor(r.ms / 1000)));
    this.channel.setVar("playback_last_offset_pos", String(r.samples));
  }

  // --- call control ------------------------------------------------------------------

  answer(): Promise<number> {
    return this.traced("answer", [], async () => {
      if (!this.channel.ready) return 0;
      if (this.channel.answered) return 1;
      const ok = await this.control.answer();
      if (ok && this.channel.up) this.channel.answered = true;
      return ok && this.channel.up ? 1 : 0;
    });
  }

  preAnswer(): Promise<number> {
    return this.traced("preAnswer", [], async () => {
      if (!this.channel.ready) return 0;
      if (this.channel.answered || this.channel.earlyMedia) return 1;
      const ok = await this.control.preAnswer();
      if (ok) this.channel.earlyMedia = true;
      return ok ? 1 : 0;
    });
  }

  answered(): Promise<boolean> {
    return this.traced("answered", [], async () => this.channel.answered);
  }

  ready(): Promise<boolean> {
    return this.traced("ready", [], async () => {
      await this.runHangupHook();
      return this.channel.ready;
    });
  }

  mediaReady(): Promise<boolean> {
    return this.traced("mediaReady", [], async () => this.channel.ready && (this.channel.answered || this.channel.earlyMedia));
  }

  bridged(): Promise<boolean> {
    return this.traced("bridged", [], async () => this.channel.up && this.channel.bridgedTo !== undefined);
  }

  hangup(cause = "normal_clearing"): Promise<void> {
    return this.traced("hangup", [cause], async () => {
      await this.blocking(async () => this.doHangup(cause));
    });
  }

  /** Hang up with a cause name or number (unknown names become NORMAL_CLEARING). */
  doHangup(cause: string | undefined): void {
    if (!this.channel.up) return;
    const name = nameToCause(cause);
    this.control.hangup(name);
    this.channel.markHangup(name);
  }

  hangupCause(): Promise<string> {
    return this.traced("hangupCause", [], async () => this.originateCause);
  }

  getState(): Promise<string> {
    return this.traced("getState", [], async () => this.channel.state());
  }

  get_uuid(): Promise<string> {
    return this.traced("get_uuid", [], async () => this.channel.uuid);
  }

  transfer(extension: string, dialplan?: string, context?: string): Promise<number> {
    return this.traced("transfer", [extension, dialplan, context].filter((x) => x !== undefined), () =>
      // A SIP URI is not an extension of ours: the caller's side is REFERred there (blind transfer out).
      this.blocking(async () => (/^sips?:/i.test(extension ?? "") ? this.deflect(extension) : this.doTransfer(extension, dialplan, context))),
    );
  }

  /**
   * mod_sofia's deflect on an answered call: REFER (Refer-To: the target, Referred-By: us), wait for
   * the final NOTIFY, set sip_refer_status_code / sip_refer_target_status_code / sip_refer_reply,
   * then hang up with BLIND_TRANSFER whatever the outcome, unless sip_refer_continue_after_reply
   * is true (then the script reads those variables and carries on: its fallback). 1 when the
   * target answered 2xx, else 0.
   */
  async deflect(target: string): Promise<number> {
    const data = target.trim();
    if (!this.channel.up || !data) return 0;
    if (!this.control.refer) {
      this.log("err", "deflect: this leg cannot be transferred with REFER");
      return 0;
    }
    const r = await this.control.refer(data);
    if (r.refused) {
      this.log("warning", `outbound call refused REFER ${data}: ${r.refused} -> OUTGOING_CALL_BARRED${this.channel.getVar("ivr_node") ? `, node ${this.channel.getVar("ivr_node")}` : ""}`);
      this.channel.setVar("sip_refer_status_code", "403");
    } else {
      this.channel.setVar("sip_refer_status_code", String(r.status));
      if (r.targetStatus !== undefined) {
        this.channel.setVar("sip_refer_target_status_code", String(r.targetStatus));
        this.channel.setVar("sip_refer_reply", r.reply);
      }
    }
    const keep = (this.channel.getVar("sip_refer_continue_after_reply") ?? "").toLowerCase();
    if (!["true", "yes", "on", "1", "enabled", "active", "allow"].includes(keep) && this.channel.up) {
      this.doHangup(r.refused ? "OUTGOING_CALL_BARRED" : "BLIND_TRANSFER");
    }
    return !r.refused && r.targetStatus !== undefined && r.targetStatus >= 200 && r.targetStatus < 300 ? 1 : 0;
  }

  /** switch_ivr_session_transfer defaults: force_transfer_* vars, else XML / the channel's context / "default". */
  doTransfer(extension: string | undefined, dialplan?: string, context?: string): number {
    if (!this.channel.ready) return 0;
    const ext = extension || "service";
    const dp = dialplan || this.channel.getVar("force_transfer_dialplan") || "XML";
    const ctx = context || this.channel.getVar("force_transfer_context") || this.channel.getVar("context") || "default";
    if (!this.control.transfer(ext, dp, ctx)) return 0;
    this.channel.markTransfer(ext, dp, ctx);
    this.log("notice", `Transfer ${this.channel.getVar("channel_name") ?? this.channel.uuid} to ${dp}[${ext}@${ctx}]`);
    return 1;
  }

  execute(app: string, data?: string): Promise<void> {
    return this.traced("execute", data === undefined ? [app] : [app, data], () =>
      this.blocking(async () => {
        if (!app) {
          this.log("err", "No application specified");
          return;
        }
        const expanded = expandVariables(data ?? "", (n) => this.lookupVar(n), (n) => this.globals.get(n));
        await runApplication(this, app.toLowerCase(), expanded);
      }),
    );
  }

  // --- other legs ---------------------------------------------------------------------

  /**
   * freeswitch.Session(dial, session) for TS scripts: originate a new leg with this session as
   * its A leg (withCaller = false: no A leg, as freeswitch.Session(dial) alone). Always resolves
   * to a Session: ready() is false and hangupCause() tells why when nobody answered.
   */
  originateSession(dialString: string, withCaller = true): Promise<Session> {
    return this.traced("originateSession", withCaller ? [dialString] : [dialString, false], () =>
      this.blocking(async () => this.originateLeg(String(dialString ?? ""), withCaller ? this : undefined, 60)),
    );
  }

  /** The originate behind freeswitch.Session(dial[, a_leg]) and blank:originate(a_leg, dest, timeout). */
  async originateLeg(dial: string, caller: FsSession | undefined, timeoutSec: number): Promise<FsSession> {
    if (!this.outbound) {
      this.log("err", `Originate Failed.  Cause: NO_ROUTE_DESTINATION (outbound calling is not configured)`);
      return this.deadLeg("NO_ROUTE_DESTINATION");
    }
    const r = await this.outbound.originate({ dial, caller, timeoutSec, requestedBy: this });
    if (!r.ok) return this.deadLeg(r.cause);
    r.leg.autoHangup = true;
    this.ownedLegs.push(r.leg);
    return r.leg;
  }

  /** What a failed originate leaves in the script's hands: a session without a channel. */
  private deadLeg(cause: string): FsSession {
    const channel = new Channel("uninitialized");
    channel.markHangup(cause);
    const leg = new FsSession({
      channel,
      control: { answer: async () => false, preAnswer: async () => false, hangup: () => {}, transfer: () => false },
      media: this.media,
      log: this.logSink,
      globals: this.globals,
    });
    leg.originateCause = cause;
    return leg;
  }

  /** freeswitch.bridge(session, other) for TS scripts: blocks until the bridge ends. */
  bridgeSession(other: Session): Promise<void> {
    return this.traced("bridgeSession", [], () =>
      this.blocking(async () => {
        if (!(other instanceof FsSession) || !this.outbound || !this.channel.ready || !other.channel.ready) {
          this.log("err", "Channels not ready\n");
          return;
        }
        if (!this.channel.answered && !this.channel.earlyMedia) await this.preAnswerCall();
        if (!this.channel.ready || !other.channel.ready) {
          this.log("err", "Channels not ready\n");
          return;
        }
        await this.outbound.bridge(this, other, { inputCallback: true });
      }),
    );
  }

  /** switch_ivr_wait_for_answer: until this (outbound) leg answers or has early media; ringback to the caller. */
  waitForAnswer(caller?: Session): Promise<void> {
    return this.traced("waitForAnswer", [], () =>
      this.blocking(async () => {
        if (!this.channel.up || this.channel.answered || this.channel.earlyMedia) return;
        const callerSession = caller instanceof FsSession ? caller : undefined;
        const raw = callerSession?.channel.getVar("call_timeout");
        const limitSec = raw !== undefined && Number.parseInt(raw, 10) >= 0 ? Number.parseInt(raw, 10) : 60;
        const end = performance.now() + limitSec * 1000;
        const watched = callerSession?.channel ?? this.channel;
        while (this.channel.up && !this.channel.answered && !this.channel.earlyMedia) {
          const left = end - performance.now();
          if (left <= 0) break;
          const ev = await watched.waitEvent(left, this.channel.nextChange(), false);
          if (ev === "timeout" || (ev === "down" && watched !== this.channel)) break;
        }
        if (this.channel.up && !this.channel.answered && !this.channel.earlyMedia) this.doHangup("DESTINATION_OUT_OF_ORDER");
      }),
    );
  }

  /** S_HUP on or off; 0 (SWITCH_STATUS_SUCCESS). */
  setAutoHangup(on: boolean): Promise<number> {
    return this.traced("setAutoHangup", [on], async () => {
      this.autoHangup = !!on;
      return 0;
    });
  }

  /** CoreSession::destroy: hang up if auto-hangup is set and the leg is up and not transferring. */
  destroyLeg(): void {
    if (this.autoHangup && this.channel.up && !this.channel.transferPending) this.doHangup("NORMAL_CLEARING");
    this.autoHangup = false;
  }

  /**
   * The script is over: its objects are collected, so auto-hangup legs go down now. Returns the
   * legs still up (setAutoHangup(false), or made with :originate): the call hangs them up at its end.
   */
  releaseOwnedLegs(): FsSession[] {
    const kept: FsSession[] = [];
    for (const leg of this.ownedLegs.splice(0)) {
      leg.destroyLeg();
      if (leg.channel.up) kept.push(leg);
    }
    return kept;
  }

  /** During a bridge: hand one queued digit to the input callback; false when it asked to stop. */
  async bridgeDtmf(): Promise<boolean> {
    if (!this.inputCallback) {
      this.channel.shiftDtmf();
      return true;
    }
    const action = await this.dispatchDtmf(false);
    return action.kind === "continue";
  }

  // --- variables and logging ----------------------------------------------------------

  setVariable(name: string, value: string | undefined): Promise<void> {
    return this.traced("setVariable", [name, value], async () => {
      if (value !== undefined && value !== null) {
        const key = String(name);
        let chars = key.length + String(value).length;
        for (const [k, v] of this.channel.variables) if (k !== key) chars += k.length + v.length;
        if (chars > MAX_CHANNEL_VARIABLE_CHARS) {
          this.log("err", `setVariable ${key.slice(0, 100)}: refused, the channel's variables would pass ${MAX_CHANNEL_VARIABLE_CHARS} characters`);
          return;
        }
      }
      this.channel.setVar(name, value);
    });
  }

  getVariable(name: string): Promise<string | undefined> {
    return this.traced("getVariable", [name], async () => this.lookupVar(name));
  }

  /** A channel variable, else the global of that name (switch_channel_get_variable falls back to them). */
  private lookupVar(name: string): string | undefined {
    return this.channel.getVar(name) ?? this.globals.get(name);
  }

  consoleLog(level: LogLevel, message: string): Promise<void> {
    return this.traced("consoleLog", [level, message], async () => {
      this.log(normalizeLogLevel(level), String(message ?? ""));
    });
  }

  // --- media -----------------------------------------------------------------------------

  streamFile(file: string, startSample = 0): Promise<number> {
    return this.traced("streamFile", startSample ? [file, startSample] : [file], () =>
      this.blocking(async () => {
        if (!(await this.ensureMedia())) return 0;
        const h = await this.playWithCallback(file, true);
        this.setPlaybackVars(h.result);
        return h.result.reason === "done" && !h.broken ? 1 : 0;
      }),
    );
  }

  sleep(ms: number, sync = 0): Promise<number> {
    void sync;
    return this.traced("sleep", [ms], () => this.blocking(async () => this.doSleep(Number(ms))));
  }

  /** switch_ivr_sleep: DTMF goes to the input callback (a non-continue result ends it); else stays queued. */
  async doSleep(ms: number): Promise<number> {
    const end = performance.now() + Math.max(0, ms);
    for (;;) {
      if (!this.channel.ready) return 0;
      const left = end - performance.now();
      if (left <= 0) return 1;
      const ev = await this.channel.waitEvent(left, undefined, !!this.inputCallback);
      if (ev === "timeout") return 1;
      if (ev === "down") return 0;
      if (ev === "dtmf") {
        const action = await this.dispatchDtmf(false);
        if (action.kind !== "continue") return 0;
      }
    }
  }

  set_tts_params(engine: string, voice: string): Promise<void> {
    return this.traced("set_tts_params", [engine, voice], async () => {
      this.tts = { engine, voice };
    });
  }

  speak(text: string): Promise<number> {
    return this.traced("speak", [text], () =>
      this.blocking(async () => {
        if (!this.tts?.engine || !this.tts.voice) {
          this.log("err", "No TTS engine specified");
          return 1; // FreeSWITCH returns SWITCH_STATUS_FALSE (= 1) here
        }
        return this.doSpeak(this.tts.engine, this.tts.voice, String(text ?? ""));
      }),
    );
  }

  async doSpeak(engine: string, voice: string, text: string): Promise<number> {
    if (!(await this.ensureMedia())) return 0;
    let source: string;
    try {
      source = await this.media.synthesize(engine, voice, text);
    } catch {
      this.log("err", `Invalid TTS module ${engine}[${voice}]!`);
      return 0;
    }
    const h = await this.playWithCallback(source, false);
    return h.result.reason === "done" && !h.broken ? 1 : 0;
  }

  say(text: string, module: string, type: string, method: string, gender?: string): Promise<void> {
    const args = [text, module, type, method, gender].filter((x) => x !== undefined);
    return this.traced("say", args, async () => {
      // CoreSession::say checks for missing (NULL) arguments only: "" is a valid value.
      if (text == null || module == null || type == null || method == null) {
        this.log("err", "Error! invalid args.");
        return;
      }
      await this.blocking(() => this.doSay(String(text), String(module), String(type), String(method)));
    });
  }

  /** switch_ivr_say: compose mod_say_en's file sequence and play it as one file_string. */
  async doSay(text: string, module: string, type: string, method: string): Promise<number> {
    const r = composeSay({
      text,
      module,
      type,
      method,
      getVar: (n) => this.channel.getVar(n),
      now: this.clock.now(),
      localZone: this.clock.zone ? { name: this.clock.zone } : undefined,
    });
    if (!r.ok) {
      this.log("err", r.error);
      return 0;
    }
    for (const e of r.errors) this.log("err", e);
    if (!r.known) return 0;
    // switch_ivr_play_file pre-answers even when the sequence came out empty (a parse error).
    if (!(await this.ensureMedia())) return 0;
    const source = sayPlayback(r.files);
    if (!source) return 0;
    const h = await this.playWithCallback(source, false);
    return h.result.reason === "done" && !h.broken ? 1 : 0;
  }

  sayPhrase(name: string, data = "", lang?: string): Promise<void> {
    const args = [name, data, lang].filter((x) => x !== undefined);
    return this.traced("sayPhrase", args, async () => {
      if (name == null) {
        this.log("err", "Error! invalid args.");
        return;
      }
      await this.blocking(() => this.doSayPhrase(String(name), data == null ? "" : String(data), lang == null || lang === "" ? undefined : String(lang)));
    });
  }

  /** switch_ivr_phrase_macro with the session's input callback (runtime/session/phrases.ts). */
  doSayPhrase(name: string, data: string, lang: string | undefined): Promise<PhraseStatus> {
    const played = (h: { result: PlayResult; broken: boolean }): PhraseStatus =>
      h.broken ? "break" : h.result.reason === "done" && this.channel.up ? "success" : "false";
    const host: PhraseHost = {
      getVar: (n) => this.lookupVar(n),
      expand: (text) => expandVariables(text, (n) => this.lookupVar(n), (n) => this.globals.get(n)),
      log: (level, msg) => this.log(level, msg),
      preAnswer: () => this.ensureMedia(),
      playFile: async (file) => (this.channel.ready ? played(await this.playWithCallback(file, true)) : "false"),
      say: async (module, text, type, method) => {
        const r = composeSay({ text, module: `${module}:${module}`, type, method, getVar: (n) => this.channel.getVar(n), now: this.clock.now(), localZone: this.clock.zone ? { name: this.clock.zone } : undefined });
        if (!r.ok) {
          this.log("err", r.error);
          return "false";
        }
        for (const e of r.errors) this.log("err", e);
        const source = r.known ? sayPlayback(r.files) : "";
        if (!source || !this.channel.ready) return "false";
        return played(await this.playWithCallback(source, false));
      },
      speak: async (engine, voice, text) => {
        if (!this.channel.ready) return "false";
        let source: string;
        try {
          source = await this.media.synthesize(engine, voice, text);
        } catch {
          this.log("err", `Invalid TTS module ${engine}[${voice}]!`);
          return "false";
        }
        return played(await this.playWithCallback(source, false));
      },
      execute: async (app, args) => {
        const a = app.trim().toLowerCase();
        if (!SUPPORTED_APPLICATIONS.includes(a)) {
          this.log("err", `Invalid Application ${app}`);
          return "false";
        }
        await runApplication(this, a, args);
        return "success";
      },
      pause: (ms) => this.quietSleep(ms),
    };
    return playPhrase(host, this.phrases, name, data, lang);
  }

  /** switch_ivr_sleep without input args: silence for `ms`, digits stay queued, a hangup ends it. */
  private async quietSleep(ms: number): Promise<void> {
    const end = performance.now() + Math.max(0, ms);
    while (this.channel.ready) {
      const left = end - performance.now();
      if (left <= 0) return;
      const ev = await this.channel.waitEvent(left, undefined, false);
      if (ev === "timeout" || ev === "down") return;
    }
  }

  insertFile(file: string, insertFile: string, samplePoint: number): Promise<number> {
    return this.traced("insertFile", [file, insertFile, samplePoint], async () => {
      const problem = await this.media.insertFile!(String(file ?? ""), String(insertFile ?? ""), Number(samplePoint) || 0);
      if (problem) {
        this.log("err", problem);
        return 0;
      }
      return 1;
    });
  }

  recordFile(file: string, maxLenSecs = 0, silenceThreshold = 0, silenceSecs = 0): Promise<number> {
    return this.traced("recordFile", [file, maxLenSecs, silenceThreshold, silenceSecs], () =>
      this.blocking(async () => this.doRecord(file, Number(maxLenSecs), Number(silenceThreshold), Number(silenceSecs))),
    );
  }

  async doRecord(file: string, maxSeconds: number, threshold: number, silenceSecs: number): Promise<number> {
    if (!(await this.ensureMedia())) return 0;
    const seconds = threshold > 0 && silenceSecs <= 0 ? 3 : silenceSecs;
    this.channel.setVar("silence_hits_exhausted", undefined);
    const h: RecordHandle = this.media.record(file, { maxSeconds, silenceThreshold: threshold, silenceSeconds: seconds });
    let broken = false;
    for (;;) {
      const ev = await this.channel.waitEvent(undefined, h.done, !!this.inputCallback);
      if (ev === "extra") break;
      if (ev === "down") {
        h.stop();
        break;
      }
      if (ev === "dtmf") {
        const action = await this.dispatchDtmf(true);
        if (action.kind === "continue" || action.kind === "pause" || action.kind === "seek") continue;
        if (action.kind === "truncate") h.truncate();
        else h.stop();
        broken = action.kind !== "restart";
        if (broken) break;
      }
    }
    const r = await h.done;
    this.channel.setVar("record_ms", String(Math.round(r.ms)));
    this.channel.setVar("record_samples", String(r.samples));
    this.channel.setVar("record_seconds", String(Math.floor(r.ms / 1000)));
    if (r.reason === "silence") this.channel.setVar("silence_hits_exhausted", "true");
    if (broken || !this.channel.up) return 0;
    return r.reason === "limit" || r.reason === "silence" || r.reason === "stopped" ? 1 : 0;
  }

  flushDigits(): Promise<number> {
    return this.traced("flushDigits", [], async () => {
      this.channel.flushDtmf();
      return 0;
    });
  }

  flushEvents(): Promise<number> {
    return this.traced("flushEvents", [], async () => 0);
  }

  // --- DTMF collection --------------------------------------------------------------------

  /** switch_ivr_collect_digits_count: first wait `timeout`, then `interdigit` (0 = timeout), `abs` caps all. */
  async collectDigitsCount(
    max: number,
    terminators: string,
    timeout: number,
    interdigit: number,
    abs: number,
    initial = "",
  ): Promise<{ digits: string; terminator?: string; status: "success" | "timeout" | "down" }> {
    let digits = initial;
    const start = performance.now();
    for (;;) {
      if (digits.length >= max) return { digits, status: "success" };
      if (!this.channel.ready) return { digits, status: "down" };
      let wait = digits.length === 0 ? timeout : interdigit > 0 ? interdigit : timeout;
      if (abs > 0) wait = Math.min(wait, abs - (performance.now() - start));
      if (wait <= 0) return { digits, status: "timeout" };
      const ev = await this.channel.waitEvent(wait);
      if (ev === "timeout") return { digits, status: "timeout" };
      if (ev === "down") return { digits, status: "down" };
      const d = this.channel.shiftDtmf();
      if (!d) continue;
      if (terminators.includes(d.digit)) return { digits, terminator: d.digit, status: "success" };
      digits += d.digit;
    }
  }

  getDigits(maxDigits: number, terminators: string, timeout: number, interdigit = 0, abstimeout = 0): Promise<string> {
    const args: unknown[] = [maxDigits, terminators, timeout];
    if (interdigit || abstimeout) args.push(interdigit);
    if (abstimeout) args.push(abstimeout);
    return this.traced("getDigits", args, () =>
      this.blocking(async () => {
        const r = await this.collectDigitsCount(
          Math.max(1, Number(maxDigits)),
          terminators ?? "",
          Number(timeout),
          Number(interdigit),
          Number(abstimeout),
        );
        if (!this.sensitive) this.log("debug", `getDigits: ${r.digits}`);
        return r.digits;
      }),
    );
  }

  /** switch_ivr_read: prompt with barge-in, then collect; sets read_result and read_terminator_used. */
  async readCore(
    min: number,
    max: number,
    prompt: string,
    timeout: number,
    terminatorSpec: string,
    digitTimeout: number,
  ): Promise<ReadOutcome> {
    this.channel.setVar("read_result", undefined);
    this.channel.setVar("read_terminator_used", undefined);
    const t = parseTerminators(terminatorSpec);
    if (!(await this.ensureMedia())) {
      this.channel.setVar("read_result", "failure");
      return { digits: "", status: "failure", terminator: undefined };
    }
    let digits = "";
    let terminator: string | undefined;
    if (prompt && prompt !== "silence") {
      const h = this.media.play(prompt);
      const ev = await this.channel.waitEvent(undefined, h.done, true);
      if (ev === "dtmf") {
        h.stop(); // the first digit barges in and is kept
        const d = this.channel.shiftDtmf();
        if (d) {
          if (t.chars.includes(d.digit)) terminator = d.digit;
          else digits += d.digit;
        }
      } else if (ev === "down") h.stop();
      const r = await h.done;
      if (r.reason === "notfound" || r.reason === "error") {
        this.channel.setVar("read_result", "failure");
        return { digits: "", status: "failure", terminator: undefined };
      }
    }
    let status: "success" | "timeout" | "down" = "success";
    if (!terminator && digits.length < max) {
      const dt = digitTimeout > 0 ? digitTimeout : timeout;
      const r = await this.collectDigitsCount(max, t.chars, digits.length ? dt : timeout, dt, 0, digits);
      digits = r.digits;
      terminator = r.terminator;
      status = r.status;
    }
    let outcome: ReadOutcome["status"];
    if (terminator && t.restart.includes(terminator)) {
      digits += terminator;
      outcome = "restart";
    } else {
      if (terminator && t.append.includes(terminator)) digits += terminator;
      if (status === "down") outcome = "failure";
      else if (status === "timeout") outcome = "timeout";
      else if (t.required && !terminator) outcome = "failure";
      else outcome = digits.length >= min ? "success" : "failure";
    }
    if (max === 1 && terminator && digits === terminator) digits = "";
    if (terminator) this.channel.setVar("read_terminator_used", terminator);
    this.channel.setVar("read_result", outcome === "restart" ? "success" : outcome);
    return { digits, status: outcome, terminator };
  }

  read(minDigits: number, maxDigits: number, promptFile: string, timeout: number, terminators: string, digitTimeout = 0): Promise<string> {
    const args: unknown[] = [minDigits, maxDigits, promptFile, timeout, terminators];
    if (digitTimeout) args.push(digitTimeout);
    return this.traced("read", args, () =>
      this.blocking(async () => {
        // CoreSession::read clamps these to at least 1 and returns the buffer whatever the status.
        const r = await this.readCore(
          Math.max(1, Number(minDigits)),
          Math.max(1, Number(maxDigits)),
          promptFile ?? "",
          Math.max(1, Number(timeout)),
          terminators ?? "",
          Number(digitTimeout) || 0,
        );
        return r.digits;
      }),
    );
  }

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
    digitTimeout = 0,
    transferOnFailure?: string,
  ): Promise<string> {
    const args: unknown[] = [minDigits, maxDigits, maxTries, timeout, terminators, prompt, invalidPrompt, regex];
    if (varName !== undefined || digitTimeout || transferOnFailure !== undefined) args.push(varName);
    if (digitTimeout || transferOnFailure !== undefined) args.push(digitTimeout);
    if (transferOnFailure !== undefined) args.push(transferOnFailure);
    return this.traced("playAndGetDigits", args, () =>
      this.blocking(() =>
        this.doPlayAndGetDigits(
          Number(minDigits),
          Number(maxDigits),
          Number(maxTries),
          Number(timeout),
          terminators ?? "",
          prompt ?? "",
          invalidPrompt ?? "",
          regex ?? "",
          varName || undefined,
          Number(digitTimeout) || 0,
          transferOnFailure || undefined,
        ),
      ),
    );
  }

  /** switch_play_and_get_digits, step by step (see the reference, §2.3). */
  async doPlayAndGetDigits(
    min: number,
    max: number,
    tries: number,
    timeout: number,
    terminators: string,
    prompt: string,
    invalidPrompt: string,
    regex: string,
    varName: string | undefined,
    digitTimeout: number,
    transferOnFailure: string | undefined,
  ): Promise<string> {
    // Linear-time RE2 (runtime/safe-regex.ts): a script's pattern cannot stall the SIP thread.
    let re: SafeRegex | undefined;
    if (regex) {
      const compiled = compileFsRegex(regex);
      if (compiled.ok) re = compiled.regex;
      else this.log("err", regexErrorLine(regex, compiled.reason));
    }
    if (varName && regex) this.channel.setVar(`${varName}_invalid`, undefined);
    let left = Math.max(1, tries);
    while (left > 0 && this.channel.ready) {
      if (varName) this.channel.setVar(varName, undefined);
      const r = await this.readCore(min, max, prompt, timeout, terminators, digitTimeout);
      if (varName && r.digits) this.channel.setVar(varName, r.digits);
      if (varName && this.sensitive) this.channel.sensitiveVariables.add(varName);
      if (r.status === "restart") return r.digits;
      const ok = r.status === "success" || (r.status === "timeout" && r.digits.length >= min);
      if (ok && min === 0 && r.digits === "" && r.terminator) return "";
      if (ok && r.digits !== "") {
        if (!regex) return r.digits;
        if (re && this.regexMatches(re, r.digits)) return r.digits;
        if (varName) {
          this.channel.setVar(varName, undefined);
          this.channel.setVar(`${varName}_invalid`, r.digits);
        }
      }
      if (!this.channel.ready) break;
      if (invalidPrompt) {
        // Not interruptible: played with no input args, digits stay queued.
        const h = this.media.play(invalidPrompt);
        await this.channel.waitEvent(undefined, h.done, false);
        h.stop();
        await h.done;
      }
      left--;
    }
    if (transferOnFailure && this.channel.ready) {
      const [ext, dp, ctx] = transferOnFailure.split(/\s+/);
      this.log("warning", `PAGD failure! Transfer to: ${ext} / ${dp ?? ""} / ${ctx ?? ""}`);
      this.doTransfer(ext, dp, ctx);
    }
    return "";
  }

  /** A safe-regex test; a subject over its length cap is logged and counts as no match. */
  private regexMatches(re: SafeRegex, subject: string): boolean {
    try {
      return re.test(subject);
    } catch (e) {
      if (!(e instanceof SafeRegexError)) throw e;
      this.log("err", regexErrorLine(re.source, e.message));
      return false;
    }
  }

  collectDigits(digitTimeout: number, absTimeout?: number): Promise<number> {
    const args = absTimeout === undefined ? [digitTimeout] : [digitTimeout, absTimeout];
    return this.traced("collectDigits", args, () =>
      this.blocking(async () => {
        if (!this.inputCallback) return 0; // GENERR in the core; the binding still returns 0
        // One argument is the absolute timeout; two are (digit, absolute).
        const digitMs = absTimeout === undefined ? 0 : Number(digitTimeout);
        const absMs = absTimeout === undefined ? Number(digitTimeout) : Number(absTimeout);
        const start = performance.now();
        let lastDigit = start;
        for (;;) {
          if (!this.channel.ready) return 0;
          const now = performance.now();
          const waits: number[] = [];
          if (absMs > 0) waits.push(absMs - (now - start));
          if (digitMs > 0) waits.push(digitMs - (now - lastDigit));
          const wait = waits.length ? Math.min(...waits) : undefined;
          if (wait !== undefined && wait <= 0) return 0;
          const ev = await this.channel.waitEvent(wait);
          if (ev !== "dtmf") return 0;
          lastDigit = performance.now();
          const action = await this.dispatchDtmf(false);
          if (action.kind !== "continue") return 0;
        }
      }),
    );
  }

  // --- callbacks --------------------------------------------------------------------------

  setInputCallback<A>(callback: InputCallback<A>, arg?: A): Promise<void> {
    return this.traced("setInputCallback", arg === undefined ? [] : [arg], async () => {
      this.inputCallback = { fn: callback as InputCallback<unknown>, arg };
    });
  }

  unsetInputCallback(): Promise<void> {
    return this.traced("unsetInputCallback", [], async () => {
      this.inputCallback = undefined;
    });
  }

  setHangupHook<A>(hook: HangupHook<A>, arg?: A): Promise<void> {
    return this.traced("setHangupHook", arg === undefined ? [] : [arg], async () => {
      this.hangupHook = { fn: hook as HangupHook<unknown>, arg };
      // A state hook registered now only sees later transitions.
      if (this.channel.up && !this.channel.transferPending) this.channel.takeHookEvent();
    });
  }

  // --- used by dialplan applications (apps.ts) --------------------------------------------

  get hasInputCallback(): boolean {
    return this.inputCallback !== undefined;
  }

  ttsParams(): { engine: string; voice: string } | undefined {
    return this.tts;
  }

  async answerCall(): Promise<void> {
    if (this.channel.ready && !this.channel.answered && (await this.control.answer())) this.channel.answered = true;
  }

  /** 180 Ringing to an unanswered caller (ring_ready while an outbound leg rings). */
  async ringCall(): Promise<void> {
    if (this.channel.ready && !this.channel.answered && !this.channel.earlyMedia) await this.control.ring?.();
  }

  async preAnswerCall(): Promise<void> {
    if (this.channel.ready && !this.channel.answered && !this.channel.earlyMedia && (await this.control.preAnswer()))
      this.channel.earlyMedia = true;
  }
}
