// One in-memory FreeSWITCH channel driven by a scripted caller: the semantics both stand-ins
// share (shared/reference/freeswitch-session-api.md is the contract). The TS stand-in calls it
// directly; the Lua stand-in reaches it over a line RPC. Callbacks run in the script's own
// language through a CallbackHost. Every call lands in one trace, in call order.
import { HANGUP_CAUSES } from "../../flow/hangup-causes";
import { DEFAULT_CALL_VARIABLES, type CallerAction, type HttpReply, type ScriptedCaller } from "./caller";
import { HarnessError, ScriptExit } from "./errors";
import { curlJsonOutput, parseCurlArgs, pcreTest, regexApi, strftimeTzApi, type CurlRequest } from "./fs-api";

/** A callback as the script registered it: a function (TS) or a global's name (Lua), with its argument. */
export interface RegisteredCallback {
  ref: unknown;
  arg: unknown;
}

export interface CallbackHost {
  /** Runs the input callback for one DTMF; resolves to what it returned ("SCRIPT_ERROR" if it threw). */
  input(cb: RegisteredCallback, digit: string, duration: number): Promise<unknown>;
  /** Runs the hangup hook; resolves to what it returned. */
  hangupHook(hook: RegisteredCallback, status: "hangup" | "transfer"): Promise<unknown>;
}

export { HarnessError, ScriptExit };

export type TraceKind = "session" | "api" | "host";

export interface TraceEntry {
  kind: TraceKind;
  method: string;
  args: unknown[];
  result?: unknown;
  /** ivr_node when the call was made. */
  node: string | null;
  /** Set when the call ended the script (hook returned exit/die) or the stand-in refused it. */
  error?: string;
}

/** What happened on the line besides the method results (prompts played, apps run...). */
export type CallEvent =
  | { type: "play"; file: string; how: "done" | "break" | "hangup" | "invalid" | "prompt" }
  | { type: "record"; file: string; ms: number }
  | { type: "execute"; app: string; data: string | null }
  | { type: "transfer"; extension: string; dialplan: string | null; context: string | null }
  | { type: "hangup"; by: "caller" | "script"; cause: string }
  | { type: "hook"; status: "hangup" | "transfer"; returned: unknown }
  | { type: "log"; level: string; message: string }
  | { type: "http"; request: CurlRequest | { url: string; method: string; body?: string }; status: number };

const DTMF_DURATION = 2000; // SWITCH_DEFAULT_DTMF_DURATION, samples
const HOOKED_METHODS = new Set([
  "hangup", "execute", "speak", "collectDigits", "getDigits", "transfer", "read", "playAndGetDigits",
  "say", "sayPhrase", "streamFile", "sleep", "recordFile",
]);
const CONTINUE_VALUES = new Set(["", "true", "undefined"]);
const FILE_HANDLE_CONTINUE = /^(pause|restart|(seek|speed|volume):.*)$/i;
const BRIDGE_ALIASES: Record<string, string> = { busy: "USER_BUSY", no_answer: "NO_ANSWER", failed: "CALL_REJECTED" };
const DIALSTATUS: Record<string, string> = {
  USER_BUSY: "BUSY", NO_ANSWER: "NOANSWER", NO_USER_RESPONSE: "NOANSWER", ORIGINATOR_CANCEL: "CANCEL",
};

/** switch_channel_str2cause: a name in any case or a decimal string; unknown -> NORMAL_CLEARING. */
export function causeName(cause: unknown): string {
  if (typeof cause !== "string" || cause === "") return "NORMAL_CLEARING";
  const upper = cause.toUpperCase();
  if (upper in HANGUP_CAUSES) return upper;
  if (/^\d+$/.test(cause)) {
    const hit = Object.entries(HANGUP_CAUSES).find(([, n]) => n === Number(cause));
    if (hit) return hit[0];
  }
  return "NORMAL_CLEARING";
}

type CollectStatus = "success" | "timeout" | "false";

