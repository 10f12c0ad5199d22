// The classic mod_lua idioms, written as FreeSWITCH's documentation writes them, run on the
// runtime through real SIPp calls (RFC 2833 pcaps and SIP INFO). Each test asserts what
// FreeSWITCH 1.10.12 was observed to do (freeswitch-session-api.md, "Observed on a real
// FreeSWITCH 1.10.12"), through the call log and the server's log lines.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSipp } from "../sip/sipp-harness";
import { endCause, firstCall, methods, startTestServer, type TestServer } from "./support/server";

const recDir = mkdtempSync(path.join(tmpdir(), "ivr-lua-rec-"));
const recording = path.join(recDir, "message.wav");
let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer(
    {
      "2000": "play-and-get-digits.lua",
      "2001": "menu.lua",
      operator: "operator.lua",
      "2002": "read.lua",
      "2003": `record.lua ${recording}`,
      "2004": "say-phrase.lua",
      "2005": "hangup-hook.lua",
      "2006": "stream-callback.lua",
      "2007": "variables.lua",
    },
    [44000, 44099],
  );
});
afterAll(async () => {
  await srv?.stop();
  rmSync(recDir, { recursive: true, force: true });
});

const messages = (logs: { message: string }[]) => logs.map((l) => l.message);

describe.skipIf(!hasSipp).concurrent("mod_lua idioms over SIPp", () => {
  it('playAndGetDigits(2, 5, 3, 3000, "#", ..., "\\\\d+"): 1 2 3 # gives "123"', async () => {
    const r = await srv.call("lua-dtmf-123-pound", "2000");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    const pagd = firstCall(r.trace, "playAndGetDigits");
    expect(pagd.args).toEqual([2, 5, 3, 3000, "#", "short.wav", "short.wav", "\\d+"]);
    expect(pagd.result).toBe("123");
    expect(messages(r.logs)).toContain("Got dtmf: 123\n");
    expect(endCause(r.trace)).toBe("NORMAL_CLEARING");
  }, 20_000);

  it("single-digit [134] menu: 1 gives \"1\" and digits_received = 1", async () => {
    const r = await srv.call("lua-info-1", "2001");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    expect(firstCall(r.trace, "playAndGetDigits").result).toBe("1");
    expect(messages(r.logs)).toEqual(["Got DTMF digits: 1\n", "digits_received: 1\n"]);
  }, 20_000);

  it('single-digit [134] menu: three wrong keys transfer to "operator XML default", whose script runs', async () => {
    const r = await srv.call("lua-info-999", "2001");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    const calls = methods(r.trace);
    expect(firstCall(r.trace, "playAndGetDigits").result).toBe("");
    // The menu script goes on after the failed menu (transfer is pending, ready() is false) ...
    expect(messages(r.logs)).toContain("Got DTMF digits: \n");
    expect(r.logs.some((l) => /PAGD failure! Transfer to: operator \/ XML \/ default/.test(l.message))).toBe(true);
    // ... and when it returns, the operator extension's script runs on the same call.
    expect(calls.find((c) => c.method === "getVariable" && c.args[0] === "destination_number")?.result).toBe("operator");
    expect(messages(r.logs)).toContain("operator: call for operator in state CS_EXECUTE\n");
    expect(calls.at(-1)).toMatchObject({ method: "hangup", args: ["NORMAL_CLEARING"] });
  }, 20_000);

  it('read(5, 10, prompt, 3000, "*#"): 1 2 3 # gives "123" (fewer than min) and read_terminator_used "#"', async () => {
    const r = await srv.call("lua-dtmf-123-pound", "2002");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    expect(firstCall(r.trace, "read")).toMatchObject({ args: [5, 10, "short.wav", 3000, "*#"], result: "123" });
    expect(firstCall(r.trace, "getVariable")).toMatchObject({ args: ["read_terminator_used"], result: "#" });
    expect(messages(r.logs)).toContain("Got: 123 terminator: #\n");
  }, 20_000);

  it('recordFile with an input callback returning "break": a key stops it, it returns 0 (printed "0.0")', async () => {
    const r = await srv.call("lua-dtmf-1", "2003");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    const rec = firstCall(r.trace, "recordFile");
    expect(rec.args).toEqual([recording, 30, 30, 5]);
    expect(rec.result).toBe(0);
    expect(rec.ms).toBeLessThan(5000); // stopped by the key, not by 5 s of silence or 30 s
    expect(messages(r.logs)).toEqual(["DTMF: 1\n", "recordFile returned 0.0\n"]);
    expect(existsSync(recording)).toBe(true);
  }, 20_000);

  it("sayPhrase with a key-press callback: no phrases configured, it logs and returns at once", async () => {
    const r = await srv.call("lua-info-1", "2004");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    const say = firstCall(r.trace, "sayPhrase");
    expect(say.args).toEqual(["voicemail_menu", "1:2:3:#:5", "en"]);
    expect(say.ms).toBeLessThan(300);
    expect(r.logs.some((l) => l.level === "err" && /voicemail_menu/.test(l.message))).toBe(true);
    // The key came after the phrase: the callback never saw it, getDigits did.
    expect(messages(r.logs).some((m) => m.startsWith("Key pressed"))).toBe(false);
    expect(firstCall(r.trace, "getDigits").result).toBe("1");
  }, 20_000);

  it('setHangupHook returning "exit": the caller\'s BYE runs the hook with "hangup" and stops the script', async () => {
    const r = await srv.call("lua-caller-bye", "2005");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    // the hook's extra argument is the value of the global it names
    expect(messages(r.logs)).toContain("myHangupHook: hangup arg w00t\n");
    expect(r.logs.some((l) => l.level === "err" && /ended by the hangup hook \(exit\)/.test(l.message))).toBe(true);
    expect(messages(r.logs).some((m) => m.includes("must not run"))).toBe(false);
    expect(methods(r.trace).filter((c) => c.method === "streamFile").length).toBeGreaterThanOrEqual(2);
  }, 20_000);

  it('streamFile with an input callback: a key stops a 10 s file early; the callback gets the digit and its arg', async () => {
    const r = await srv.call("lua-dtmf-1", "2006");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    const play = firstCall(r.trace, "streamFile");
    expect(play.args).toEqual(["long.wav"]);
    expect(play.ms).toBeGreaterThan(500);
    expect(play.ms).toBeLessThan(4000);
    const cb = messages(r.logs).find((m) => m.startsWith("my_cb:"));
    expect(cb).toMatch(/^my_cb: digit 1 duration \d+(\.0)? arg arg value\n$/);
    const playedMs = Number(firstCall(r.trace, "getVariable").result);
    expect(playedMs).toBeGreaterThan(500);
    expect(playedMs).toBeLessThan(4000);
  }, 20_000);

  it("getState, the standard channel variables and consoleLog at every level", async () => {
    const r = await srv.call("lua-wait-bye", "2007");
    expect(r.sipp.code, r.sipp.stderr).toBe(0);
    expect(firstCall(r.trace, "getState").result).toBe("CS_EXECUTE");
    const vars = Object.fromEntries(
      methods(r.trace)
        .filter((c) => c.method === "getVariable")
        .map((c) => [c.args[0], c.result]),
    );
    expect(vars).toMatchObject({
      destination_number: "2007",
      caller_id_name: "sipp",
      caller_id_number: "sipp",
      ani: "sipp",
      network_addr: "127.0.0.1",
      uuid: r.callId,
      context: "default",
    });
    expect(vars.chan_name).toMatch(/^sofia\/[^/]+\/sipp@127\.0\.0\.1:\d+$/);
    const levels = r.logs.filter((l) => l.message.startsWith("level ")).map((l) => [l.level, l.message.trim()]);
    expect(levels).toEqual(
      ["console", "alert", "crit", "err", "warning", "notice", "info", "debug"].map((lv) => [lv, `level ${lv}`]),
    );
    // "error" is not a level name: FreeSWITCH logs it at debug
    expect(r.logs.find((l) => l.message === "not a level name\n")?.level).toBe("debug");
    expect(r.logs.find((l) => l.message === "global log\n")?.level).toBe("warning");
  }, 20_000);
});
