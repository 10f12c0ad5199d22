// A scripted caller on the real runtime: the runtime's FsSession (runtime/session, the one
// model of FreeSWITCH behaviour) over in-memory ports, with the caller's actions consumed
// where the session waits. Nothing waits for real: a wait the caller does not end by typing
// or hanging up ends at once (a timeout, a prompt played to its end). Scripts run on it in
// TS (runtime ts-host), in Lua on the runtime's Lua host, or in plain lua5.x (lua-runner.ts).
import { HANGUP_CAUSES } from "../../flow/hangup-causes";
import { createClock, type Clock } from "../../runtime/clock";
import { executeApi } from "../../runtime/host/fs-api";
import { Channel } from "../../runtime/session/channel";
import { ScriptExit } from "../../runtime/session/errors";
import type { CallControl, MediaPort, PlayHandle, PlayResult, RecordHandle, RecordResult } from "../../runtime/session/ports";
import { FsSession, type MethodRecord } from "../../runtime/session/session";
import { PhraseBook } from "../../runtime/session/phrases";
import type { HangupHook } from "../../runtime/session/types";
import { DEFAULT_CALL_VARIABLES, type CallerAction, type HttpReply, type ScriptedCaller } from "./caller";

/** The scripted caller or the harness cannot go on (a test bug, not a script bug). */
export class HarnessError extends Error {
  constructor(message: string) {
    super(`harness: ${message}`);
    this.name = "HarnessError";
  }
}
export { ScriptExit };

export type TraceKind = "session" | "api" | "host";

export interface TraceEntry {
  kind: TraceKind;
  method: string;
  args: unknown[];
  result?: unknown;
  /** ivr_node when the call was made. */
  node: string | null;
}

/** An HTTP request as it left the script (Lua's mod_curl and TS's fetch alike). */
export interface HttpRequest {
  url: string;
  method: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: string;
}

/** What happened on the line besides the method results. */
export type CallEvent =
  | { type: "play"; file: string; how: PlayResult["reason"] }
  | { type: "record"; file: string; ms: number }
  | { type: "transfer"; extension: string; dialplan: string; context: string }
  | { type: "hangup"; by: "caller" | "script"; cause: string }
  | { type: "hook"; status: "hangup" | "transfer"; returned: unknown }
  | { type: "log"; level: string; message: string }
  | { type: "http"; request: HttpRequest; status: number };

/** Thursday 2026-11-26 15:00 UTC unless the caller says otherwise. */
const DEFAULT_NOW = "2026-11-26T15:00:00Z";
/** Hosts HTTP may reach in tests (the runtime's allow-list rule applies). */
export const TEST_HTTP_HOSTS = ["*.example.com", "example.com", "*.example", "127.0.0.1", "localhost"];
const PLAYBACK_METHODS = new Set(["streamFile", "sleep", "speak", "say", "sayPhrase", "recordFile"]);
const INPUT_METHODS = new Set(["getDigits", "read", "playAndGetDigits"]);
/** Session methods that can wait: the line must know which one is waiting. */
const WAITING_METHODS = [...PLAYBACK_METHODS, ...INPUT_METHODS, "collectDigits", "execute", "hangup", "transfer", "answer", "preAnswer"] as const;
const BRIDGE_ALIASES: Record<string, string> = { busy: "USER_BUSY", no_answer: "NO_ANSWER", failed: "CALL_REJECTED" };
const DIALSTATUS: Record<string, string> = { USER_BUSY: "BUSY", NO_ANSWER: "NOANSWER", NO_USER_RESPONSE: "NOANSWER", ORIGINATOR_CANCEL: "CANCEL" };

type WaitResult = "dtmf" | "down" | "timeout" | "extra";

/** A playback or recording the caller hears; it ends when the line says so. */
class LineMedia<R extends { reason: string; ms: number; samples: number }> {
  readonly done: Promise<R>;
  finished = false;
  private resolve!: (r: R) => void;
  constructor(
    readonly file: string,
    /** How it ends when the caller lets it run to its end. */
    readonly natural: R,
    private readonly onEnd: (m: LineMedia<R>, r: R) => void,
  ) {
    this.done = new Promise<R>((r) => (this.resolve = r));
  }
  finish(result: R): void {
    if (this.finished) return;
    this.finished = true;
    this.onEnd(this, result);
    this.resolve(result);
  }
}

