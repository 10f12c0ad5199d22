// Every example flow, generated to Lua and to TS, run on the runtime and driven by the same
// SIPp scenario: both must leave the same call-log trace (methods, arguments, results, node
// path). The only differences allowed are inherent to being two separate calls: the call's
// UUID (and strings built from it, e.g. a recording path), the SIP Call-ID and the called
// number in the start event. (setInputCallback/setHangupHook log their extra argument only:
// a Lua callback is a global's name, a TS callback a function; both log [] here.)
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { comparableTrace, type CallLogEntry } from "../../runtime/session/call-log";
import { hasSipp } from "../sip/sipp-harness";
import { prepareExample } from "./support/flows";
import { methods, startTestServer, type TestServer } from "./support/server";

/** For each example: the SIPp scenario and the whole node path it must drive. */
const CASES: { example: string; scenario: string; path: string[] }[] = [
  { example: "main-menu", scenario: "lua-dtmf-1-2", path: ["start", "answer", "welcome", "main_menu", "sales_menu", "to_existing_orders"] },
  { example: "pin-entry", scenario: "lua-dtmf-4321-pound", path: ["start", "answer", "reset_attempts", "ask_pin", "check_pin", "accepted", "to_account"] },
  {
    example: "voicemail",
    scenario: "lua-dtmf-pound-1",
    path: ["start", "answer", "greeting", "instructions", "record_message", "review_menu", "saved", "log_saved", "goodbye", "hangup"],
  },
  {
    // Bridges fail on the runtime (no outbound calls): three tries, then the caller hangs up.
    example: "dial-by-extension",
    scenario: "lua-dtmf-1001-pound-bye",
    path: [
      "start", "answer", "reset_attempts", "ask_extension", "connecting", "dial_extension",
      "invalid_extension", "count_attempt", "too_many", "ask_extension", // the # left queued ends this try at once
      "invalid_extension", "count_attempt", "too_many", "ask_extension", // the caller hangs up during this one
    ],
  },
  { example: "http-lookup", scenario: "lua-wait-bye", path: ["start", "answer", "lookup_caller", "check_tier", "greet_gold", "to_priority"] },
  // The server's clock is pinned to a Monday 10:00 in New York: the office is open, 1 is sales.
  { example: "business-hours", scenario: "lua-info-1", path: ["start", "answer", "welcome", "check_hours", "open_menu", "to_sales"] },
  {
    example: "order-status",
    scenario: "lua-dtmf-12345-pound-0",
    path: ["start", "answer", "settle", "welcome", "flush", "ask_order", "get_order", "lookup_order", "say_number", "say_status", "say_total", "after_menu", "to_agent"],
  },
];

const dir = mkdtempSync(path.join(tmpdir(), "ivr-lua-parity-"));
let srv: TestServer;
let http: Server;
const numbers = new Map<string, { lua: string; ts: string }>();

beforeAll(async () => {
  // A stand-in CRM and shop on 127.0.0.1
  http = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url?.startsWith("/api/callers/")) res.end(JSON.stringify({ customer: { tier: "gold", name: "Ada" } }));
    else if (req.url?.startsWith("/api/orders/")) res.end(JSON.stringify({ order: { status: "shipped", total: "42.50" } }));
    else res.writeHead(404).end("{}");
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  const httpBase = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  const soundsDir = path.join(dir, "sounds");
  const routes: Record<string, string> = {};
  CASES.forEach((c, i) => {
    const ex = prepareExample(c.example, dir, soundsDir, { httpBase });
    const n = { lua: String(6000 + 2 * i), ts: String(6001 + 2 * i) };
    numbers.set(c.example, n);
    routes[n.lua] = ex.lua;
    routes[n.ts] = ex.ts;
  });
  srv = await startTestServer(routes, [44100, 44299], {
    soundsDir,
    httpAllowList: ["127.0.0.1"],
    clock: { at: "2026-12-07T15:00:00Z", zone: "America/New_York" },
  });
});
afterAll(async () => {
  await srv?.stop();
  await new Promise((r) => http?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** comparableTrace, plus what must differ between two calls: UUID, SIP Call-ID, called number. */
function normalized(trace: CallLogEntry[], callId: string): unknown[] {
  const text = JSON.stringify(comparableTrace(trace)).replaceAll(callId, "<uuid>");
  return (JSON.parse(text) as Record<string, unknown>[]).map((e) => {
    const { uuid: _u, sipCallId: _s, to: _t, route: _r, ...rest } = e;
    return rest;
  });
}

const nodePath = (trace: CallLogEntry[]) =>
  methods(trace)
    .filter((m) => m.method === "setVariable" && m.args[0] === "ivr_node")
    .map((m) => m.args[1]);

describe.skipIf(!hasSipp).concurrent("generated Lua and TS of each example leave the same trace", () => {
  for (const c of CASES) {
    it(`${c.example} (${c.scenario})`, async () => {
      const n = numbers.get(c.example)!;
      // The calls last 1-8 s of prompts, speech and timeouts by design: on a loaded machine
      // (flite, two calls at once) SIPp's default 10 s cap would cut them, so give them 40 s.
      const cap = ["-timeout", "40s"];
      const [lua, ts] = await Promise.all([srv.call(c.scenario, n.lua, cap), srv.call(c.scenario, n.ts, cap)]);
      expect(lua.sipp.code, `lua: ${lua.sipp.stderr}`).toBe(0);
      expect(ts.sipp.code, `ts: ${ts.sipp.stderr}`).toBe(0);
      expect(nodePath(lua.trace)).toEqual(c.path);
      expect(normalized(lua.trace, lua.callId)).toEqual(normalized(ts.trace, ts.callId));
    }, 60_000);
  }
});
