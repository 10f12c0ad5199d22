// Runs INSIDE a TS script's isolate, before the script: builds the script's whole world. The
// isolate has only JavaScript's own built-ins; this adds `session` (the Session API, each
// method a message to the host), a guarded `fetch`, `console`, timers and AbortSignal.timeout.
// There is no require, import, process, file system or network other than these. Bundled to
// one classic script by esbuild (ts-host.ts loads it; server.mjs ships it as sandbox/realm.js).
import { createClock, dateClassFor, type ClockSetting } from "../../clock";
import { CALLBACK_METHODS, SESSION_METHODS } from "./session-methods";

/** isolated-vm's Reference to a host function, as the realm sees it. */
interface HostReference {
  apply(receiver: undefined, args: unknown[], options: object): Promise<unknown>;
}

/** What the host answers to every call: a value, an error to throw, or the hangup hook's exit. */
type HostReply = { value?: unknown; error?: { name: string; message: string }; exit?: string };

declare const __ivrBridge: HostReference;
/** The server's pinned clock, when it has one. */
declare const __ivrClock: ClockSetting | undefined;

(() => {
  const g = globalThis as Record<string, unknown>;
  const bridge = __ivrBridge;
  const clock = typeof __ivrClock === "object" ? __ivrClock : undefined;
  // Nothing the script needs; removing them keeps the surface to the list above.
  for (const name of ["__ivrBridge", "__ivrClock", "WebAssembly", "SharedArrayBuffer", "Atomics"]) delete g[name];
  // "now" and the local zone come from the server's clock (pinned in tests).
  if (clock) {
    // The pinned clock is the real one shifted; read the real Date.now, not the replaced one.
    const realNow = Date.now;
    const pinned = createClock(clock);
    const shift = pinned.now() - realNow();
    g.Date = dateClassFor({ now: () => realNow() + shift, zone: pinned.zone, setting: pinned.setting });
  }

  class ScriptExit extends Error {
    constructor(readonly how: string) {
      super(how);
      this.name = "ScriptExit";
    }
  }

  const ERRORS: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError, Error };

  // Every host call is a task on the runtime's thread: a loop that never awaits could queue
  // millions of them before the CPU watchdog stops it. Past this many in flight, calls fail here.
  const MAX_IN_FLIGHT = 100;
  let inFlight = 0;
  // Arguments cross as one JSON string, checked for size here: what reaches the runtime's heap is
  // bounded per call, and nothing the script defines (getters, patched built-ins) can change it
  // after the check. JSON is taken now, before the script can replace it.
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const LIMITS: Record<string, number> = { session: 64 * 1024, fetch: 4 * 1024 * 1024 + 64 * 1024, log: 8 * 1024, timer: 256 };

  async function host(op: string, args: unknown[]): Promise<unknown> {
    let payload: string | undefined;
    try {
      payload = stringify(args);
    } catch (e) {
      throw new TypeError(`${op}: the arguments cannot be sent (${(e as Error)?.message})`);
    }
    if (typeof payload !== "string") throw new TypeError(`${op}: the arguments cannot be sent`);
    const limit = LIMITS[op] ?? 64 * 1024;
    if (payload.length > limit) throw new RangeError(`${op}: the arguments are larger than ${limit} characters`);
    if (inFlight >= MAX_IN_FLIGHT) throw new RangeError(`more than ${MAX_IN_FLIGHT} operations in flight`);
    inFlight++;
    let reply: HostReply;
    try {
      reply = (await bridge.apply(undefined, [op, payload], {
        arguments: { copy: true },
        result: { promise: true, copy: true },
      })) as HostReply;
    } finally {
      inFlight--;
    }
    if (reply.exit !== undefined) throw new ScriptExit(reply.exit);
    if (reply.error) throw new (ERRORS[reply.error.name] ?? Error)(reply.error.message);
    return reply.value;
  }

  /** A value as the host will see it: plain data as is, anything else (functions...) as its string. */
  function plain(v: unknown): unknown {
    if (v === undefined || v === null || typeof v !== "object") return typeof v === "function" ? String(v) : v;
    try {
      return parse(stringify(v));
    } catch {
      return String(v);
    }
  }

  // --- session ---------------------------------------------------------------------------
  let inputCallback: { fn: (...a: unknown[]) => unknown; arg: unknown } | undefined;
  let hangupHook: { fn: (...a: unknown[]) => unknown; arg: unknown } | undefined;
  const callbacks = new Set<string>(CALLBACK_METHODS);
  /** Session objects by host handle (0 = the call's own; others are legs the script made). */
  const handleOf = new WeakMap<object, number>();
  const isRef = (v: unknown): v is { __ivrSession: number } =>
    typeof v === "object" && v !== null && typeof (v as { __ivrSession?: unknown }).__ivrSession === "number";
  /** A session argument goes as its handle; a session result comes back as one. */
  const toHost = (v: unknown) => (typeof v === "object" && v !== null && handleOf.has(v) ? { __ivrSession: handleOf.get(v) } : plain(v));
  const fromHost = (v: unknown): unknown => (isRef(v) ? makeSession(v.__ivrSession) : v);

  function makeSession(handle: number): Record<string, (...args: unknown[]) => Promise<unknown>> {
    const s: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
    for (const method of SESSION_METHODS) {
      if (callbacks.has(method)) continue;
      s[method] = async (...args: unknown[]) => {
        if (method === "unsetInputCallback" && handle === 0) inputCallback = undefined;
        return fromHost(await host("session", [method, args.map(toHost), handle]));
      };
    }
    if (handle === 0) {
      s.setInputCallback = (fn: unknown, arg?: unknown) => {
        if (typeof fn !== "function") return Promise.reject(new TypeError("setInputCallback: the callback must be a function"));
        inputCallback = { fn: fn as (...a: unknown[]) => unknown, arg };
        return host("session", ["setInputCallback", arg === undefined ? [] : [plain(arg)]]);
      };
      s.setHangupHook = (fn: unknown, arg?: unknown) => {
        if (typeof fn !== "function") return Promise.reject(new TypeError("setHangupHook: the hook must be a function"));
        hangupHook = { fn: fn as (...a: unknown[]) => unknown, arg };
        return host("session", ["setHangupHook", arg === undefined ? [] : [plain(arg)]]);
      };
    } else {
      const unsupported = (m: string) => () => Promise.reject(new TypeError(`${m} is only available on the call's own session`));
      s.setInputCallback = unsupported("setInputCallback");
      s.setHangupHook = unsupported("setHangupHook");
    }
    Object.freeze(s);
    handleOf.set(s, handle);
    return s;
  }
  const session = makeSession(0);

  /** What a callback returned, as the host reads it (strings steer playback; others continue). */
  const callbackResult = (r: unknown) => (typeof r === "string" || typeof r === "number" ? r : undefined);

  // --- fetch through the host's HTTP allow-list ------------------------------------------
  class IvrHeaders {
    private readonly list: Array<[string, string]>;
    constructor(list: Array<[string, string]>) {
      this.list = list;
    }
    get(name: string): string | null {
      const n = String(name).toLowerCase();
      const all = this.list.filter(([k]) => k === n).map(([, v]) => v);
      return all.length ? all.join(", ") : null;
    }
    has(name: string): boolean {
      return this.get(name) !== null;
    }
    forEach(fn: (value: string, key: string) => void): void {
      for (const [k, v] of this.list) fn(v, k);
    }
    entries(): IterableIterator<[string, string]> {
      return this.list[Symbol.iterator]();
    }
    [Symbol.iterator](): IterableIterator<[string, string]> {
      return this.list[Symbol.iterator]();
    }
  }

  interface FetchReply {
    status: number;
    statusText: string;
    url: string;
    headers: Array<[string, string]>;
    body: string;
  }

  class IvrResponse {
    readonly status: number;
    readonly statusText: string;
    readonly ok: boolean;
    readonly url: string;
    readonly redirected = false;
    readonly headers: IvrHeaders;
    private readonly body: string;
    bodyUsed = false;
    constructor(r: FetchReply) {
      this.status = r.status;
      this.statusText = r.statusText;
      this.ok = r.status >= 200 && r.status <= 299;
      this.url = r.url;
      this.headers = new IvrHeaders(r.headers);
      this.body = r.body;
    }
    async text(): Promise<string> {
      if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
      this.bodyUsed = true;
      return this.body;
    }
    async json(): Promise<unknown> {
      return JSON.parse(await this.text());
    }
  }

  /** Only a timeout can abort a request (AbortSignal.timeout); the host enforces it. */
  class IvrAbortSignal {
    aborted = false;
    constructor(readonly timeoutMs: number | undefined) {}
    static timeout(ms: number): IvrAbortSignal {
      return new IvrAbortSignal(Math.max(0, Number(ms) || 0));
    }
  }

  function headerList(h: unknown): Array<[string, string]> {
    if (!h) return [];
    if (h instanceof IvrHeaders) return [...h];
    if (Array.isArray(h)) return h.map((p) => [String(p[0]), String(p[1])]);
    return Object.entries(h as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
  }

  g.fetch = async (input: unknown, init: Record<string, unknown> = {}) => {
    const url = typeof input === "object" && input !== null && "url" in input ? String((input as { url: unknown }).url) : String(input);
    const signal = init.signal as IvrAbortSignal | undefined;
    const reply = (await host("fetch", [
      {
        url,
        method: init.method === undefined ? "GET" : String(init.method),
        headers: headerList(init.headers),
        body: init.body === undefined || init.body === null ? undefined : String(init.body),
        timeoutMs: signal instanceof IvrAbortSignal ? signal.timeoutMs : undefined,
      },
    ])) as FetchReply;
    return new IvrResponse(reply);
  };
  g.Headers = IvrHeaders;
  g.Response = IvrResponse;
  g.AbortSignal = IvrAbortSignal;

  // --- console and timers ------------------------------------------------------------------
  const format = (args: unknown[]) => args.map((a) => (typeof a === "string" ? a : (() => {
    try {
      return JSON.stringify(a) ?? String(a);
    } catch {
      return String(a);
    }
  })())).join(" ");
  // The host keeps 4096 characters of a line; longer ones are cut here, before they cross.
  const logAt = (level: string) => (...args: unknown[]) => void host("log", [level, format(args).slice(0, 4096)]).catch(() => undefined);
  g.console = Object.freeze({ log: logAt("info"), info: logAt("info"), debug: logAt("debug"), warn: logAt("warning"), error: logAt("err") });

  let nextTimer = 1;
  const cancelled = new Set<number>();
  g.setTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]) => {
    const id = nextTimer++;
    void host("timer", [Number(ms) || 0]).then(() => {
      if (cancelled.delete(id) || typeof fn !== "function") return;
      (fn as (...a: unknown[]) => void)(...args);
    });
    return id;
  };
  g.clearTimeout = (id: unknown) => {
    if (typeof id === "number" && id > 0 && id < nextTimer) cancelled.add(id);
  };

  // --- entry points the host calls ---------------------------------------------------------
  // The host's entry points: fixed, so a script's own globals cannot shadow them.
  const entry = (name: string, fn: unknown) => Object.defineProperty(g, name, { value: fn, writable: false, configurable: false, enumerable: false });
  entry("__ivrInvoke", async (kind: "input" | "hook", ...args: unknown[]) => {
    if (kind === "input") {
      if (!inputCallback) return undefined;
      const [type, input] = args;
      return callbackResult(await inputCallback.fn(session, type, input, inputCallback.arg));
    }
    if (!hangupHook) return undefined;
    return callbackResult(await hangupHook.fn(session, args[0], hangupHook.arg));
  });

  entry("__ivrRun", async (argv: unknown) => {
    const mod = g.__ivrScript as { default?: unknown } | undefined;
    const main = mod?.default;
    if (typeof main !== "function") return { kind: "error", message: "the module has no default export function main(session, argv)" };
    try {
      await (main as (s: unknown, a: unknown) => unknown)(session, Array.isArray(argv) ? argv : []);
      return { kind: "returned" };
    } catch (e) {
      if (e instanceof ScriptExit) return { kind: "exit", how: e.how };
      const err = e as { name?: unknown; message?: unknown; stack?: unknown } | null;
      return {
        kind: "error",
        name: typeof err?.name === "string" ? err.name : "Error",
        message: String(err?.message ?? e),
        stack: typeof err?.stack === "string" ? err.stack : undefined,
      };
    }
  });
})();