export class CallModel {
  readonly trace: TraceEntry[] = [];
  readonly events: CallEvent[] = [];
  readonly vars = new Map<string, string>();
  readonly nowMs: number;
  /** Digits typed ahead and not consumed yet. */
  private typed = "";
  private readonly queue: CallerAction[];
  private readonly httpReplies: HttpReply[];
  private hungUp = false;
  private transferPending = false;
  private answeredFlag = false;
  private earlyMedia = false;
  private ttsSet = false;
  private inputCb: RegisteredCallback | undefined;
  private hook: RegisteredCallback | undefined;
  private hookPending: "hangup" | "transfer" | undefined;
  private hookDone = false;
  private calls = 0;
  /** First stand-in/caller failure, kept even if the script catches the error. */
  harnessError: string | undefined;
  private readonly maxCalls: number;

  constructor(
    readonly caller: ScriptedCaller,
    private readonly host: CallbackHost,
  ) {
    this.queue = [...caller.actions];
    this.httpReplies = [...(caller.http ?? [])];
    for (const [k, v] of Object.entries({ ...DEFAULT_CALL_VARIABLES, ...caller.variables })) this.vars.set(k, v);
    this.nowMs = caller.now ? Date.parse(caller.now) : Date.parse("2026-11-26T15:00:00Z");
    if (Number.isNaN(this.nowMs)) throw new HarnessError(`bad "now": ${caller.now}`);
    this.maxCalls = caller.maxCalls ?? 2000;
  }

  /** Actions the script never got to (a test usually expects none left). */
  get unusedActions(): CallerAction[] {
    return [...this.queue];
  }

  /** Node ids in the order the script entered them (every `ivr_node` set). */
  get path(): string[] {
    return this.trace
      .filter((t) => t.kind === "session" && t.method === "setVariable" && t.args[0] === "ivr_node" && typeof t.args[1] === "string")
      .map((t) => t.args[1] as string);
  }

  private up(): boolean {
    return !this.hungUp && !this.transferPending;
  }

  /** Records a call, runs it, then the hangup hook if the method is one that checks it. */
  async call(method: string, args: unknown[], kind: TraceKind = "session"): Promise<unknown> {
    if (++this.calls > this.maxCalls) {
      this.harnessError ??= `stand-in: more than ${this.maxCalls} calls: runaway script?`;
      throw new HarnessError(`more than ${this.maxCalls} calls: runaway script?`);
    }
    const entry: TraceEntry = { kind, method, args: normalizeArgs(method, args), node: this.vars.get("ivr_node") ?? null };
    this.trace.push(entry);
    try {
      if (method === "ready") await this.runPendingHook();
      const result = await this.dispatch(kind, method, args);
      entry.result = result;
      if (kind === "session" && HOOKED_METHODS.has(method)) await this.runPendingHook();
      return result;
    } catch (e) {
      entry.error = e instanceof Error ? e.message : String(e);
      if (e instanceof HarnessError) this.harnessError ??= e.message;
      throw e;
    }
  }

