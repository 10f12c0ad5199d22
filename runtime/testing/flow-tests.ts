// Runs a flow's test cases (flow/test-cases.ts) on the runtime itself: the generated Lua on the
// Lua host, the generated TS on the TS host, each over a real FsSession on a virtual call
// (virtual-call.ts). Time is virtual: node:test's mock timers drive setTimeout and Date, and
// the clock jumps ahead whenever the script is blocked in a session method waiting for time,
// so a menu's 5 s timeouts cost no real time and the outcome does not depend on machine load.
//
// Cases run one after another (the mock timers and the fetch stub are process-wide): this is
// for `ivr test` and tools like it, not for a process that serves calls.
import { mock } from "node:test";
import type { FlowGraph } from "../../flow/graph";
import type { CallerStep, FlowTestCase, HttpStub } from "../../flow/test-cases";
import { generate } from "../../generators";
import { createClock, type ClockSetting } from "../clock";
import { SESSION_METHODS } from "../host/sandbox/session-methods";
import type { ScriptEnd } from "../host/ts-host";
import { Channel } from "../session/channel";
import { FsSession } from "../session/session";
import { startScript, type ScriptLanguage, type ScriptRun } from "./script-run";
import { VirtualControl, VirtualMedia } from "./virtual-call";
import { virtualOutbound } from "./virtual-outbound";

export type TestLanguage = ScriptLanguage;

/** The instant and zone a case without `clock` runs at (no test reads the real date). */
export const DEFAULT_TEST_CLOCK: ClockSetting = { at: "2026-01-05T15:00:00Z", zone: "UTC" };
/** A call longer than this (virtual) is stopped: the flow loops or waits forever. */
const MAX_CALL_MS = 30 * 60_000;
/** Real time one case may take (a script stuck outside session methods). */
const MAX_REAL_MS = 60_000;
/** Virtual time advanced per step while the script waits. */
const TICK_MS = 10;

const DEFAULT_VARIABLES: Readonly<Record<string, string>> = {
  caller_id_number: "15551230001",
  caller_id_name: "Test Caller",
  ani: "15551230001",
  destination_number: "5000",
  network_addr: "127.0.0.1",
  context: "default",
  direction: "inbound",
};

const INPUT_METHODS = new Set(["getDigits", "read", "playAndGetDigits", "collectDigits"]);

export interface CaseResult {
  name: string;
  language: TestLanguage;
  passed: boolean;
  /** The first difference from the expected outcome (one line), when it failed. */
  failure?: string;
  /** Where the call was when it diverged (the node to show on the canvas), when it failed. */
  failedNode?: string;
  path: string[];
  finalNode?: string;
  hangupCause?: string;
  /** Set when the flow transferred the call (then there is no hangup cause). */
  transferTo?: string;
  /** Who ended the call: the caller (a hangup step), or the flow / runtime. */
  hungUpBy?: "caller" | "flow";
  digits: string;
  variables: Record<string, string>;
  /** How the script ended when it did not simply return. */
  scriptEnd?: string;
  log: string[];
}

interface Observed {
  path: string[];
  /** Digits pressed before the flow entered path[i]. */
  digitsAt: string[];
  digits: string;
  hangupCause?: string;
  transferTo?: string;
  hungUpBy?: "caller" | "flow";
  variables: Record<string, string>;
  unusedSteps: CallerStep[];
  scriptEnd?: string;
  harness?: string;
  log: string[];
}

const realPerformanceNow = performance.now.bind(performance);
const real = { setImmediate: globalThis.setImmediate, now: realPerformanceNow };
const turn = () => new Promise<void>((r) => real.setImmediate(r));

function describeStep(s: CallerStep): string {
  if ("press" in s) return `press "${s.press}"`;
  if ("silence" in s) return "silence";
  return "hangup";
}

/** fetch answered from the case's stubs; nothing leaves the machine. */
export function stubFetch(stubs: readonly HttpStub[], say: (line: string) => void): typeof fetch {
  const left = [...stubs];
  return async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? "GET").toUpperCase();
    const i = left.findIndex((s) => (s.url === undefined || url.startsWith(s.url)) && (s.method === undefined || s.method.toUpperCase() === method));
    if (i < 0) {
      say(`http: no stubbed reply for ${method} ${url}: connection failed`);
      throw new TypeError("fetch failed: no stubbed reply");
    }
    const [stub] = left.splice(i, 1);
    say(`http: ${method} ${url} -> ${stub.status}`);
    if (stub.status === 0) throw new TypeError("fetch failed");
    const nullBody = stub.status === 204 || stub.status === 304;
    return new Response(nullBody ? null : (stub.body ?? ""), { status: stub.status, headers: stub.headers });
  };
}