/** A Channel whose waits are answered by the scripted caller instead of the clock and the network. */
class CallerChannel extends Channel {
  line!: ScriptedLine;
  override waitEvent(ms: number | undefined, extra?: Promise<unknown>, wantDtmf = true): Promise<WaitResult> {
    if (wantDtmf && this.hasDtmf()) return Promise.resolve("dtmf");
    if (!this.ready) return Promise.resolve("down");
    return Promise.resolve(this.line.onWait(ms, extra, wantDtmf));
  }
}

/** One scripted call: channel, ports, the runtime's FsSession, and what happened. */
export class ScriptedLine {
  readonly trace: TraceEntry[] = [];
  readonly events: CallEvent[] = [];
  readonly channel: CallerChannel;
  readonly session: FsSession;
  readonly clock: Clock;
  readonly globals = new Map<string, string>();
  harnessError: string | undefined;
  private readonly queue: CallerAction[];
  private readonly httpReplies: HttpReply[];
  /** Session methods in progress (callbacks nest), each with whether the caller acted in it yet. */
  private readonly running: Array<{ method: string; acted: boolean }> = [];
  private media: LineMedia<PlayResult | RecordResult> | undefined;
  private calls = 0;

  constructor(readonly caller: ScriptedCaller) {
    this.queue = [...caller.actions];
    this.httpReplies = [...(caller.http ?? [])];
    const vars = { ...DEFAULT_CALL_VARIABLES, ...caller.variables };
    this.clock = createClock({ at: caller.now ?? DEFAULT_NOW, zone: caller.zone ?? "UTC" });
    this.channel = new CallerChannel(vars.uuid, vars);
    this.channel.line = this;
    this.session = new FsSession({
      channel: this.channel,
      control: this.control(),
      media: this.mediaPort(),
      log: (level, message) => this.events.push({ type: "log", level, message }),
      onMethod: (r) => this.record(r),
      globals: this.globals,
      clock: this.clock,
      phrases: new PhraseBook(caller.phrases ?? []),
    });
    this.instrument(this.session);
  }

  /** Actions the script never got to (a test usually expects none left). */
  get unusedActions(): CallerAction[] {
    return [...this.queue];
  }

  get vars(): Record<string, string> {
    return Object.fromEntries(this.channel.variables);
  }

  /** Node ids in the order the script entered them. */
  get path(): string[] {
    return this.trace
      .filter((t) => t.kind === "session" && t.method === "setVariable" && t.args[0] === "ivr_node" && typeof t.args[1] === "string")
      .map((t) => t.args[1] as string);
  }

  fail(message: string): HarnessError {
    const e = new HarnessError(message);
    this.harnessError ??= e.message;
    return e;
  }

  /** freeswitch.API():execute on the runtime (regex, strftime_tz, curl...), traced. */
  async api(command: string, args: string): Promise<string> {
    const entry: TraceEntry = { kind: "api", method: command, args: [args], node: this.node() };
    this.trace.push(entry);
    entry.result = await executeApi(command, args, this.session, {
      globals: this.globals,
      httpAllowList: TEST_HTTP_HOSTS,
      clock: this.clock,
    });
    return entry.result as string;
  }

