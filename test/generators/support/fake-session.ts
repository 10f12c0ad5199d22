// One recording fake of the FreeSWITCH session for generator tests, shared by the Lua
// runner (through a line protocol) and the TypeScript runner (directly). Every session call
// is checked against the binding's arity and argument types.
import { checkArity, SESSION_METHODS } from "../../../generators/lua/binding";
import { fsRegexApi, parseCurlArgs, type CurlArgs } from "./fs-split";

export interface Call {
  method: string;
  args: unknown[];
}

export interface HttpReply {
  status: number;
  body?: string;
}

export interface FakeOptions {
  vars?: Record<string, string>;
  /** Results of playAndGetDigits / read / getDigits, in order ("" once empty). */
  digits?: string[];
  /** A key pressed during each streamFile / recordFile while an input callback is set. */
  pressKeys?: string[];
  /** ready() answers true this many times at most (guards against endless loops). */
  readyLimit?: number;
  /** The caller hangs up at this ready() call (1-based): the hangup hook runs. */
  hangupAtReady?: number;
  /** Channel variables set by execute("bridge", ...). */
  bridgeVars?: Record<string, string>;
  /** What strftime_tz answers (default: from `now`). */
  now?: Date;
  http?: (req: CurlArgs) => HttpReply;
}

/** How a runner calls back into the script: input callback or hangup hook. */
export interface ScriptCallbacks {
  inputCallback(handle: unknown, digit: string): Promise<unknown>;
  hangupHook(handle: unknown, status: string): Promise<unknown>;
}

export class FakeSession {
  readonly calls: Call[] = [];
  readonly api: Array<{ command: string; args: string; output: string }> = [];
  readonly logs: Array<{ level: string; message: string }> = [];
  readonly violations: string[] = [];
  readonly vars = new Map<string, string>();
  readonly curl: CurlArgs[] = [];
  readonly regex: Array<{ subject?: string; pattern?: string; output: string }> = [];
  private readyCount = 0;
  private hungUp = false;
  private inputCb: unknown;
  private hook: unknown;
  private hookRan = false;
  callbacks?: ScriptCallbacks;

  constructor(readonly opts: FakeOptions = {}) {
    for (const [k, v] of Object.entries(opts.vars ?? {})) this.vars.set(k, v);
  }

