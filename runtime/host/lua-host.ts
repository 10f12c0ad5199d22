// Runs FreeSWITCH mod_lua scripts on the runtime, unchanged: one fresh Lua state per call
// (wasmoon, Lua 5.4 in WebAssembly), session methods that *block* the script (the Lua side
// awaits the JS promise inside the script's coroutine) while Node serves every other call.
// Protection FreeSWITCH lacks: a CPU budget per call (a runaway loop ends only its call)
// and a memory cap per Lua state.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LuaEventMasks, LuaFactory, LuaReturn, LuaTimeoutError, type LuaEngine, type LuaThread } from "wasmoon";
import { isDst, localToEpoch, realClock, strftime, STRFTIME_CONVERSIONS, zonedParts, type Clock } from "../clock";
import { ScriptExit } from "../session/errors";
import { normalizeLogLevel, type FsSession } from "../session/session";
import type { DtmfInput } from "../session/types";
import { HOST_SESSION_METHODS, signaturesLua } from "./lua-binding";
import type { ScriptEnd } from "./ts-host";

const here = path.dirname(fileURLToPath(import.meta.url));
const PRELUDE = readFileSync(path.join(here, "lua", "prelude.lua"), "utf8");
const JSON_LIB = readFileSync(path.join(here, "lua", "json.lua"), "utf8");
const SIGNATURES = signaturesLua();

/** freeswitch.API():execute(cmd, args) for a script (see runtime/host/fs-api.ts). */
export type ApiExecutor = (command: string, args: string, session: FsSession) => Promise<string>;

export interface LuaHostOptions {
  /** CPU time a call's Lua may use (not counting time blocked in session methods). Default 2000 ms. */
  cpuBudgetMs?: number;
  /** Lua states kept built ahead of calls (each serves one call). Default 16; 0 = build per call. */
  warmStates?: number;
  /** Memory cap per Lua state. Default 64 MiB. */
  memoryMaxBytes?: number;
  api: ApiExecutor;
  globals: Map<string, string>;
  /** Event:fire() lands here (serialized as JSON). */
  onEvent?: (json: string) => void;
  log: (level: string, message: string, callId?: string) => void;
  /** What os.time/os.date and freeswitch.API():getTime() read; default the real clock. */
  clock?: Clock;
}

const BOOTSTRAP = `
local bridge = __ivr_bridge
local sig_src, json_src, prelude_src = __ivr_sig_src, __ivr_json_src, __ivr_prelude_src
__ivr_bridge, __ivr_sig_src, __ivr_json_src, __ivr_prelude_src = nil, nil, nil, nil
local SIG = load(sig_src, "=signatures")()
-- freeswitch.JSON is compiled on first use: most scripts never touch it.
local json = setmetatable({}, { __index = function(t, k)
  local lib = load(json_src, "=json")()
  setmetatable(t, nil)
  for name, fn in pairs(lib) do t[name] = fn end
  return lib[k]
end })
local P = load(prelude_src, "=prelude")(bridge, SIG, json)
freeswitch = P.freeswitch
session = P.make_session(1)
local sess = session
-- Callbacks get the session object they were set on (the call's own, or a leg the script made).
__ivr_invoke_input = function(fname, argname, kind, digit, duration, handle)
  return P.invoke_input(fname, argname, kind, digit, duration, P.object_of(handle) or sess)
end
__ivr_invoke_hook = function(fname, argname, status, handle)
  return P.invoke_hook(fname, argname, status, P.object_of(handle) or sess)
end
-- The per-call part: the state above is prepared ahead of the call (see LuaHost's pool).
__ivr_run = function(src, script_name)
  __ivr_run = nil
  argv = { [0] = script_name }
  for i = 1, bridge.argc() do argv[i] = bridge.argv(i) end
  local chunk, err = load(src, "@" .. script_name, "t")
  if not chunk then return false, err, false end
  local ok, e = P.raw_xpcall(chunk, function(e)
    if P.is_budget_error(e) then return e end
    return debug.traceback(tostring(e), 2)
  end)
  if ok then return true, nil, false end
  if P.is_budget_error(e) then return false, "CPU budget exceeded", true end
  return false, tostring(e), false
end
`;

