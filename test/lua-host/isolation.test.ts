// A broken script ends only its own call: a runaway loop (CPU budget), a syntax error, and an
// error inside the hangup hook. After each, the next call on the same server is answered and
// runs to its normal end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSipp } from "../sip/sipp-harness";
import { endCause, firstCall, methods, startTestServer, type TestServer } from "./support/server";

let srv: TestServer;
const BUDGET_MS = 300;

beforeAll(async () => {
  srv = await startTestServer(
    {
      "3000": "runaway.lua",
      "3001": "syntax-error.lua",
      "3002": "hook-error.lua",
      "3009": "play-and-get-digits.lua",
    },
    [44300, 44399],
    { cpuBudgetMs: BUDGET_MS },
  );
});
afterAll(async () => {
  await srv?.stop();
});

/** A normal call right after: answered, digits collected, hung up by its script. */
async function nextCallCompletes() {
  const r = await srv.call("lua-dtmf-123-pound", "3009");
  expect(r.sipp.code, r.sipp.stderr).toBe(0);
  expect(firstCall(r.trace, "playAndGetDigits").result).toBe("123");
  expect(endCause(r.trace)).toBe("NORMAL_CLEARING");
}

describe.skipIf(!hasSipp)("a failing script ends only its own call", () => {
  it("runaway loop (while true do end): stopped by the CPU budget, the call is hung up NORMAL_TEMPORARY_FAILURE", async () => {
    const r = await srv.call("lua-wait-bye", "3000");
    expect(r.sipp.code, r.sipp.stderr).toBe(0); // SIPp got our BYE
    expect(firstCall(r.trace, "answer").result).toBe(1);
    expect(r.logs.some((l) => l.level === "err" && /CPU budget of 300 ms exceeded/.test(l.message))).toBe(true);
    expect(endCause(r.trace)).toBe("NORMAL_TEMPORARY_FAILURE");
    expect(srv.server.activeCalls).toBe(0);
    await nextCallCompletes();
  }, 30_000);

  it("syntax error: the script never runs; the unanswered call is refused (480, NORMAL_CLEARING)", async () => {
    const r = await srv.call("lua-expect-480", "3001");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    expect(methods(r.trace)).toEqual([]); // not even answer() ran
    const err = r.logs.find((l) => l.level === "err" && /syntax-error\.lua/.test(l.message));
    expect(err?.message).toMatch(/syntax-error\.lua:\d+:/);
    expect(endCause(r.trace)).toBe("NORMAL_CLEARING");
    await nextCallCompletes();
  }, 30_000);

  it("the hangup hook raises an error when the caller hangs up: logged, the call ends, the next one works", async () => {
    const r = await srv.call("lua-caller-bye", "3002");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    expect(r.logs.some((l) => l.level === "err" && /the hook failed on hangup/.test(l.message))).toBe(true);
    // An error in the hook is not "exit": like mod_lua, the script goes on after the hook
    expect(r.logs.some((l) => l.message === "hook-error: loop left\n")).toBe(true);
    expect(endCause(r.trace)).toBe("NORMAL_CLEARING");
    expect(srv.server.activeCalls).toBe(0);
    await nextCallCompletes();
  }, 30_000);
});