  private async dispatch(kind: TraceKind, method: string, a: unknown[]): Promise<unknown> {
    if (kind === "api") return this.api(method, a);
    const s = (i: number): string | undefined => (a[i] === undefined || a[i] === null ? undefined : String(a[i]));
    const n = (i: number, dflt = 0): number => (a[i] === undefined || a[i] === null ? dflt : Math.trunc(Number(a[i])));
    switch (method) {
      case "answer":
        if (this.hungUp) return 0;
        this.answeredFlag = true;
        return 1;
      case "preAnswer":
        if (this.hungUp) return 0;
        this.earlyMedia = true;
        return 1;
      case "answered":
        return this.answeredFlag;
      case "ready":
        return this.up();
      case "mediaReady":
        return this.up() && (this.answeredFlag || this.earlyMedia);
      case "bridged":
        return false;
      case "hangup":
        if (!this.hungUp) this.hangUp("script", causeName(s(0)));
        return undefined;
      case "hangupCause":
        return "NONE";
      case "getState":
        return this.hungUp ? "CS_HANGUP" : "CS_EXECUTE";
      case "get_uuid":
        return this.vars.get("uuid") ?? "uninitialized";
      case "transfer":
        return this.transfer(s(0) ?? "", s(1) ?? null, s(2) ?? null);
      case "execute":
        await this.execute(s(0) ?? "", s(1) ?? null);
        return undefined;
      case "setVariable": {
        const name = s(0);
        if (name === undefined) return undefined;
        const value = s(1);
        if (value === undefined) this.vars.delete(name);
        else this.vars.set(name, value);
        return undefined;
      }
      case "getVariable":
        return s(0) === undefined ? undefined : this.vars.get(s(0)!);
      case "consoleLog":
        this.events.push({ type: "log", level: s(0) ?? "", message: s(1) ?? "" });
        return undefined;
      case "streamFile":
        return (await this.playback("streamFile", s(0) ?? "", true)) === "done" ? 1 : 0;
      case "sleep":
        return (await this.playback("sleep", `silence_stream://${n(0)}`, false)) === "done" ? 1 : 0;
      case "set_tts_params":
        this.ttsSet = true;
        return undefined;
      case "speak": {
        if (!this.ttsSet) return 1; // SWITCH_STATUS_FALSE when engine/voice were never set
        return (await this.playback("speak", `say:${s(0) ?? ""}`, false)) === "done" ? 1 : 0;
      }
      case "say":
        await this.playback("say", `say:${a.slice(0, 4).join(",")}`, false);
        return undefined;
      case "sayPhrase":
        await this.playback("sayPhrase", `phrase:${s(0) ?? ""}:${s(1) ?? ""}`, false);
        return undefined;
      case "recordFile":
        return this.recordFile(s(0) ?? "");
      case "flushDigits":
        this.typed = "";
        return 0;
      case "flushEvents":
        return 0;
      case "getDigits": {
        if (!this.up()) return "";
        const r = await this.collect("getDigits", Math.max(1, n(0)), s(1) ?? "");
        return r.digits;
      }
      case "read": {
        // CoreSession::read clamps min, max and timeout to at least 1, and ignores the status.
        const r = await this.ivrRead("read", Math.max(1, n(0)), Math.max(1, n(1)), s(2) ?? "", undefined, s(4) ?? "");
        return r.digits;
      }
      case "playAndGetDigits":
        return this.playAndGetDigits(n(0), n(1), n(2), s(4) ?? "", s(5) ?? "", s(6) ?? "", s(7) ?? "", s(8), s(10));
      case "collectDigits":
        return this.collectDigits();
      case "setInputCallback":
        this.inputCb = { ref: a[0], arg: a[1] };
        return undefined;
      case "unsetInputCallback":
        this.inputCb = undefined;
        return undefined;
      case "setHangupHook":
        this.hook = { ref: a[0], arg: a[1] };
        return undefined;
      default:
        throw new HarnessError(`session method ${method} is not implemented by the stand-in`);
    }
  }

  // --- caller side --------------------------------------------------------------------

  private hangUp(by: "caller" | "script", cause: string): void {
    this.hungUp = true;
    this.vars.set("hangup_cause", cause);
    this.events.push({ type: "hangup", by, cause });
    if (this.hook && !this.hookDone && !this.hookPending) this.hookPending = "hangup";
  }

  private async runPendingHook(): Promise<void> {
    if (!this.hook || !this.hookPending || this.hookDone) return;
    const status = this.hookPending;
    this.hookDone = true;
    this.hookPending = undefined;
    const ret = await this.host.hangupHook(this.hook, status);
    this.events.push({ type: "hook", status, returned: ret ?? null });
    if (typeof ret === "string") {
      this.vars.set("lua_hangup_hook_return_val", ret);
      if (/^(exit|die)$/i.test(ret)) throw new ScriptExit(ret);
    }
  }

  /** The next action for an input wait: digits, a timeout, or the caller leaving. */
  private takeForInput(method: string): "timeout" | "hangup" | "digits" {
    const peek = this.queue[0];
    if (peek && "hangup" in peek && peek.during !== undefined && peek.during !== method) {
      throw new HarnessError(`the script waits for digits in ${method} but the caller's next action is a hangup during ${peek.during}`);
    }
    const next = this.queue.shift();
    if (!next || "hangup" in next) {
      this.hangUp("caller", "NORMAL_CLEARING");
      return "hangup";
    }
    if ("noinput" in next) return "timeout";
    if ("dtmf" in next) {
      this.typed += next.dtmf;
      return "digits";
    }
    throw new HarnessError(`the script waits for digits but the caller's next action is ${JSON.stringify(next)}`);
  }