/** Every host passes the allow-list: fetch is stubbed, no request reaches the network. */
export const ANY_HOST = Object.assign([] as string[], { some: () => true });

async function runCase(flow: FlowGraph, code: string, language: TestLanguage, tc: FlowTestCase): Promise<Observed> {
  const log: string[] = [];
  const clockSetting: ClockSetting = tc.clock ?? DEFAULT_TEST_CLOCK;
  const realFetch = globalThis.fetch;
  const emitWarning = process.emitWarning;
  // node:test's MockTimers announce themselves as experimental on every enable.
  process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
    if (!String(w).includes("MockTimers")) (emitWarning as (...a: unknown[]) => void).call(process, w, ...rest);
  }) as typeof process.emitWarning;
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: Date.now() });
  // The monotonic clock too (the originate engine's ring timeouts read it): virtual, from here.
  const perfBase = realPerformanceNow();
  const dateBase = Date.now();
  performance.now = () => perfBase + (Date.now() - dateBase);
  globalThis.fetch = stubFetch(tc.http ?? [], (line) => log.push(line));
  let script: ScriptRun | undefined;
  const obs: Observed = { path: [], digitsAt: [], digits: "", variables: {}, unusedSteps: [], log };
  try {
    const clock = createClock(clockSetting);
    const channel = new Channel("00000000-0000-4000-8000-00000000te57", { ...DEFAULT_VARIABLES, ...tc.variables });
    const media = new VirtualMedia();
    const control = new VirtualControl();
    const globals = new Map<string, string>();
    const sessionLog = (level: string, msg: string) => void log.push(`${level}: ${msg.trimEnd()}`);
    // Without bridge stubs a dial fails as on a runtime without outbound calling (NO_ROUTE_DESTINATION).
    const outbound = tc.bridges ? virtualOutbound(tc.bridges, { log: sessionLog, logLine: (line) => log.push(line), globals }) : undefined;
    const session = new FsSession({ channel, control, media, log: sessionLog, globals, clock, outbound });

    // --- the caller: each step waits for its moment, then acts after `after` ms ---------
    const steps = [...tc.caller];
    const act = (step: CallerStep) => {
      const after = "after" in step ? (step.after ?? 0) : 0;
      if ("press" in step) {
        const gap = step.gap ?? 100;
        [...step.press].forEach((d, i) =>
          setTimeout(() => {
            if (!channel.up) return;
            obs.digits += d;
            channel.pushDtmf(d.toUpperCase(), 1600);
          }, after + i * gap),
        );
      } else if ("hangup" in step) {
        setTimeout(() => {
          if (!channel.up) return;
          obs.hungUpBy ??= "caller";
          channel.markHangup("NORMAL_CLEARING");
        }, after);
      }
    };
    const moment = (kind: "input" | "node", node?: string) => {
      const step = steps[0];
      if (!step) return;
      if (step.atNode !== undefined ? kind === "node" && node === step.atNode : kind === "input") {
        steps.shift();
        act(step);
      }
    };

    // --- what the script does: node entries, input waits, whether it is blocked --------
    let inFlight = 0;
    let callbacks = 0;
    let activity = 0;
    let pagdPrompt: string | undefined | null = null; // null: no playAndGetDigits running
    media.onPlay = (source) => {
      activity++;
      if (pagdPrompt === undefined) pagdPrompt = source;
      else if (pagdPrompt !== null && source === pagdPrompt) moment("input"); // the menu's next try
    };
    const wrapCallback = (fn: unknown) =>
      typeof fn === "function"
        ? async (...args: unknown[]) => {
            callbacks++;
            activity++;
            try {
              return await (fn as (...a: unknown[]) => unknown)(...args);
            } finally {
              callbacks--;
              activity++;
            }
          }
        : fn;
    const watched = new Proxy(session, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof prop !== "string" || typeof value !== "function" || prop === "constructor") return value;
        if (!isSessionMethod(prop)) return value.bind(target);
        return async (...args: unknown[]) => {
          if (prop === "setVariable" && args[0] === "ivr_node" && typeof args[1] === "string") {
            obs.path.push(args[1]);
            obs.digitsAt.push(obs.digits);
            moment("node", args[1]);
          }
          if (prop === "setInputCallback" || prop === "setHangupHook") args[0] = wrapCallback(args[0]);
          if (prop === "playAndGetDigits") pagdPrompt = undefined;
          if (INPUT_METHODS.has(prop)) moment("input");
          inFlight++;
          activity++;
          try {
            return await (value as (...a: unknown[]) => unknown).apply(target, args);
          } finally {
            inFlight--;
            activity++;
            if (prop === "playAndGetDigits") pagdPrompt = null;
          }
        };
      },
    });

    // --- the script, on the runtime's own host ----------------------------------------
    script = startScript(language, code, watched, { clock, clockSetting, globals, log: sessionLog, httpAllowList: ANY_HOST });
    const run = script.done;
    const close = () => void script?.close();

    let end: ScriptEnd | undefined;
    let failed: unknown;
    run.then(
      (e) => (end = e),
      (e) => (failed = e ?? new Error("script host failed")),
    );
    const virtualStart = Date.now();
    const realStart = real.now();
    let seen = -1;
    let quiet = 0;
    let quietSince = real.now();
    while (end === undefined && failed === undefined) {
      await turn();
      if (activity !== seen) {
        seen = activity;
        quiet = 0;
        quietSince = real.now();
        continue;
      }
      quiet++;
      const blocked = inFlight > 0 && callbacks === 0 && quiet >= 3;
      // Waiting on something else (compiling, a Lua msleep): let virtual time pass slowly.
      const stalled = real.now() - quietSince > 20;
      if (!blocked && !stalled) continue;
      if (Date.now() - virtualStart > MAX_CALL_MS) {
        obs.harness ??= `the call was still going after ${MAX_CALL_MS / 60_000} minutes (virtual): the flow loops or waits forever`;
        session.doHangup("ALLOTTED_TIMEOUT");
      }
      if (real.now() - realStart > MAX_REAL_MS) {
        obs.harness ??= `the script did not finish within ${MAX_REAL_MS / 1000} s of real time`;
        close();
        break;
      }
      mock.timers.tick(TICK_MS);
      quiet = 0;
      quietSince = real.now();
    }
    close();
    if (failed !== undefined) obs.harness ??= `the script host failed: ${(failed as Error)?.message ?? failed}`;
    if (end && end.kind !== "returned") {
      obs.scriptEnd = end.kind === "exit" ? `exit (${end.how})` : end.kind === "error" ? `error: ${end.message.split("\n")[0]}` : `killed: ${end.reason}`;
    }
    // The dialplan has nothing after the script: FreeSWITCH hangs up NORMAL_CLEARING.
    if (channel.up && !channel.transferPending) session.doHangup(end?.kind === "killed" ? "NORMAL_TEMPORARY_FAILURE" : "NORMAL_CLEARING");
    if (control.hangupCause !== undefined) obs.hungUpBy ??= "flow";
    channel.finishHangupState();
    obs.hangupCause = channel.hangupCause;
    obs.transferTo = channel.transferPending?.extension;
    obs.variables = Object.fromEntries(channel.variables);
    obs.unusedSteps = steps;
  } finally {
    globalThis.fetch = realFetch;
    mock.timers.reset();
    performance.now = realPerformanceNow;
    process.emitWarning = emitWarning;
    await script?.close();
  }
  return obs;
}