  /** Calls of one method, arguments only. */
  argsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private check(method: string, args: unknown[]): void {
    const problem = checkArity(SESSION_METHODS, method, args.length);
    if (problem) {
      this.violations.push(problem);
      throw new Error(problem);
    }
    SESSION_METHODS[method].args.forEach((spec, i) => {
      const v = args[i];
      const ok =
        spec.type === "any" ||
        (typeof v === "function" && (method === "setInputCallback" || method === "setHangupHook")) ||
        (spec.type === "string" && (v === undefined || v === null || typeof v === "string")) ||
        (spec.type === "int" && (typeof v === "number" || (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)))));
      if (!ok && i < args.length) {
        const msg = `${method} arg ${i + 1} (${spec.name}) expected ${spec.type}, got ${JSON.stringify(v)}`;
        this.violations.push(msg);
        throw new Error(msg);
      }
    });
  }

  private async runHook(status: string): Promise<void> {
    if (this.hook === undefined || this.hookRan || !this.callbacks) return;
    this.hookRan = true;
    const r = await this.callbacks.hangupHook(this.hook, status);
    if (typeof r === "string" && /^(exit|die)$/i.test(r)) throw new Error(`hangup hook returned ${r}`);
  }

  private async collect(): Promise<string> {
    return this.opts.digits?.shift() ?? "";
  }

  private async playWithCallback(): Promise<number> {
    if (this.hungUp) return 0;
    if (this.inputCb !== undefined && this.callbacks && this.opts.pressKeys && this.opts.pressKeys.length > 0) {
      const digit = this.opts.pressKeys.shift() as string;
      const r = await this.callbacks.inputCallback(this.inputCb, digit);
      const cont = r === undefined || r === null || r === "" || r === "true" || r === "undefined";
      return cont ? 1 : 0;
    }
    return 1;
  }

  /** A session method call (args as the script passed them; nil/undefined kept). */
  async call(method: string, args: unknown[]): Promise<unknown> {
    this.calls.push({ method, args });
    this.check(method, args);
    const s = (i: number) => (typeof args[i] === "string" ? (args[i] as string) : undefined);
    switch (method) {
      case "ready": {
        this.readyCount++;
        if (this.opts.hangupAtReady !== undefined && this.readyCount >= this.opts.hangupAtReady && !this.hungUp) {
          this.hungUp = true;
          this.vars.set("hangup_cause", "NORMAL_CLEARING");
          await this.runHook("hangup");
        }
        return !this.hungUp && this.readyCount <= (this.opts.readyLimit ?? 200);
      }
      case "answer":
      case "preAnswer":
        return 1;
      case "answered":
        return true;
      case "setVariable":
        if (args[1] === undefined || args[1] === null) this.vars.delete(s(0) ?? "");
        else this.vars.set(s(0) ?? "", String(args[1]));
        return undefined;
      case "getVariable":
        return this.vars.get(s(0) ?? "");
      case "consoleLog":
        this.logs.push({ level: s(0) ?? "", message: s(1) ?? "" });
        return undefined;
      case "hangup":
        this.hungUp = true;
        this.vars.set("hangup_cause", s(0) ?? "NORMAL_CLEARING");
        return undefined;
      case "transfer":
        return 1;
      case "execute":
        if (s(0) === "bridge") for (const [k, v] of Object.entries(this.opts.bridgeVars ?? {})) this.vars.set(k, v);
        return undefined;
      case "streamFile":
      case "recordFile":
        return this.playWithCallback();
      case "sleep":
      case "speak":
        return 1;
      case "flushDigits":
      case "flushEvents":
        return 0;
      case "playAndGetDigits": {
        // FreeSWITCH sets var_name to an accepted entry.
        const d = await this.collect();
        if (d !== "" && s(8)) this.vars.set(s(8) as string, d);
        return d;
      }
      case "getDigits":
        return this.collect();
      case "read": {
        const d = await this.collect();
        const min = Number(args[0]);
        this.vars.set("read_result", d.length >= min ? "success" : d === "" ? "timeout" : "failure");
        return d;
      }
      case "setInputCallback":
        this.inputCb = args[0];
        return undefined;
      case "unsetInputCallback":
        this.inputCb = undefined;
        return undefined;
      case "setHangupHook":
        this.hook = args[0];
        return undefined;
      default:
        return undefined;
    }
  }

  /** freeswitch.API():execute(command, args) */
  apiExecute(command: string, args: string): string {
    let output = "-ERR unknown command";
    if (command === "regex") {
      const r = fsRegexApi(args);
      this.regex.push(r);
      output = r.output;
    } else if (command === "strftime_tz") {
      const sp = args.indexOf(" ");
      output = strftimeTz(args.slice(0, sp), this.opts.now ?? new Date());
    } else if (command === "curl") {
      const req = parseCurlArgs(args);
      this.curl.push(req);
      const reply = this.opts.http?.(req) ?? { status: 404, body: "not found" };
      output = JSON.stringify({ status_code: reply.status, ...(reply.body !== undefined ? { body: reply.body } : {}), headers: [] });
    }
    this.api.push({ command, args, output });
    return output;
  }
}

/** "YYYY-MM-DD w HH:MM" in a time zone, what strftime_tz gives for "%Y-%m-%d %w %H:%M". */
export function strftimeTz(tz: string, now: Date): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", weekday: "short", hour: "2-digit", minute: "2-digit",
  }).formatToParts(now);
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? "";
  const wd = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(p("weekday"));
  return `${p("year")}-${p("month")}-${p("day")} ${wd} ${p("hour")}:${p("minute")}`;
}
