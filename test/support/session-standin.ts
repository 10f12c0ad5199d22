// The TS stand-in: runtime/session/types.ts `Session` over the shared CallModel. Callbacks
// are functions here; they are called in-process. Same trace as the Lua stand-in.
import type { HangupHook, InputCallback, LogLevel, Session } from "../../runtime/session/types";
import { SESSION_METHODS } from "../../generators/lua/binding";
import type { ScriptedCaller } from "./caller";
import { CallModel, type CallbackHost, type RegisteredCallback } from "./session-model";

/**
 * Runtime check of a TS call against the binding's types (the compiler checks arity; TS cannot
 * tell an omitted argument from undefined, and undefined is nil, which char * accepts).
 */
export function checkTsCall(method: string, args: unknown[]): void {
  const sig = SESSION_METHODS[method];
  if (!sig) return; // TS-only methods (collectDigits) have no Lua signature
  const callbackMethod = method === "setInputCallback" || method === "setHangupHook";
  sig.args.forEach((a, i) => {
    const v = args[i];
    if (callbackMethod) return; // functions and values here, global names in Lua
    const ok =
      a.type === "any" ||
      (a.type === "int" ? (v === undefined && a.optional) || (typeof v === "number" && Number.isFinite(v)) : v === undefined || typeof v === "string");
    if (!ok) throw new TypeError(`Error in Session.${method} (arg ${i + 1}), expected ${a.type === "int" ? "number" : "string"} got ${typeof v}`);
  });
}

export class SessionStandIn implements Session {
  readonly model: CallModel;

  constructor(caller: ScriptedCaller) {
    const host: CallbackHost = {
      input: async (cb: RegisteredCallback, digit: string, duration: number) => {
        try {
          return await (cb.ref as InputCallback)(this, "dtmf", { digit, duration }, cb.arg);
        } catch {
          return "SCRIPT_ERROR";
        }
      },
      hangupHook: async (hook: RegisteredCallback, status: "hangup" | "transfer") => {
        try {
          return await (hook.ref as HangupHook)(this, status, hook.arg);
        } catch {
          return undefined;
        }
      },
    };
    this.model = new CallModel(caller, host);
  }

  private async c<T>(method: string, args: unknown[]): Promise<T> {
    checkTsCall(method, args);
    return (await this.model.call(method, args)) as T;
  }

  answer() { return this.c<number>("answer", []); }
  preAnswer() { return this.c<number>("preAnswer", []); }
  answered() { return this.c<boolean>("answered", []); }
  ready() { return this.c<boolean>("ready", []); }
  mediaReady() { return this.c<boolean>("mediaReady", []); }
  bridged() { return this.c<boolean>("bridged", []); }
  hangup(cause?: string) { return this.c<void>("hangup", [cause]); }
  hangupCause() { return this.c<string>("hangupCause", []); }
  getState() { return this.c<string>("getState", []); }
  get_uuid() { return this.c<string>("get_uuid", []); }
  transfer(extension: string, dialplan?: string, context?: string) {
    return this.c<number>("transfer", [extension, dialplan, context]);
  }
  execute(app: string, data?: string) { return this.c<void>("execute", [app, data]); }
  // Generated scripts never make legs of their own (the Bridge node uses execute("bridge")).
  originateSession(): Promise<Session> { return Promise.reject(new TypeError("originateSession is not modelled by the stand-in")); }
  bridgeSession(): Promise<void> { return Promise.reject(new TypeError("bridgeSession is not modelled by the stand-in")); }
  waitForAnswer(): Promise<void> { return Promise.reject(new TypeError("waitForAnswer is not modelled by the stand-in")); }
  setAutoHangup(): Promise<number> { return Promise.reject(new TypeError("setAutoHangup is not modelled by the stand-in")); }
  setVariable(name: string, value: string | undefined) { return this.c<void>("setVariable", [name, value]); }
  getVariable(name: string) { return this.c<string | undefined>("getVariable", [name]); }
  consoleLog(level: LogLevel, message: string) { return this.c<void>("consoleLog", [level, message]); }
  streamFile(file: string, startSample?: number) { return this.c<number>("streamFile", [file, startSample]); }
  sleep(ms: number, sync?: number) { return this.c<number>("sleep", [ms, sync]); }
  set_tts_params(engine: string, voice: string) { return this.c<void>("set_tts_params", [engine, voice]); }
  speak(text: string) { return this.c<number>("speak", [text]); }
  say(text: string, module: string, type: string, method: string, gender?: string) {
    return this.c<void>("say", [text, module, type, method, gender]);
  }
  sayPhrase(name: string, data?: string, lang?: string) { return this.c<void>("sayPhrase", [name, data, lang]); }
  recordFile(file: string, maxLenSecs?: number, silenceThreshold?: number, silenceSecs?: number) {
    return this.c<number>("recordFile", [file, maxLenSecs, silenceThreshold, silenceSecs]);
  }
  flushDigits() { return this.c<number>("flushDigits", []); }
  flushEvents() { return this.c<number>("flushEvents", []); }
  getDigits(maxDigits: number, terminators: string, timeout: number, interdigit?: number, abstimeout?: number) {
    return this.c<string>("getDigits", [maxDigits, terminators, timeout, interdigit, abstimeout]);
  }
  read(minDigits: number, maxDigits: number, promptFile: string, timeout: number, terminators: string, digitTimeout?: number) {
    return this.c<string>("read", [minDigits, maxDigits, promptFile, timeout, terminators, digitTimeout]);
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
    digitTimeout?: number,
    transferOnFailure?: string,
  ) {
    return this.c<string>("playAndGetDigits", [
      minDigits, maxDigits, maxTries, timeout, terminators, prompt, invalidPrompt, regex, varName, digitTimeout, transferOnFailure,
    ]);
  }
  collectDigits(digitTimeout: number, absTimeout?: number) { return this.c<number>("collectDigits", [digitTimeout, absTimeout]); }
  setInputCallback<A>(callback: InputCallback<A>, arg?: A) { return this.c<void>("setInputCallback", [callback, arg]); }
  unsetInputCallback() { return this.c<void>("unsetInputCallback", []); }
  setHangupHook<A>(hook: HangupHook<A>, arg?: A) { return this.c<void>("setHangupHook", [hook, arg]); }
}