  /** switch_ivr_collect_digits_count: queued digits first, then the caller; terminators are not kept. */
  private async collect(method: string, max: number, terminators: string): Promise<{ digits: string; terminator?: string; status: CollectStatus }> {
    let digits = "";
    for (;;) {
      while (this.typed === "") {
        if (!this.up()) return { digits, status: "false" };
        const got = this.takeForInput(method);
        if (got === "timeout") return { digits, status: "timeout" };
        if (got === "hangup") return { digits, status: "false" };
      }
      const c = this.typed[0];
      this.typed = this.typed.slice(1);
      if (terminators.includes(c)) return { digits, terminator: c, status: "success" };
      digits += c;
      if (digits.length >= max) return { digits, status: "success" };
    }
  }

  /** switch_ivr_read: prompt (barge-in), collect, terminator markers, read_result. */
  private async ivrRead(
    method: string,
    min: number,
    max: number,
    prompt: string,
    varName: string | undefined,
    terminatorSpec: string,
  ): Promise<{ digits: string; status: CollectStatus; terminator?: string }> {
    if (!this.hungUp) this.earlyMedia = true;
    this.vars.delete("read_result");
    if (varName) this.vars.delete(varName);
    if (!this.up()) {
      this.vars.set("read_result", "failure");
      return { digits: "", status: "false" };
    }
    if (prompt && prompt !== "silence") this.events.push({ type: "play", file: prompt, how: "prompt" });
    const required = terminatorSpec.startsWith("=");
    const spec = required ? terminatorSpec.slice(1) : terminatorSpec;
    const appended = new Set<string>();
    let terms = "";
    for (let i = 0; i < spec.length; i++) {
      if ((spec[i] === "+" || spec[i] === "x") && i + 1 < spec.length) {
        appended.add(spec[i + 1]);
        terms += spec[++i];
      } else terms += spec[i];
    }
    const r = await this.collect(method, max, terms);
    let { digits, status } = r;
    if (r.terminator) {
      this.vars.set("read_terminator_used", r.terminator);
      if (appended.has(r.terminator)) digits += r.terminator;
    }
    if (varName && digits !== "") this.vars.set(varName, digits);
    if ((min && digits.length < min) || digits.length > max) status = "false";
    if (required && !r.terminator) status = "false";
    if (max === 1 && digits.length === 1 && terms.includes(digits)) digits = "";
    this.vars.set("read_result", status === "success" ? "success" : status === "timeout" ? "timeout" : "failure");
    return { digits, status, terminator: r.terminator };
  }

  /** switch_play_and_get_digits. */
  private async playAndGetDigits(
    min: number,
    max: number,
    maxTries: number,
    terminators: string,
    prompt: string,
    invalid: string,
    regex: string,
    varName: string | undefined,
    transferOnFailure: string | undefined,
  ): Promise<string> {
    if (regex && varName) this.vars.delete(`${varName}_invalid`);
    let tries = maxTries;
    while (this.up() && tries > 0) {
      const r = await this.ivrRead("playAndGetDigits", min, max, prompt, varName, terminators);
      let status = r.status;
      if (status === "timeout" && r.digits.length >= min) status = "success";
      if (min === 0 && r.digits === "" && r.terminator) return "";
      if (status === "success" && r.digits !== "") {
        if (!regex || pcreTest(regex, r.digits)) return r.digits;
        if (varName) {
          this.vars.delete(varName);
          this.vars.set(`${varName}_invalid`, r.digits);
        }
      }
      if (invalid && this.up()) this.events.push({ type: "play", file: invalid, how: "invalid" });
      tries--;
    }
    if (transferOnFailure && tries === 0 && this.up()) {
      const [ext, dp, ctx] = transferOnFailure.split(" ");
      this.transfer(ext ?? "", dp ?? null, ctx ?? null);
    }
    return "";
  }