class BudgetExceeded extends Error {}

/** Instructions between two checks of the clock. */
const HOOK_EVERY = 1000;
/** Longest stretch of Lua before it yields back to the event loop (other calls' SIP and scripts). */
const SLICE_MS = 10;

/**
 * Our own count hook: past the call's CPU budget it raises a timeout error; past the slice it
 * yields the script's coroutine, so a busy script never holds the SIP/script thread for long.
 * (wasmoon's own timeout hook only errors, and its function-table entry leaked.)
 *
 * One wasm function for the host's whole life: on Node 20 emscripten's addFunction compiles a
 * small wasm module for every function it adds (~0.5 ms of this thread, once per resume when the
 * hook was added per resume). Which resume is running is kept here instead: resumes run one at a
 * time on this thread (nested ones, if a bridge call ever resumed Lua, stack). Coroutines a script
 * makes inherit the hook (lua_newthread copies it); outside a resume it does nothing.
 */
class SliceHook {
  private ptr?: number;
  private current?: { th: LuaThread; sliceEnd: number; budgetEnd: number };

  install(th: LuaThread, sliceEnd: number, budgetEnd: number): () => void {
    const lua = th.lua;
    this.ptr ??= this.addHookFunction(lua);
    const outer = this.current;
    this.current = { th, sliceEnd, budgetEnd };
    lua.lua_sethook(th.address, this.ptr, LuaEventMasks.Count, HOOK_EVERY);
    return () => {
      lua.lua_sethook(th.address, null, 0, 0);
      this.current = outer;
    };
  }

  /** Made outside install()'s scope: a closure there would keep the first call's thread alive. */
  private addHookFunction(lua: LuaThread["lua"]): number {
    return lua.module.addFunction((L: number) => this.onCount(L), "vii");
  }

  private onCount(L: number): void {
    const c = this.current;
    if (!c) return;
    const now = performance.now();
    if (now > c.budgetEnd) {
      c.th.stateToThread(L).pushValue(new LuaTimeoutError("CPU budget exceeded"));
      c.th.lua.lua_error(L);
    } else if (now > c.sliceEnd && L === c.th.address && c.th.lua.lua_isyieldable(L)) {
      c.th.lua.lua_yieldk(L, 0, 0, null);
    }
  }
}

/** Per-call Lua bookkeeping: CPU spent so far, and the threads to close at the end. */
interface RunState {
  spent: number;
  threads: LuaThread[];
}

interface ScriptSource {
  name: string;
  code: string;
}

const sourceCache = new Map<string, { key: string; code: string }>();

