// Scripted callers for the example flows, with the exact node path each must take.
// Keyed by example file name (without .json). An example without an entry here still
// runs the generic callers in examples.test.ts.
import type { ScriptedCaller } from "../support/caller";

export interface Scenario {
  name: string;
  caller: ScriptedCaller;
  path: string[];
  /**
   * "exit": the caller hangs up and the flow's hangup hook must end the script. Left out where
   * the ending is generator policy (the hook also fires on the script's own transfer/hangup):
   * there the test only requires Lua and TS to end the same way.
   */
  ends?: "exit";
}

const MAIN = ["start", "answer", "welcome", "main_menu"];
const PIN = ["start", "answer", "reset_attempts", "ask_pin"];
const RETRY_PIN = ["count_attempt", "too_many", "invalid_pin", "ask_pin"];
const DIAL = ["start", "answer", "reset_attempts", "ask_extension"];
const VM = ["start", "answer", "greeting", "instructions", "record_message", "review_menu"];
const HOURS = ["start", "answer", "welcome", "check_hours"];
const ORDER = ["start", "answer", "settle", "welcome", "flush", "ask_order", "get_order"];
const dtmf = (d: string) => ({ dtmf: d });
const noinput = { noinput: true as const };
const hangup = { hangup: true as const };

export const SCENARIOS: Record<string, Scenario[]> = {
  "main-menu": [
    {
      name: "press 1 then 2: sales, existing orders",
      caller: { actions: [dtmf("1"), dtmf("2")] },
      path: [...MAIN, "sales_menu", "to_existing_orders"],
    },
    {
      name: "press 9 (invalid) three times: failed, operator busy, not available",
      caller: { actions: [dtmf("9"), dtmf("9"), dtmf("9"), { bridge: "busy" }] },
      path: [...MAIN, "connecting", "operator", "not_available", "goodbye", "hangup"],
    },
    {
      name: "hang up during the welcome prompt: the hook exits",
      caller: { actions: [hangup] },
      path: ["start", "answer", "welcome"],
      ends: "exit",
    },
    {
      name: "0: operator answers",
      caller: { actions: [dtmf("0"), { bridge: "answered" }] },
      path: [...MAIN, "connecting", "operator", "operator_done"],
    },
    {
      name: "0: operator fails with another cause",
      caller: { actions: [dtmf("0"), { bridge: "CALL_REJECTED" }] },
      path: [...MAIN, "connecting", "operator", "operator_failed", "goodbye", "hangup"],
    },
    {
      name: "sales, back (9), support, technical",
      caller: { actions: [dtmf("1"), dtmf("9"), dtmf("2"), dtmf("1")] },
      path: [...MAIN, "sales_menu", "main_menu", "support_menu", "to_technical"],
    },
  ],
  "pin-entry": [
    {
      name: "wrong PIN format (12#), then the right PIN",
      caller: { actions: [dtmf("12#"), dtmf("4321#")] },
      path: [...PIN, ...RETRY_PIN, "check_pin", "accepted", "to_account"],
    },
    {
      name: "three wrong PINs: locked out",
      caller: { actions: [dtmf("1111#"), dtmf("2222#"), dtmf("3333#")] },
      path: [...PIN, "check_pin", ...RETRY_PIN, "check_pin", ...RETRY_PIN, "check_pin", "count_attempt", "too_many", "locked_out", "hangup"],
    },
    {
      // read() allows 5 digits so that the "#" the prompt asks for ends each entry
      // (with 4, the # would stay queued and end the next read at once).
      name: "1111# then 4321#: each # ends its own entry",
      caller: { actions: [dtmf("1111#"), dtmf("4321#")] },
      path: [...PIN, "check_pin", ...RETRY_PIN, "check_pin", "accepted", "to_account"],
    },
    {
      name: "no input three times: locked out",
      caller: { actions: [noinput, noinput, noinput] },
      path: [...PIN, ...RETRY_PIN, ...RETRY_PIN, "count_attempt", "too_many", "locked_out", "hangup"],
    },
  ],
  voicemail: [
    {
      name: "record (# ends it), then 1 keep",
      caller: { actions: [dtmf("#"), dtmf("1")] },
      path: [...VM, "saved", "log_saved", "goodbye", "hangup"],
    },
    {
      name: "record ended by silence, 2 listen, then 1 keep",
      caller: { actions: [noinput, dtmf("2"), dtmf("1")] },
      path: [...VM, "play_back", "review_menu", "saved", "log_saved", "goodbye", "hangup"],
    },
    {
      name: "3 record again, then keep",
      caller: { actions: [dtmf("#"), dtmf("3"), dtmf("#"), dtmf("1")] },
      path: [...VM, "instructions", "record_message", "review_menu", "saved", "log_saved", "goodbye", "hangup"],
    },
    {
      name: "hang up while recording",
      caller: { actions: [{ hangup: true, during: "recordFile" }] },
      path: [...VM.slice(0, 5)],
      ends: "exit",
    },
  ],
  "dial-by-extension": [
    {
      name: "extension busy, the caller hangs up during the busy message",
      caller: { actions: [dtmf("1001#"), { bridge: "busy" }, hangup] },
      path: [...DIAL, "connecting", "dial_extension", "busy_message"],
      ends: "exit",
    },
    {
      name: "no answer",
      caller: { actions: [dtmf("1001#"), { bridge: "no_answer" }] },
      path: [...DIAL, "connecting", "dial_extension", "no_answer_message", "goodbye", "hangup"],
    },
    {
      name: "answered (4 digits, no terminator)",
      caller: { actions: [dtmf("1001"), { bridge: "answered" }] },
      path: [...DIAL, "connecting", "dial_extension", "call_done"],
    },
    {
      name: "unknown extension (bridge fails) then too short entries: goodbye",
      caller: { actions: [dtmf("999#"), { bridge: "UNALLOCATED_NUMBER" }, dtmf("12#"), dtmf("1#")] },
      path: [
        ...DIAL, "connecting", "dial_extension", "invalid_extension", "count_attempt", "too_many",
        "ask_extension", "invalid_extension", "count_attempt", "too_many",
        "ask_extension", "invalid_extension", "count_attempt", "too_many", "goodbye", "hangup",
      ],
    },
  ],
  "http-lookup": [
    {
      name: "CRM says gold",
      caller: { actions: [], http: [{ status: 200, body: JSON.stringify({ customer: { tier: "gold", name: "Ada" } }) }] },
      path: ["start", "answer", "lookup_caller", "check_tier", "greet_gold", "to_priority"],
    },
    {
      name: "CRM answers, not gold",
      caller: { actions: [], http: [{ status: 200, body: JSON.stringify({ customer: { tier: "silver", name: "Bo" } }) }] },
      path: ["start", "answer", "lookup_caller", "check_tier", "transferring", "to_normal"],
    },
    {
      name: "CRM unreachable (connection failure)",
      caller: { actions: [], http: [{ status: 0 }] },
      path: ["start", "answer", "lookup_caller", "log_failure", "apology", "to_operator"],
    },
    {
      name: "CRM answers 200 with a body that is not JSON",
      caller: { actions: [], http: [{ status: 200, body: "<html>oops</html>" }] },
      path: ["start", "answer", "lookup_caller", "check_tier", "transferring", "to_normal"],
    },
    {
      name: "CRM fails with 503",
      caller: { actions: [], http: [{ status: 503, body: "down" }] },
      path: ["start", "answer", "lookup_caller", "log_failure", "apology", "to_operator"],
    },
  ],
  "business-hours": [
    {
      name: "open (Wednesday 10:00 New York), 1 sales",
      caller: { actions: [dtmf("1")], now: "2026-11-25T15:00:00Z" },
      path: [...HOURS, "open_menu", "to_sales"],
    },
    {
      name: "closed (Wednesday 18:30 New York)",
      caller: { actions: [], now: "2026-11-25T23:30:00Z" },
      path: [...HOURS, "closed_message", "goodbye", "hangup"],
    },
    {
      name: "holiday (December 25)",
      caller: { actions: [], now: "2026-12-25T15:00:00Z" },
      path: [...HOURS, "holiday_message", "goodbye", "hangup"],
    },
    {
      name: "Saturday 11:00 is open; no choice: operator",
      caller: { actions: [noinput, noinput, noinput], now: "2026-11-28T16:00:00Z" },
      path: [...HOURS, "open_menu", "to_operator"],
    },
    {
      name: "Saturday 14:00 is closed (To is exclusive)",
      caller: { actions: [], now: "2026-11-28T19:00:00Z" },
      path: [...HOURS, "closed_message", "goodbye", "hangup"],
    },
  ],
  "order-status": [
    {
      name: "order found, then 0 for an agent",
      caller: {
        actions: [dtmf("12345#"), dtmf("0")],
        http: [{ status: 200, body: JSON.stringify({ order: { status: "shipped", total: "42.50" } }) }],
      },
      path: [...ORDER, "lookup_order", "say_number", "say_status", "say_total", "after_menu", "to_agent"],
    },
    {
      name: "order found, 1 repeats, then nothing: goodbye",
      caller: {
        actions: [dtmf("777#"), dtmf("1"), noinput, noinput],
        http: [{ status: 200, body: JSON.stringify({ order: { status: "pending", total: 10 } }) }],
      },
      path: [...ORDER, "lookup_order", "say_number", "say_status", "say_total", "after_menu", "say_number", "say_status", "say_total", "after_menu", "goodbye", "hangup"],
    },
    {
      name: "no order number typed",
      caller: { actions: [noinput] },
      path: [...ORDER, "no_input", "to_agent"],
    },
    {
      name: "order not found (404)",
      caller: { actions: [dtmf("1#")], http: [{ status: 404, body: "{}" }] },
      path: [...ORDER, "lookup_order", "not_found", "to_agent"],
    },
  ],
};
