// Runs a TypeScript (or JavaScript) IVR script for a call, isolated: each call's script gets
// its own V8 isolate (isolated-vm) with its own heap limit, and a CPU watchdog. The isolate
// runs on isolated-vm's threads, never on the SIP thread, so a `for(;;){}` or an unbounded
// allocation ends only its own call (kind "killed": the call ends NORMAL_TEMPORARY_FAILURE).
// The script sees JavaScript's built-ins plus what sandbox/realm.ts builds: the Session API
// and a fetch limited to the HTTP allow-list. No require, import, process or file system:
// scripts are bundled by esbuild, which refuses any import but the script's own files.
import { build, type Plugin } from "esbuild";
import ivm from "isolated-vm";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ClockSetting } from "../clock";
import { ScriptExit } from "../session/errors";
import { normalizeLogLevel, type FsSession } from "../session/session";
import type { DtmfInput } from "../session/types";
import { createGuardedFetch, type GuardedFetch } from "./http-guard";
import { SESSION_METHODS, type SessionRef } from "./sandbox/session-methods";

export class ScriptLoadError extends Error {}

/** How a script run ended; "killed": stopped by the host (CPU budget, memory limit). */
export type ScriptEnd =
  | { kind: "returned" }
  | { kind: "exit"; how: string }
  | { kind: "error"; message: string; stack?: string }
  | { kind: "killed"; reason: string };

/** A script compiled once (esbuild bundle, one classic script) and V8's code cache for it. */
export interface CompiledScript {
  name: string;
  code: string;
  cachedData?: ivm.ExternalCopy<ArrayBuffer>;
}

const cache = new Map<string, Promise<CompiledScript>>();

/** Compile a script once; later calls reuse it until the file changes. */
export function loadTsScript(file: string): Promise<CompiledScript> {
  const abs = path.resolve(file);
  let key: string;
  try {
    const st = statSync(abs);
    key = `${abs}:${st.mtimeMs}:${st.size}`;
  } catch {
    return Promise.reject(new ScriptLoadError(`script not found: ${file}`));
  }
  let p = cache.get(key);
  if (!p) {
    p = compile(abs).then((code) => ({ name: file, code }));
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/**
 * Imports a script may have: its own files (under its folder). Type-only imports (`import type
 * { Session } from "ivr-studio/runtime"`) are erased before this runs; any other import, a Node
 * built-in or a package, is a compile error, and `require` does not exist in the isolate.
 */
function ownFilesOnly(dir: string): Plugin {
  return {
    name: "ivr-script-imports",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return undefined;
        const relative = args.path.startsWith("./") || args.path.startsWith("../");
        const target = relative ? path.resolve(args.resolveDir, args.path) : "";
        if (relative && (target === dir || target.startsWith(dir + path.sep))) return undefined;
        const what = args.path === "ivr-studio/runtime" ? `a value from "ivr-studio/runtime" (only its types)` : `"${args.path}"`;
        return {
          errors: [{ text: `import of ${what} is not allowed: scripts run isolated and may import only types from "ivr-studio/runtime" and their own files` }],
        };
      });
    },
  };
}

async function compile(abs: string): Promise<string> {
  try {
    const r = await build({
      entryPoints: [abs],
      bundle: true,
      platform: "neutral",
      format: "iife",
      globalName: "__ivrScript",
      target: "es2022",
      write: false,
      logLevel: "silent",
      mainFields: [],
      plugins: [ownFilesOnly(path.dirname(abs))],
    });
    return r.outputFiles[0].text;
  } catch (e) {
    const err = e as { errors?: Array<{ text: string; location?: { line: number; column: number } }> };
    const first = err.errors?.[0];
    throw new ScriptLoadError(
      `${abs}: ${first ? `${first.text}${first.location ? ` (line ${first.location.line}:${first.location.column})` : ""}` : String(e)}`,
    );
  }
}

// --- the realm (sandbox/realm.ts) ------------------------------------------------------------

let realmSource: Promise<string> | undefined;