/** Read a script (FreeSWITCH reads it per call; we cache until the file changes). */
export function readLuaScript(file: string): ScriptSource {
  const abs = path.resolve(file);
  const st = statSync(abs);
  const key = `${st.mtimeMs}:${st.size}`;
  const hit = sourceCache.get(abs);
  if (hit && hit.key === key) return { name: file, code: hit.code };
  const code = readFileSync(abs, "utf8").replace(/^#![^\n]*/, "");
  sourceCache.set(abs, { key, code });
  return { name: file, code };
}

/**
 * A Session object of the script: the call's own (handle 1), a leg it originated, or a blank or
 * failed one (no session: FreeSWITCH's CoreSession without a channel).
 */
interface SessionHandle {
  session: FsSession | undefined;
  /** The object's `cause` (hangupCause()) when it has no session. */
  cause: string;
}

/** What a prepared Lua state's bridge serves: filled in when a call takes the state. */
interface CallContext {
  session: FsSession;
  argv: string[];
  state: RunState;
  handles: Map<number, SessionHandle>;
  nextHandle: number;
}

/** A fresh Lua state with the mod_lua globals already built, waiting for its one call. */
interface PreparedState {
  engine: LuaEngine;
  holder: { call?: CallContext };
}

export class LuaHost {
  private readonly factory = new LuaFactory();
  private readonly sliceHook = new SliceHook();
  private readonly budgetMs: number;
  private readonly memoryMax: number;
  /** Fresh states built between calls, so a call does not pay for building one (never reused). */
  private readonly pool: PreparedState[] = [];
  private readonly poolSize: number;
  private filling = false;
  private closed = false;

  constructor(private readonly options: LuaHostOptions) {
    this.budgetMs = options.cpuBudgetMs ?? 2000;
    this.memoryMax = options.memoryMaxBytes ?? 64 * 1024 * 1024;
    this.poolSize = options.warmStates ?? 16;
  }

  /** Build one Lua state with the globals in place (session, freeswitch; argv comes per call). */
  private async prepare(): Promise<PreparedState> {
    const engine = await this.factory.createEngine({ injectObjects: true, enableProxy: true, traceAllocations: true });
    engine.global.setMemoryMax(this.memoryMax);
    const holder: PreparedState["holder"] = {};
    this.installGlobals(engine, holder);
    engine.doStringSync(BOOTSTRAP);
    return { engine, holder };
  }

  /** Top the pool up one state at a time, yielding between states. */
  private refill(): void {
    if (this.filling || this.closed || this.poolSize <= 0) return;
    this.filling = true;
    const step = () => {
      if (this.closed || this.pool.length >= this.poolSize) {
        this.filling = false;
        return;
      }
      this.prepare().then(
        (p) => {
          if (this.closed) p.engine.global.close();
          else this.pool.push(p);
          setImmediate(step);
        },
        () => {
          this.filling = false;
        },
      );
    };
    setImmediate(step);
  }

  /** Close the states waiting in the pool. */
  close(): void {
    this.closed = true;
    for (const p of this.pool.splice(0)) p.engine.global.close();
  }

  /** Run a script for a call. Never throws: errors end only this call's script. */
  async run(source: ScriptSource, session: FsSession, argv: string[]): Promise<ScriptEnd> {
    const prepared = this.pool.pop() ?? (await this.prepare());
    this.refill();
    const { engine } = prepared;
    const state: RunState = { spent: 0, threads: [] };
    prepared.holder.call = { session, argv, state, handles: new Map([[1, { session, cause: "NONE" }]]), nextHandle: 2 };
    try {
      const th = engine.global.newThread();
      state.threads.push(th);
      th.loadString("return __ivr_run(...)");
      th.pushValue(source.code);
      th.pushValue(source.name);
      const [ok, err, budget] = (await this.runThread(th, 2, state)) as [boolean, string | undefined, boolean];
      if (ok) return { kind: "returned" };
      if (budget) return this.budgetEnd(session, source);
      if (typeof err === "string" && /^(exit|die)$/i.test(err.split("\n")[0].trim())) {
        this.options.log("err", `${source.name}: script ended by the hangup hook (${err.split("\n")[0]})`, session.channel.uuid);
        return { kind: "exit", how: err.split("\n")[0].trim().toLowerCase() };
      }
      this.options.log("err", `${source.name}: ${err}`, session.channel.uuid);
      return { kind: "error", message: String(err) };
    } catch (e) {
      if (e instanceof BudgetExceeded || e instanceof LuaTimeoutError) return this.budgetEnd(session, source);
      const message = (e as Error)?.message ?? String(e);
      this.options.log("err", `${source.name}: ${message}`, session.channel.uuid);
      return { kind: "error", message };
    } finally {
      // closing the engine does not close its threads (a thread stopped mid-resume keeps its hook)
      for (const th of state.threads) th.close();
      try {
        engine.global.close();
      } catch {
        /* already closed */
      }
    }
  }

  /** The host stopped the script: the call ends NORMAL_TEMPORARY_FAILURE (as for a TS script). */
  private budgetEnd(session: FsSession, source: ScriptSource): ScriptEnd {
    const reason = `CPU budget of ${this.budgetMs} ms exceeded`;
    this.options.log("err", `${source.name}: ${reason}: script stopped`, session.channel.uuid);
    return { kind: "killed", reason };
  }

  /**
   * Resume a coroutine until it finishes, awaiting the promises it yields. Only the time spent
   * inside Lua counts against the budget; the instruction hook enforces it mid-slice.
   */
  private async runThread(th: LuaThread, argCount: number, state: RunState): Promise<unknown[]> {
    let argc = argCount;
    for (;;) {
      const left = this.budgetMs - state.spent;
      if (left <= 0) throw new BudgetExceeded();
      const t0 = performance.now();
      const removeHook = this.sliceHook.install(th, t0 + Math.min(SLICE_MS, left), t0 + left);
      let res: { result: LuaReturn; resultCount: number };
      try {
        res = th.resume(argc);
      } finally {
        state.spent += performance.now() - t0;
        removeHook();
      }
      argc = 0;
      if (res.result !== LuaReturn.Yield) {
        th.assertOk(res.result);
        return th.getStackValues();
      }
      if (res.resultCount > 0) {
        const v = th.getValue(-1);
        th.pop(res.resultCount);
        if (v instanceof Promise) {
          // A session method waiting (the prelude's await_result yields its promise): resume it
          // with (true, value) or (false, error). Not wasmoon's p:await(), which adds a wasm
          // function per wait (see SliceHook).
          const [ok, value] = await v.then(
            (r: unknown) => [true, r] as const,
            (e: unknown) => [false, e ?? new Error("promise rejected with no error")] as const,
          );
          th.pushValue(ok);
          th.pushValue(value);
          argc = 2;
          continue;
        }
        await new Promise((r) => setImmediate(r));
      } else await new Promise((r) => setImmediate(r));
    }
  }

  /** Call a global Lua function in its own coroutine (callbacks may call session methods). */
  private async callGlobal(engine: LuaEngine, name: string, args: unknown[], state: RunState): Promise<unknown> {
    const th = engine.global.newThread();
    state.threads.push(th);
    th.loadString(`return ${name}(...)`);
    for (const a of args) th.pushValue(a);
    try {
      const r = await this.runThread(th, args.length, state);
      return r[0];
    } finally {
      // a long call may run many callbacks: release each one's hook at once
      th.close();
      state.threads.splice(state.threads.indexOf(th), 1);
    }
  }

  private installGlobals(engine: LuaEngine, holder: PreparedState["holder"]): void {
    const g = engine.global;
    const log = this.options.log;
    const exitMarker = (how: string) => ({ __ivr_exit__: how });
    const lua = this;
    const clock = this.options.clock ?? realClock;
    // The bridge is built before its call exists: each function reads the call at run time.
    const call = (): CallContext => {
      if (!holder.call) throw new Error("Lua state used outside a call");
      return holder.call;
    };
    const uuidOf = () => holder.call?.session.channel.uuid;

    const bridge = {
      call: (handle: number, method: string, n: number, ...raw: unknown[]) => {
        const args = raw.slice(0, n).map((a) => (a === null ? undefined : a));
        const c = call();
        return lua.callHandle(engine, c, handle, method, args).then(
          (r) => (r === null ? undefined : r),
          (e) => {
            if (e instanceof ScriptExit) return exitMarker(e.how);
            throw e;
          },
        );
      },
      log: (level: string, msg: string) => {
        if (level === "clean") log("console", msg, uuidOf());
        else log(normalizeLogLevel(level), msg, uuidOf());
      },
      msleep: (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, Number(ms) || 0))),
      getGlobal: (name: string) => this.options.globals.get(name),
      setGlobal: (name: string, value: string | null) => {
        if (value === null || value === undefined) this.options.globals.delete(name);
        else this.options.globals.set(name, value);
      },
      nowMs: () => String(clock.now()),
      // os.date / os.time (prelude.lua): the clock's now and zone, not the wasm C library's.
      nowSec: () => Math.floor(clock.now() / 1000),
      strftime: (format: string, sec: number, utc: boolean) => strftime(format, sec * 1000, utc ? "UTC" : clock.zone),
      dateFields: (sec: number, utc: boolean) => {
        const zone = utc ? "UTC" : clock.zone;
        const t = zonedParts(sec * 1000, zone);
        const yday = Math.floor((Date.UTC(t.y, t.m - 1, t.d) - Date.UTC(t.y, 0, 1)) / 86_400_000) + 1;
        return [t.y, t.m, t.d, t.H, t.M, t.S, t.w + 1, yday, isDst(sec * 1000, zone) ? 1 : 0].join(",");
      },
      mktime: (y: number, m: number, d: number, H: number, M: number, S: number) =>
        Math.floor(localToEpoch(clock.zone, y, m - 1, d, H, M, S) / 1000),
      conversions: STRFTIME_CONVERSIONS,
      api: (cmd: string, args: string) => this.options.api(cmd, args, call().session).then((r) => r ?? ""),
      fire: (json: string) => this.options.onEvent?.(json),
      isTimeout: (e: unknown) => e instanceof LuaTimeoutError,
      newSession: (dial: string | null, aLeg: number | null) => lua.newSession(call(), dial ?? undefined, aLeg ?? undefined),
      bridge: (a: number, b: number) =>
        lua.bridgeHandles(call(), a, b).then(
          () => undefined,
          (e) => {
            if (e instanceof ScriptExit) return exitMarker(e.how);
            throw e;
          },
        ),
      argc: () => call().argv.length,
      argv: (i: number) => call().argv[i - 1],
    };
    g.set("__ivr_bridge", bridge);
    g.set("__ivr_sig_src", SIGNATURES);
    g.set("__ivr_json_src", JSON_LIB);
    g.set("__ivr_prelude_src", PRELUDE);
  }

  /** freeswitch.Session(dial[, a_leg]): a new handle (blank without a dial string). */
  private async newSession(c: CallContext, dial: string | undefined, aLeg: number | undefined): Promise<number> {
    const handle = c.nextHandle++;
    if (dial === undefined) {
      c.handles.set(handle, { session: undefined, cause: "NONE" });
      return handle;
    }
    // A string without '/' names an existing channel (its uuid) before it is tried as a dial string.
    if (!dial.includes("/")) {
      const found = [...c.handles.values()].find((h) => h.session?.channel.uuid === dial && h.session.channel.up);
      if (found) {
        c.handles.set(handle, { session: found.session, cause: "NONE" });
        return handle;
      }
    }
    const caller = aLeg !== undefined ? c.handles.get(aLeg)?.session : undefined;
    const leg = await c.session.originateLeg(dial, caller, 60);
    c.handles.set(handle, { session: leg.channel.up ? leg : undefined, cause: leg.originateCause });
    return handle;
  }

  /** freeswitch.bridge(a, b). */
  private async bridgeHandles(c: CallContext, a: number, b: number): Promise<void> {
    const sa = c.handles.get(a)?.session;
    const sb = c.handles.get(b)?.session;
    if (!sa || !sb) {
      this.options.log("err", "Channels not ready\n", c.session.channel.uuid);
      return;
    }
    await sa.bridgeSession(sb);
  }

  /** A method on a Session object: the call's own, a leg, or one without a channel. */
  private async callHandle(engine: LuaEngine, c: CallContext, handle: number, method: string, args: unknown[]): Promise<unknown> {
    const h = c.handles.get(handle);
    if (!h) throw new Error(`unknown session handle ${handle}`);
    if (method === "originate") {
      const [aLeg, dest, timeout] = args as [number | undefined, string | undefined, number];
      if (!dest) {
        this.options.log("err", "Missing destination.\n", c.session.channel.uuid);
        return 0;
      }
      const caller = aLeg !== undefined ? c.handles.get(aLeg)?.session : undefined;
      const leg = await c.session.originateLeg(dest, caller, Number(timeout));
      // CoreSession::originate does not set S_HUP: the leg outlives the object unless hung up.
      leg.autoHangup = false;
      h.session = leg.channel.up ? leg : undefined;
      h.cause = leg.originateCause;
      return leg.channel.up ? 0 : 1;
    }
    if (method === "waitForAnswer" && h.session) {
      const caller = args[0] !== undefined ? c.handles.get(args[0] as number)?.session : undefined;
      return h.session.waitForAnswer(caller);
    }
    if (!h.session) return this.withoutChannel(c, h, method, args);
    if (method === "destroy" && handle !== 1) {
      await h.session.unsetInputCallback();
      h.session.destroyLeg();
      h.session = undefined;
      h.cause = "NONE";
      if (args[0]) throw new Error(String(args[0]));
      return undefined;
    }
    return this.callSession(engine, h.session, method, args, c.state, handle);
  }

  /** A CoreSession without a channel: sanity_check logs and returns the method's default. */
  private withoutChannel(c: CallContext, h: SessionHandle, method: string, args: unknown[]): unknown {
    switch (method) {
      case "ready":
      case "bridged":
        return false;
      case "hangupCause":
        return h.cause;
      case "getState":
        return "ERROR";
      case "get_uuid":
        return "uninitialized";
      case "consoleLog":
      case "consoleLog2":
        this.options.log(normalizeLogLevel(args[0]), String(args[method === "consoleLog" ? 1 : 4] ?? ""), c.session.channel.uuid);
        return undefined;
      case "destroy":
        if (args[0]) throw new Error(String(args[0]));
        return undefined;
    }
    this.options.log("err", "session is not initalized\n", c.session.channel.uuid);
    const returns = HOST_SESSION_METHODS[method]?.returns;
    if (returns === "number") return -1;
    if (returns === "boolean") return false;
    return undefined;
  }

  /** One session method call from Lua: names-based callbacks and mod_lua-only methods live here. */
  private async callSession(
    engine: LuaEngine,
    session: FsSession,
    method: string,
    args: unknown[],
    state: RunState,
    handle = 1,
  ): Promise<unknown> {
    const s = session as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    switch (method) {
      case "setInputCallback": {
        const [fname, argName] = args as [string, string | undefined];
        return session.setInputCallback(async (_s, type, input) => {
          const d = input as DtmfInput;
          try {
            const r = await this.callGlobal(
              engine,
              "__ivr_invoke_input",
              [fname, argName ?? "", type, type === "dtmf" ? d.digit : undefined, type === "dtmf" ? d.duration : undefined, handle],
              state,
            );
            return typeof r === "string" ? r : undefined;
          } catch (e) {
            if (e instanceof BudgetExceeded) throw e;
            this.options.log("err", `input callback ${fname}: ${(e as Error)?.message ?? e}`, session.channel.uuid);
            return "SCRIPT_ERROR";
          }
        });
      }
      case "setHangupHook": {
        const [fname, argName] = args as [string, string | undefined];
        return session.setHangupHook(async (_s, status) => {
          const r = await this.callGlobal(engine, "__ivr_invoke_hook", [fname, argName ?? "", status, handle], state);
          return typeof r === "string" ? r : undefined;
        });
      }
      case "set_tts_parms":
        this.options.log("err", "set_tts_parms is deprecated, use set_tts_params", session.channel.uuid);
        return session.set_tts_params(args[0] as string, args[1] as string);
      case "consoleLog2":
        return session.consoleLog(args[0] as string, args[4] as string);
      case "hangupState":
      case "getXMLCDR":
        return method === "getXMLCDR" ? `<cdr><uuid>${session.channel.uuid}</uuid></cdr>` : undefined;
      case "setAutoHangup":
        return session.setAutoHangup(Boolean(args[0]));
      case "destroy":
        await session.unsetInputCallback();
        if (args[0]) throw new Error(String(args[0]));
        return undefined;
      default: {
        const fn = s[method];
        if (typeof fn !== "function") throw new Error(`attempt to call a nil value (method '${method}')`);
        return fn.apply(session, args);
      }
    }
  }
}