const sessionMethodNames = new Set<string>(SESSION_METHODS);
/** The Session API scripts call (not the runtime's own helpers on FsSession). */
const isSessionMethod = (name: string) => sessionMethodNames.has(name);

const quote = (digits: string) => (digits ? `after digits "${digits}"` : "before any digit");

/** The first way the observed call differs from the case's expectation, or undefined. */
export function firstDivergence(tc: FlowTestCase, o: Observed): string | undefined {
  return divergence(tc, o)?.message;
}

/** The first divergence and the node it shows at: the unexpected node, else where the call ended. */
function divergence(tc: FlowTestCase, o: Observed): { message: string; node?: string } | undefined {
  const message = divergenceMessage(tc, o);
  if (message === undefined) return undefined;
  const x = tc.expect;
  if (x.path && !o.harness) {
    for (let i = 0; i < Math.max(x.path.length, o.path.length); i++) {
      if (x.path[i] !== o.path[i]) return { message, node: o.path[i] ?? o.path.at(-1) };
    }
  }
  return { message, node: o.path.at(-1) };
}

function divergenceMessage(tc: FlowTestCase, o: Observed): string | undefined {
  if (o.harness) return o.harness;
  const x = tc.expect;
  if (x.path) {
    const n = Math.max(x.path.length, o.path.length);
    for (let i = 0; i < n; i++) {
      const want = x.path[i];
      const got = o.path[i];
      if (want === got) continue;
      if (got === undefined) return `expected node ${want}, the call ended at node ${o.path.at(-1) ?? "(none)"} ${quote(o.digits)}`;
      if (want === undefined) return `expected the call to end at node ${x.path.at(-1)}, got node ${got} ${quote(o.digitsAt[i])}`;
      return `expected node ${want}, got node ${got} ${quote(o.digitsAt[i])}`;
    }
  }
  if (x.finalNode !== undefined && o.path.at(-1) !== x.finalNode) {
    return `expected the call to end at node ${x.finalNode}, it ended at node ${o.path.at(-1) ?? "(none)"} ${quote(o.digits)}`;
  }
  for (const [name, want] of Object.entries(x.variables ?? {})) {
    const got = o.variables[name];
    if (got !== want) return `expected variable ${name} = "${want}", got ${got === undefined ? "unset" : `"${got}"`}`;
  }
  if (x.transferTo !== undefined && o.transferTo !== x.transferTo) {
    return `expected a transfer to ${x.transferTo}, got ${o.transferTo !== undefined ? `a transfer to ${o.transferTo}` : `hangup ${o.hangupCause ?? "none"}`}`;
  }
  if (x.hangupCause !== undefined && o.hangupCause !== x.hangupCause) {
    return `expected hangup cause ${x.hangupCause}, got ${o.hangupCause !== undefined ? o.hangupCause : `a transfer to ${o.transferTo ?? "?"}`}`;
  }
  if (o.scriptEnd?.startsWith("error") || o.scriptEnd?.startsWith("killed")) return `the script failed: ${o.scriptEnd}`;
  if (o.unusedSteps.length) return `the call ended before caller step ${describeStep(o.unusedSteps[0])}${o.unusedSteps[0].atNode ? ` at node ${o.unusedSteps[0].atNode}` : ""}`;
  return undefined;
}