  /** fetch for the script (TS) and for mod_curl (Lua): answered from the caller's HTTP replies. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    const request: HttpRequest = {
      url,
      method: (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase(),
      headers: rawHeaders(init?.headers ?? (input instanceof Request ? input.headers : undefined)),
    };
    if (typeof init?.body === "string") request.body = init.body;
    const reply = this.httpReplies.shift();
    if (!reply) throw this.fail(`the script made an HTTP request (${url}) but no reply is scripted`);
    this.events.push({ type: "http", request, status: reply.status });
    if (reply.status === 0) throw new TypeError("fetch failed");
    const nullBody = reply.status === 204 || reply.status === 205 || reply.status === 304;
    return new Response(nullBody ? null : (reply.body ?? ""), { status: reply.status, headers: reply.headers });
  };

  private node(): string | null {
    return this.channel.getVar("ivr_node") ?? null;
  }

  private record(r: MethodRecord): void {
    this.trace.push({ kind: "session", method: r.method, args: normalizeArgs(r.args), result: r.result, node: r.node ?? null });
    if (++this.calls > (this.caller.maxCalls ?? 2000)) throw this.fail(`more than ${this.caller.maxCalls ?? 2000} calls: runaway script?`);
  }

  private hangUp(cause: string): void {
    this.events.push({ type: "hangup", by: "caller", cause });
    this.channel.markHangup(cause);
  }

  // --- the session, instrumented --------------------------------------------------------

  /** Track which method waits; give execute("bridge") the caller's far end; record hook runs. */
  private instrument(session: FsSession): void {
    const s = session as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const name of WAITING_METHODS) {
      const real = s[name].bind(session);
      s[name] = async (...args: unknown[]) => {
        this.running.push({ method: name, acted: false });
        try {
          const r = await real(...args);
          if (name === "execute" && String(args[0]).toLowerCase() === "bridge") this.bridge();
          return r;
        } finally {
          this.running.pop();
        }
      };
    }
    const setHook = s.setHangupHook.bind(session);
    s.setHangupHook = (hook: unknown, arg?: unknown) =>
      setHook(
        (async (sess, status, a) => {
          const returned = await (hook as HangupHook)(sess, status, a);
          this.events.push({ type: "hook", status, returned: returned ?? null });
          return returned;
        }) as HangupHook,
        arg,
      );
  }

  /** The bridge app: the far end answers, or fails with a cause (the runtime has no outbound calls). */
  private bridge(): void {
    if (!this.channel.up) return;
    let next: CallerAction | undefined = this.queue[0];
    if (next && ("bridge" in next || ("hangup" in next && (next.during === undefined || next.during === "execute")))) this.queue.shift();
    else next = this.caller.defaultBridge ? { bridge: this.caller.defaultBridge } : next;
    const v = (k: string, value: string | undefined) => this.channel.setVar(k, value);
    if (next && "hangup" in next) {
      v("originate_disposition", "ORIGINATOR_CANCEL");
      v("DIALSTATUS", "CANCEL");
      this.hangUp("ORIGINATOR_CANCEL");
      return;
    }
    if (!next || !("bridge" in next)) throw this.fail(`the script bridges but the caller's next action is ${JSON.stringify(next ?? "none")}`);
    v("originate_failed_cause", undefined);
    if (next.bridge === "answered") {
      v("originate_disposition", "SUCCESS");
      v("DIALSTATUS", "SUCCESS");
      v("last_bridge_hangup_cause", "NORMAL_CLEARING");
      v("bridge_hangup_cause", "NORMAL_CLEARING");
      this.session.originateCause = "NONE";
      if (next.then === "hangup") this.hangUp("NORMAL_CLEARING");
      else if (this.channel.getVar("hangup_after_bridge") === "true") {
        this.events.push({ type: "hangup", by: "script", cause: "NORMAL_CLEARING" });
        this.channel.markHangup("NORMAL_CLEARING");
      }
      return;
    }
    const cause = BRIDGE_ALIASES[next.bridge] ?? next.bridge.toUpperCase();
    if (!(cause in HANGUP_CAUSES)) throw this.fail(`unknown bridge outcome ${next.bridge}`);
    v("originate_disposition", cause);
    v("originate_failed_cause", cause);
    v("last_bridge_hangup_cause", cause);
    v("DIALSTATUS", DIALSTATUS[cause] ?? "CHANUNAVAIL");
    this.session.originateCause = cause;
  }

  // --- ports ------------------------------------------------------------------------------

  private control(): CallControl {
    return {
      answer: async () => true,
      preAnswer: async () => true,
      hangup: (cause) => this.events.push({ type: "hangup", by: "script", cause }),
      transfer: (extension, dialplan, context) => {
        this.events.push({ type: "transfer", extension, dialplan, context });
        return true;
      },
    };
  }

  private mediaPort(): MediaPort {
    const handle = <R extends PlayResult | RecordResult>(file: string, natural: R, onEnd: (r: R) => void) => {
      const m = new LineMedia<R>(file, natural, (_m, r) => onEnd(r));
      this.media = m as unknown as LineMedia<PlayResult | RecordResult>;
      return m;
    };
    return {
      play: (source): PlayHandle => {
        const m = handle<PlayResult>(source, { reason: "done", ms: 1000, samples: 8000 }, (r) =>
          this.events.push({ type: "play", file: source, how: r.reason }),
        );
        const stop = () => m.finish({ reason: "stopped", ms: 0, samples: 0 });
        return { done: m.done, stop, pause: () => {}, seek: () => {}, restart: () => {}, adjust: () => {} };
      },
      record: (file): RecordHandle => {
        const ms = this.caller.recordMs ?? 4000;
        const m = handle<RecordResult>(file, { reason: "limit", ms, samples: ms * 8 }, (r) => this.events.push({ type: "record", file, ms: r.ms }));
        const stop = () => m.finish({ reason: "stopped", ms, samples: ms * 8 });
        return { done: m.done, stop, truncate: stop };
      },
      synthesize: async (engine, voice, text) => {
        if (engine !== "flite") throw new Error(`unknown TTS engine ${engine}`);
        return `tts://${voice}/${text}`;
      },
      setInbandDtmf: () => {},
    };
  }

  // --- the caller ---------------------------------------------------------------------------

  /**
   * The session waits (nothing queued, call up). Inside a playback (streamFile, sleep, speak,
   * say, sayPhrase, recordFile) the caller may hang up (`during` that method or any), and only
   * while an input callback listens may type one `dtmf` action or let it run out (`noinput`);
   * else it plays to the end. An input wait (getDigits, read, a try of playAndGetDigits) takes
   * the next action: digits, a timeout, or the caller hanging up (also when none are left).
   * Prompts inside read/playAndGetDigits play to the end: the digits come at the input wait.
   */
  onWait(ms: number | undefined, extra: Promise<unknown> | undefined, wantDtmf: boolean): WaitResult {
    const frame = this.running[this.running.length - 1];
    const method = frame?.method ?? "";
    const media = extra !== undefined && this.media && !this.media.finished ? this.media : undefined;
    const endMedia = (): WaitResult => {
      if (!media) return extra !== undefined ? "extra" : "timeout";
      media.finish(media.natural);
      return "extra";
    };
    if (PLAYBACK_METHODS.has(method) && frame && !frame.acted) {
      frame.acted = true;
      const next = this.queue[0];
      if (next && "hangup" in next && (next.during === undefined || next.during === method)) {
        this.queue.shift();
        this.hangUp("NORMAL_CLEARING");
        return "down";
      }
      if (next && "dtmf" in next && wantDtmf) {
        this.queue.shift();
        for (const d of next.dtmf) this.channel.pushDtmf(d, 2000);
        return "dtmf";
      }
      if (next && "noinput" in next && wantDtmf) this.queue.shift();
      return endMedia();
    }
    if (extra !== undefined) return endMedia(); // prompts of read/playAndGetDigits, apps' playback
    if (INPUT_METHODS.has(method) || method === "collectDigits" || (method === "execute" && ms !== undefined && wantDtmf)) {
      const next = this.queue[0];
      if (next && "hangup" in next && next.during !== undefined && next.during !== method) {
        this.fail(`the script waits for digits in ${method} but the caller's next action is a hangup during ${next.during}`);
        this.hangUp("NORMAL_CLEARING");
        return "down";
      }
      this.queue.shift();
      if (!next || "hangup" in next) {
        if (method === "collectDigits" && !next) return "timeout";
        this.hangUp("NORMAL_CLEARING");
        return "down";
      }
      if ("noinput" in next) return "timeout";
      if ("dtmf" in next) {
        for (const d of next.dtmf) this.channel.pushDtmf(d, 2000);
        return "dtmf";
      }
      this.fail(`the script waits for digits but the caller's next action is ${JSON.stringify(next)}`);
      this.hangUp("NORMAL_CLEARING");
      return "down";
    }
    return "timeout"; // sleep without a callback, an app's wait: over at once
  }
}

/** Header names lower-cased, values as the script sent them (not checked as fetch would). */
function rawHeaders(h: HeadersInit | undefined): Record<string, string> {
  const entries = h === undefined ? [] : h instanceof Headers ? [...h.entries()] : Array.isArray(h) ? h : Object.entries(h);
  return Object.fromEntries(entries.map(([k, v]) => [k.toLowerCase(), v]));
}

/** Trace args comparable across languages: undefined as null, trailing nulls dropped. */
function normalizeArgs(args: unknown[]): unknown[] {
  const out = args.map((v) => (v === undefined ? null : typeof v === "function" ? "<callback>" : v));
  while (out.length > 0 && out[out.length - 1] === null) out.pop();
  return out;
}