  /** Playback-like waits: the caller may hang up, or type into an input callback. */
  private async playback(method: string, file: string, hasFileHandle: boolean): Promise<"done" | "break" | "hangup"> {
    if (!this.hungUp) this.earlyMedia = true;
    if (!this.up()) return "hangup";
    const next = this.queue[0];
    let how: "done" | "break" | "hangup" = "done";
    if (next && "hangup" in next && (next.during === undefined || next.during === method)) {
      this.queue.shift();
      this.hangUp("caller", "NORMAL_CLEARING");
      how = "hangup";
    } else if (next && "dtmf" in next && this.inputCb) {
      this.queue.shift();
      how = await this.deliverDigits(next.dtmf, hasFileHandle);
    } else if (next && "noinput" in next && this.inputCb) {
      this.queue.shift();
    }
    this.events.push({ type: "play", file, how });
    return how;
  }

  private async deliverDigits(digits: string, hasFileHandle: boolean): Promise<"done" | "break"> {
    for (let i = 0; i < digits.length; i++) {
      const cb = this.inputCb;
      if (!cb) {
        this.typed += digits.slice(i);
        return "done";
      }
      const ret = await this.host.input(cb, digits[i], DTMF_DURATION);
      if (!callbackContinues(ret, hasFileHandle)) {
        this.typed += digits.slice(i + 1);
        return "break";
      }
    }
    return "done";
  }

  private async recordFile(file: string): Promise<number> {
    if (!this.hungUp) this.earlyMedia = true;
    if (!this.up()) return 0;
    const how = await this.playback("recordFile", file, true);
    this.events.pop(); // playback() logged a "play"; this is a recording
    const ms = this.caller.recordMs ?? 4000;
    this.events.push({ type: "record", file, ms });
    this.vars.set("record_ms", String(ms));
    this.vars.set("record_seconds", String(Math.floor(ms / 1000)));
    this.vars.set("record_samples", String(ms * 8));
    return how === "done" ? 1 : 0;
  }

  private async collectDigits(): Promise<number> {
    if (!this.inputCb || !this.up()) return 0;
    for (;;) {
      const next = this.queue[0];
      if (!next || "hangup" in next) {
        if (next) this.queue.shift();
        this.hangUp("caller", "NORMAL_CLEARING");
        return 0;
      }
      if ("noinput" in next) {
        this.queue.shift();
        return 0;
      }
      if (!("dtmf" in next)) return 0;
      this.queue.shift();
      if ((await this.deliverDigits(next.dtmf, false)) === "break") return 0;
    }
  }

  private transfer(extension: string, dialplan: string | null, context: string | null): number {
    if (!this.up()) return 0;
    this.transferPending = true;
    this.events.push({ type: "transfer", extension, dialplan, context });
    if (this.hook && !this.hookDone && !this.hookPending) this.hookPending = "transfer";
    return 1;
  }

  private async execute(app: string, data: string | null): Promise<void> {
    this.events.push({ type: "execute", app, data });
    if (!this.up()) return;
    switch (app) {
      case "bridge":
        return this.bridge();
      case "hangup":
        this.hangUp("script", causeName(data ?? undefined));
        return;
      case "transfer": {
        const [ext, dp, ctx] = (data ?? "").split(" ");
        this.transfer(ext ?? "", dp ?? null, ctx ?? null);
        return;
      }
      case "answer":
        this.answeredFlag = true;
        return;
      case "set": {
        const eq = (data ?? "").indexOf("=");
        if (eq > 0) this.vars.set(data!.slice(0, eq), data!.slice(eq + 1));
        return;
      }
      default:
        return;
    }
  }