export interface RunFlowTestsOptions {
  languages: readonly TestLanguage[];
  /** Only the case with this name. */
  caseName?: string;
  /** Told of each result as soon as it is known. */
  onResult?: (r: CaseResult) => void;
}

/** Run the flow's cases (flow.tests) in each language; throws if `caseName` names no case. */
export async function runFlowTests(flow: FlowGraph, options: RunFlowTestsOptions): Promise<CaseResult[]> {
  const cases = (flow.tests ?? []).filter((c) => options.caseName === undefined || c.name === options.caseName);
  if (options.caseName !== undefined && cases.length === 0) throw new Error(`no test case named "${options.caseName}"`);
  const results: CaseResult[] = [];
  for (const language of options.languages) {
    const code = generate(flow, language).code;
    for (const tc of cases) {
      const o = await runCase(flow, code, language, tc);
      const d = divergence(tc, o);
      const r: CaseResult = {
        name: tc.name,
        language,
        passed: d === undefined,
        ...(d !== undefined ? { failure: d.message, ...(d.node !== undefined ? { failedNode: d.node } : {}) } : {}),
        path: o.path,
        finalNode: o.path.at(-1),
        hangupCause: o.hangupCause,
        ...(o.transferTo !== undefined ? { transferTo: o.transferTo } : {}),
        hungUpBy: o.hungUpBy,
        digits: o.digits,
        variables: o.variables,
        ...(o.scriptEnd ? { scriptEnd: o.scriptEnd } : {}),
        log: o.log,
      };
      results.push(r);
      options.onResult?.(r);
    }
  }
  return results;
}