/** From sources (tsx, tests) it is bundled here; the server.mjs bundle ships sandbox/realm.js. */
function loadRealm(): Promise<string> {
  realmSource ??= (async () => {
    const here = import.meta.url;
    if (!here.endsWith(".ts")) return readFileSync(new URL("./sandbox/realm.js", here), "utf8");
    const r = await build({
      entryPoints: [fileURLToPath(new URL("./sandbox/realm.ts", here))],
      bundle: true,
      platform: "neutral",
      format: "iife",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    return r.outputFiles[0].text;
  })();
  realmSource.catch(() => (realmSource = undefined));
  return realmSource;
}

let realmCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

/** V8's code cache of a script compiled with produceCachedData (later isolates skip the compile). */
const codeCache = (s: ivm.Script) => (s as ivm.Script & { cachedData?: ivm.ExternalCopy<ArrayBuffer> }).cachedData;

// --- the host ---------------------------------------------------------------------------------

export interface TsHostOptions {
  /** CPU time a call's script may use (all of it, not per slice). Default 2000 ms, as Lua's. */
  cpuBudgetMs?: number;
  /** Heap limit of each call's isolate, ArrayBuffers included. Default 64 MB, as Lua's. */
  memoryLimitMb?: number;
  /** A pinned clock (runtime/clock.ts): the scripts' Date reads it. Default the real clock. */
  clock?: ClockSetting;
  /** Isolates kept built ahead of calls (each serves one call). Default 8; 0 = build per call. */
  warmIsolates?: number;
  /** Hosts `fetch` may reach; read at each request (the list can change while running). */
  httpAllowList: () => readonly string[];
  log: (level: string, message: string, callId?: string) => void;
}

/** Operations one script may have waiting on the host at once (timers, fetches...); the realm has the same cap. */
const MAX_PENDING = 100;
/** Largest argument payload of one host call (a fetch body of 4 MiB and its request). */
const MAX_PAYLOAD = 4 * 1024 * 1024 + 64 * 1024;
/** Host calls a script may make per second, and in one burst. */
const HOST_CALLS_PER_SEC = 500;
/** Longest response body a script's fetch reads. */
const MAX_FETCH_BODY = 4 * 1024 * 1024;
const DEFAULT_FETCH_TIMEOUT_MS = 30_000;
/** How often the watchdog reads each isolate's CPU time. */
const WATCH_EVERY_MS = 20;
const LOG_LINE_MAX = 4096;

type HostReply = { value?: unknown; error?: { name: string; message: string }; exit?: string };

/** One script run: its isolate, why it was stopped, what it has waiting on the host. */
interface Run {
  isolate: ivm.Isolate;
  session: FsSession;
  budgetMs: number;
  /** The isolate's CPU time (ms) when the call took it: building the realm does not count. */
  cpuAtStart: number;
  /**
   * When the watchdog next reads this isolate's CPU time: an isolate runs on one thread, so it
   * cannot reach its budget sooner than the CPU time it has left (reading every isolate's clock
   * every tick cost ~4 % of a core at 900 calls).
   */
  checkAt: number;
  /** Set when run() returns: late calls are refused. */
  done?: boolean;
  /** Host-call rate limit (a token bucket). */
  tokens: number;
  tokensAt: number;
  killed?: string;
  pending: number;
  timers: Set<NodeJS.Timeout>;
  invoke: ivm.Reference<(kind: string, ...args: unknown[]) => Promise<unknown>>;
  /** Sessions the script holds besides its own (legs from originateSession), by handle. */
  legs: Map<number, FsSession>;
}

/**
 * A prepared isolate; the bridge reaches the call through holder.run once a call takes it.
 * `compiled`: a script already compiled in it (not run), for the call that wants that script.
 */
interface Prepared {
  isolate: ivm.Isolate;
  context: ivm.Context;
  holder: { run?: Run };
  invoke: ivm.Reference<(kind: string, ...args: unknown[]) => Promise<unknown>>;
  compiled?: { of: CompiledScript; script: ivm.Script };
}

/**
 * Appended to every script: its last expression starts main(session, argv), so one run() both
 * runs the module's top level and starts the call (each step into the isolate is a hop between
 * threads, which a busy machine makes slow). The host sets __ivrArgv just before.
 */
const START_MAIN = "\n;__ivrRun(globalThis.__ivrArgv);\n";

const sessionMethods = new Set<string>(SESSION_METHODS);
const isSessionRef = (v: unknown): v is SessionRef =>
  typeof v === "object" && v !== null && typeof (v as { __ivrSession?: unknown }).__ivrSession === "number";
const errorNames = new Set(["TypeError", "RangeError", "SyntaxError"]);

export class TsHost {
  private readonly running = new Set<Run>();
  private watchdog?: NodeJS.Timeout;
  private readonly budgetMs: number;
  private readonly memoryLimitMb: number;
  private readonly fetch: GuardedFetch;
  private readonly pool: Prepared[] = [];
  /** The scripts of the last calls (as many as warm isolates): the pool compiles ahead for this mix. */
  private readonly recent: CompiledScript[] = [];
  private readonly warmIsolates: number;
  /** The pool's build in progress (one at a time), awaited by close(). */
  private building?: Promise<void>;
  private closed = false;

  constructor(private readonly options: TsHostOptions) {
    this.warmIsolates = options.warmIsolates ?? 8;
    this.budgetMs = options.cpuBudgetMs ?? 2000;
    this.memoryLimitMb = Math.max(8, options.memoryLimitMb ?? 64);
    this.fetch = createGuardedFetch(options.httpAllowList);
  }

  /**
   * An isolate with the realm built, waiting for its one call (never reused). Building one costs
   * a few ms of this thread; a few are kept ready so a call does not wait for it.
   */
  private async prepare(forScript?: CompiledScript): Promise<Prepared> {
    const holder: Prepared["holder"] = {};
    const isolate = new ivm.Isolate({
      memoryLimit: this.memoryLimitMb,
      // V8 lost control of this isolate (without this callback isolated-vm aborts the process):
      // that call's script ends; the runtime says it should be restarted when it can.
      onCatastrophicError: (message) => {
        const run = holder.run;
        if (run) run.killed = `its isolate failed (${message})`;
        this.options.log("crit", `a script's isolate failed: ${message}; restart the runtime when calls allow`, run?.session.channel.uuid);
      },
    });
    try {
      const context = await isolate.createContext();
      await context.global.set(
        "__ivrBridge",
        new ivm.Reference((op: string, payload: unknown) =>
          holder.run ? this.serve(holder.run, op, payload) : Promise.resolve({ error: { name: "Error", message: "no call" } }),
        ),
      );
      if (this.options.clock) await context.global.set("__ivrClock", new ivm.ExternalCopy(this.options.clock).copyInto());
      const realm = await isolate.compileScript(await loadRealm(), { filename: "ivr:realm", cachedData: realmCache, produceCachedData: !realmCache });
      realmCache ??= codeCache(realm);
      await realm.run(context, { timeout: 1000 });
      // Taken before any script runs in this isolate.
      const invoke = await context.global.get("__ivrInvoke", { reference: true });
      const prepared: Prepared = { isolate, context, holder, invoke };
      if (forScript) prepared.compiled = { of: forScript, script: await this.compile(isolate, forScript) };
      return prepared;
    } catch (e) {
      if (!isolate.isDisposed) isolate.dispose();
      throw e;
    }
  }

  /** Compile a call's script (with V8's code cache after the first time) in an isolate. */
  private async compile(isolate: ivm.Isolate, script: CompiledScript): Promise<ivm.Script> {
    const compiled = await isolate.compileScript(script.code + START_MAIN, {
      filename: `file://${path.resolve(script.name)}`,
      cachedData: script.cachedData,
      produceCachedData: !script.cachedData,
    });
    script.cachedData ??= codeCache(compiled);
    return compiled;
  }

  /** A prepared isolate for a call of `script`: one compiled for it if the pool has one. */
  private take(script: CompiledScript): Prepared | undefined {
    this.recent.push(script);
    if (this.recent.length > this.warmIsolates) this.recent.shift();
    let at = -1;
    for (let i = this.pool.length - 1; i >= 0; i--) {
      const of = this.pool[i].compiled?.of;
      if (of === script) {
        at = i;
        break;
      }
      if (at < 0 && of === undefined) at = i;
    }
    if (at < 0) at = this.pool.length - 1;
    return at < 0 ? undefined : this.pool.splice(at, 1)[0];
  }

  /**
   * What the pool should build next: an isolate with the script the recent calls used most and
   * the pool holds least of (compiling ahead takes that hop off the call's start), else a plain
   * one; undefined when the pool is full and matches the recent mix.
   */
  private nextToBuild(): { script?: CompiledScript } | undefined {
    const want = new Map<CompiledScript, number>();
    for (const s of this.recent) want.set(s, (want.get(s) ?? 0) + 1);
    const have = new Map<CompiledScript | undefined, number>();
    for (const p of this.pool) have.set(p.compiled?.of, (have.get(p.compiled?.of) ?? 0) + 1);
    let best: CompiledScript | undefined;
    let bestGap = 0;
    for (const [s, n] of want) {
      const gap = n - (have.get(s) ?? 0);
      if (gap > bestGap) [best, bestGap] = [s, gap];
    }
    if (this.pool.length < this.warmIsolates) return { script: best };
    if (!best) return undefined;
    // Full: make room by dropping one the recent mix wants least (a plain one first).
    let drop = this.pool.findIndex((p) => p.compiled === undefined);
    if (drop < 0) drop = this.pool.findIndex((p) => (have.get(p.compiled!.of) ?? 0) > (want.get(p.compiled!.of) ?? 0));
    if (drop < 0) return undefined;
    this.pool.splice(drop, 1)[0].isolate.dispose();
    return { script: best };
  }

  /** Top the pool of prepared isolates up, one at a time, between other work. */
  private refill(): void {
    if (this.building || this.closed || this.warmIsolates === 0) return;
    this.building = (async () => {
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        const next = this.closed ? undefined : this.nextToBuild();
        if (!next) return;
        const p = await this.prepare(next.script);
        if (this.closed) p.isolate.dispose();
        else this.pool.push(p);
      }
    })()
      .catch(() => undefined)
      .finally(() => (this.building = undefined));
  }

  /** Scripts running now. */
  get active(): number {
    return this.running.size;
  }

  /** Run main(session, argv) in a fresh isolate. Never throws: whatever happens ends only this call's script. */
  async run(script: CompiledScript, session: FsSession, argv: string[]): Promise<ScriptEnd> {
    const warm = this.take(script);
    this.refill();
    let prepared: Prepared;
    try {
      prepared = warm ?? (await this.prepare());
    } catch (e) {
      return { kind: "error", message: `cannot start the script's isolate: ${(e as Error)?.message ?? e}` };
    }
    const { isolate, context } = prepared;
    const run: Run = { isolate, session, budgetMs: this.budgetMs, cpuAtStart: Number(isolate.cpuTime) / 1e6, checkAt: performance.now() + this.budgetMs, tokens: HOST_CALLS_PER_SEC, tokensAt: performance.now(), pending: 0, timers: new Set(), legs: new Map(), invoke: prepared.invoke };
    prepared.holder.run = run;
    this.running.add(run);
    this.watch();
    try {
      const compiled = prepared.compiled?.of === script ? prepared.compiled.script : await this.compile(isolate, script);
      // Nothing has run in this context but the realm: setting a global cannot reach script code.
      context.global.setSync("__ivrArgv", new ivm.ExternalCopy(argv).copyInto());
      // The module's top level, then main (START_MAIN); a runaway loop before main's first await
      // is caught by the timeout, one after it by the watchdog.
      const end = (await compiled.run(context, { timeout: this.budgetMs, promise: true, copy: true })) as {
        kind: string;
        how?: string;
        name?: string;
        message?: string;
        stack?: string;
      };
      if (end.kind === "returned") return { kind: "returned" };
      if (end.kind === "exit") return { kind: "exit", how: String(end.how) };
      // An allocation the heap limit refused: the script is out of memory, whether it says so or not.
      if (end.name === "RangeError" && /allocation failed/i.test(end.message ?? "")) return this.killed(run, `memory limit of ${this.memoryLimitMb} MB reached (${end.message})`);
      return { kind: "error", message: String(end.message), stack: end.stack };
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      if (run.killed) return this.killed(run, run.killed);
      // isolated-vm disposes an isolate past its heap limit ("Promise was abandoned" when that
      // happens in a continuation); we dispose one only with run.killed set.
      if (isolate.isDisposed || /memory limit/i.test(message)) return this.killed(run, `memory limit of ${this.memoryLimitMb} MB exceeded`);
      if (/timed out/i.test(message)) return this.killed(run, `CPU budget of ${this.budgetMs} ms exceeded`);
      return { kind: "error", message, stack: (e as Error)?.stack };
    } finally {
      run.done = true;
      this.running.delete(run);
      for (const t of run.timers) clearTimeout(t);
      run.invoke.release();
      if (!isolate.isDisposed) isolate.dispose();
      if (this.running.size === 0 && this.watchdog) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
    }
  }

  private killed(run: Run, reason: string): ScriptEnd {
    this.options.log("err", `script stopped: ${reason}`, run.session.channel.uuid);
    return { kind: "killed", reason };
  }

  /** The CPU watchdog: an isolate past its budget is disposed, which ends its run at once. */
  private watch(): void {
    if (this.watchdog) return;
    this.watchdog = setInterval(() => {
      const now = performance.now();
      for (const run of this.running) {
        if (now < run.checkAt || run.isolate.isDisposed) continue;
        const cpuMs = Number(run.isolate.cpuTime) / 1e6 - run.cpuAtStart;
        if (cpuMs > run.budgetMs) {
          run.killed = `CPU budget of ${run.budgetMs} ms exceeded`;
          run.isolate.dispose();
        } else run.checkAt = now + Math.max(0, run.budgetMs - cpuMs - WATCH_EVERY_MS);
      }
    }, WATCH_EVERY_MS);
    this.watchdog.unref();
  }

  /**
   * Stop every script and drop the prepared isolates (server shutdown). Resolves once an isolate
   * being built for the pool is finished and dropped too: a process that exits while isolated-vm
   * still works on one can abort in its native code instead of exiting cleanly.
   */
  close(): Promise<void> {
    this.closed = true;
    this.recent.length = 0;
    for (const p of this.pool.splice(0)) p.isolate.dispose();
    for (const run of this.running) {
      run.killed = "the server is stopping";
      if (!run.isolate.isDisposed) run.isolate.dispose();
    }
    return this.building ?? Promise.resolve();
  }

  /** One call from the realm. Never rejects: errors travel back as data and are thrown there. */
  private async serve(run: Run, op: unknown, payload: unknown): Promise<HostReply> {
    if (run.pending >= MAX_PENDING) return { error: { name: "RangeError", message: `more than ${MAX_PENDING} operations in flight` } };
    // The realm sends the arguments as one JSON string no longer than its limit (sandbox/realm.ts).
    if (typeof payload !== "string" || payload.length > MAX_PAYLOAD) return { error: { name: "TypeError", message: "malformed host call" } };
    run.pending++;
    try {
      await this.throttle(run);
      const parsed: unknown = JSON.parse(payload);
      const list = Array.isArray(parsed) ? parsed : [];
      return { value: await this.dispatch(run, String(op), list) };
    } catch (e) {
      if (e instanceof ScriptExit) return { exit: e.how };
      const err = e as Error;
      return { error: { name: errorNames.has(err?.name) ? err.name : "Error", message: String(err?.message ?? e) } };
    } finally {
      run.pending--;
    }
  }

  /**
   * At most HOST_CALLS_PER_SEC host calls a second per script (bursts of as many): a script
   * looping on `await session.getVariable()` costs the runtime's thread more than its isolate,
   * where the CPU budget would not see it. Past the rate, calls wait.
   */
  private async throttle(run: Run): Promise<void> {
    const now = performance.now();
    run.tokens = Math.min(HOST_CALLS_PER_SEC, run.tokens + ((now - run.tokensAt) / 1000) * HOST_CALLS_PER_SEC);
    run.tokensAt = now;
    run.tokens -= 1;
    if (run.tokens >= 0) return;
    // At most MAX_PENDING calls wait, so no wait is longer than MAX_PENDING / HOST_CALLS_PER_SEC s.
    await new Promise((resolve) => setTimeout(resolve, (-run.tokens / HOST_CALLS_PER_SEC) * 1000));
    if (run.done) throw new Error("the script has ended");
  }

  private async dispatch(run: Run, op: string, args: unknown[]): Promise<unknown> {
    const session = run.session;
    switch (op) {
      case "session": {
        const [method, raw, handle] = args as [string, unknown[], number | undefined];
        if (!sessionMethods.has(method)) throw new TypeError(`session.${String(method)} is not a function`);
        const target = this.sessionFor(run, handle ?? 0);
        // Sessions cross the boundary as handles (runtime/host/sandbox/session-methods.ts).
        // JSON has no undefined: a null argument is an omitted one (defaults apply), as from Lua.
        const params = (Array.isArray(raw) ? raw : []).map((p) => (p === null ? undefined : isSessionRef(p) ? this.sessionFor(run, p.__ivrSession) : p));
        if (target === session && method === "setInputCallback") {
          return session.setInputCallback((_s, type, input) => this.invoke(run, "input", type, input as DtmfInput), params[0]);
        }
        if (target === session && method === "setHangupHook") return session.setHangupHook((_s, status) => this.invoke(run, "hook", status), params[0]);
        const fn = (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
        const result = await fn.apply(target, params);
        if (method !== "originateSession") return result;
        const leg = result as FsSession;
        const id = run.legs.size + 1;
        run.legs.set(id, leg);
        return { __ivrSession: id } satisfies SessionRef;
      }
      case "fetch":
        return this.doFetch(args[0] as FetchRequest);
      case "log": {
        const [level, message] = args;
        this.options.log(normalizeLogLevel(level), String(message).slice(0, LOG_LINE_MAX), session.channel.uuid);
        return undefined;
      }
      case "timer": {
        const ms = Math.min(Math.max(0, Number(args[0]) || 0), 2 ** 31 - 1);
        return new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            run.timers.delete(t);
            resolve();
          }, ms);
          run.timers.add(t);
        });
      }
      default:
        throw new TypeError(`unknown operation ${op}`);
    }
  }

  private sessionFor(run: Run, handle: number): FsSession {
    if (handle === 0) return run.session;
    const leg = run.legs.get(handle);
    if (!leg) throw new TypeError("not a session of this call");
    return leg;
  }

  /** Call back into the script (input callback, hangup hook); its own CPU budget still applies. */
  private async invoke(run: Run, kind: "input" | "hook", ...args: unknown[]): Promise<string | undefined> {
    if (run.isolate.isDisposed) return undefined;
    const r = await run.invoke.apply(undefined, [kind, ...args], { arguments: { copy: true }, result: { promise: true, copy: true } });
    return typeof r === "string" ? r : typeof r === "number" ? String(r) : undefined;
  }

  private async doFetch(req: FetchRequest): Promise<FetchReply> {
    if (!req || typeof req !== "object") throw new TypeError("fetch: no request");
    const headers = Array.isArray(req.headers) ? req.headers.map(([k, v]) => [String(k), String(v)] as [string, string]) : [];
    const timeoutMs = typeof req.timeoutMs === "number" ? req.timeoutMs : DEFAULT_FETCH_TIMEOUT_MS;
    const res = await this.fetch(String(req.url), {
      method: String(req.method ?? "GET"),
      headers,
      body: typeof req.body === "string" ? req.body : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await readCapped(res, MAX_FETCH_BODY);
    return { status: res.status, statusText: res.statusText, url: res.url, headers: [...res.headers], body };
  }
}

interface FetchRequest {
  url: string;
  method?: string;
  headers?: Array<[string, string]>;
  body?: string;
  timeoutMs?: number;
}

interface FetchReply {
  status: number;
  statusText: string;
  url: string;
  headers: Array<[string, string]>;
  body: string;
}

async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw new RangeError(`fetch: the response is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