  /** The bridge app: the far end answers, or fails with a cause (originate_disposition, DIALSTATUS). */
  private async bridge(): Promise<void> {
    let next: CallerAction | undefined = this.queue[0];
    if (next && ("bridge" in next || ("hangup" in next && (next.during === undefined || next.during === "execute")))) this.queue.shift();
    else next = this.caller.defaultBridge ? { bridge: this.caller.defaultBridge } : next;
    if (next && "hangup" in next) {
      this.vars.set("originate_disposition", "ORIGINATOR_CANCEL");
      this.vars.set("DIALSTATUS", "CANCEL");
      this.hangUp("caller", "ORIGINATOR_CANCEL");
      return;
    }
    if (!next || !("bridge" in next)) {
      throw new HarnessError(`the script bridges but the caller's next action is ${JSON.stringify(next ?? "none")}`);
    }
    this.vars.delete("originate_failed_cause");
    if (next.bridge === "answered") {
      this.vars.set("originate_disposition", "SUCCESS");
      this.vars.set("DIALSTATUS", "SUCCESS");
      this.vars.set("last_bridge_hangup_cause", "NORMAL_CLEARING");
      this.vars.set("bridge_hangup_cause", "NORMAL_CLEARING");
      if (next.then === "hangup") this.hangUp("caller", "NORMAL_CLEARING");
      else if (this.vars.get("hangup_after_bridge") === "true") this.hangUp("script", "NORMAL_CLEARING");
      return;
    }
    const cause = BRIDGE_ALIASES[next.bridge] ?? next.bridge.toUpperCase();
    if (!(cause in HANGUP_CAUSES)) throw new HarnessError(`unknown bridge outcome ${next.bridge}`);
    this.vars.set("originate_disposition", cause);
    this.vars.set("originate_failed_cause", cause);
    this.vars.set("DIALSTATUS", DIALSTATUS[cause] ?? "CHANUNAVAIL");
  }

  // --- API commands (Lua: freeswitch.API():execute) and HTTP (TS: fetch) ----------------

  private api(method: string, a: unknown[]): unknown {
    if (method === "freeswitch.consoleLog") {
      this.events.push({ type: "log", level: String(a[0] ?? ""), message: String(a[1] ?? "") });
      return undefined;
    }
    if (method === "getTime") return String(this.nowMs);
    if (method === "json_decode") {
      try {
        return JSON.parse(String(a[0] ?? ""));
      } catch {
        return undefined; // cJSON_Parse failed: nil
      }
    }
    if (method !== "execute") throw new HarnessError(`API:${method} is not implemented by the stand-in`);
    const cmd = a[0] === undefined || a[0] === null ? "" : String(a[0]);
    const args = a[1] === undefined || a[1] === null ? "" : String(a[1]);
    switch (cmd) {
      case "":
        return "-ERR No application specified";
      case "regex":
        return regexApi(args);
      case "strftime_tz":
        return strftimeTzApi(args, this.nowMs);
      case "curl": {
        const req = parseCurlArgs(args);
        const reply = this.nextHttpReply(req);
        if (req.json) return curlJsonOutput(reply);
        return reply.body ?? "";
      }
      default:
        return `-ERR ${cmd} Command not found!\n`;
    }
  }

  /** The next scripted HTTP reply (recorded as an event with the request). */
  nextHttpReply(request: CurlRequest | { url: string; method: string; body?: string }): HttpReply {
    const reply = this.httpReplies.shift();
    if (!reply) {
      const e = new HarnessError(`the script made an HTTP request (${request.url}) but no reply is scripted`);
      this.harnessError ??= e.message;
      throw e;
    }
    this.events.push({ type: "http", request, status: reply.status });
    return reply;
  }
}

/** switch_ivr_process_fh / the plain continue strings. */
function callbackContinues(ret: unknown, hasFileHandle: boolean): boolean {
  if (ret === undefined || ret === null || typeof ret === "boolean") return true;
  const s = String(ret);
  if (CONTINUE_VALUES.has(s)) return true;
  return hasFileHandle && FILE_HANDLE_CONTINUE.test(s);
}

/** Trace args comparable across languages: trailing nil/undefined dropped, callbacks named generically. */
function normalizeArgs(method: string, args: unknown[]): unknown[] {
  const out = args.map((v) => (v === undefined ? null : v));
  while (out.length > 0 && out[out.length - 1] === null) out.pop();
  if (method === "setInputCallback" || method === "setHangupHook") {
    return out.map((v, i) => (i === 0 ? "<callback>" : v === null ? null : "<arg>"));
  }
  return out;
}
