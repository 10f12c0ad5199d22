import { describe, expect, it } from "vitest";
import { interpretCallbackResult } from "../../runtime/session/callback-result";
import { ScriptExit } from "../../runtime/session/errors";
import { expandVariables, separateString } from "../../runtime/session/expand";
import type { DtmfInput } from "../../runtime/session/types";
import { makeSession } from "./fakes";

describe("call control", () => {
  it("answers once, reports answered and ready", async () => {
    const { session, control } = makeSession();
    expect(await session.answered()).toBe(false);
    expect(await session.answer()).toBe(1);
    expect(await session.answer()).toBe(1);
    expect(control.answers).toBe(1);
    expect(await session.answered()).toBe(true);
    expect(await session.ready()).toBe(true);
    expect(await session.mediaReady()).toBe(true);
    expect(await session.getState()).toBe("CS_EXECUTE");
  });

  it("hangup does not stop the script, but media returns at once afterwards", async () => {
    const { session, control } = makeSession();
    await session.hangup("user_busy");
    expect(control.hangups).toEqual(["USER_BUSY"]);
    expect(await session.ready()).toBe(false);
    // FreeSWITCH sets hangup_cause in the hangup state, after the script: never visible to it.
    expect(await session.getVariable("hangup_cause")).toBeUndefined();
    const t0 = performance.now();
    expect(await session.streamFile("silence_stream://2000")).toBe(0);
    expect(await session.playAndGetDigits(1, 1, 3, 1000, "#", "a.wav", "b.wav", "\\d")).toBe("");
    expect(performance.now() - t0).toBeLessThan(500);
    expect(await session.getState()).toBe("CS_HANGUP");
  });

  it("hangup_cause is nil inside the hangup hook and set once the hangup state ran", async () => {
    const { session, channel, hangupAfter } = makeSession();
    const seen: Array<string | undefined> = [];
    await session.setHangupHook(async (s) => {
      seen.push(await s.getVariable("hangup_cause"));
      return "";
    });
    hangupAfter(20, "USER_BUSY");
    await session.sleep(200);
    await session.ready();
    expect(seen).toEqual([undefined]);
    channel.finishHangupState();
    expect(channel.getVar("hangup_cause")).toBe("USER_BUSY");
    expect(channel.getVar("hangup_cause_q850")).toBe("17");
  });

  it("an unknown cause name becomes NORMAL_CLEARING, a number maps to its name", async () => {
    const a = makeSession();
    await a.session.hangup("nonsense");
    expect(a.control.hangups).toEqual(["NORMAL_CLEARING"]);
    const b = makeSession();
    await b.session.hangup("17");
    expect(b.control.hangups).toEqual(["USER_BUSY"]);
  });

  it("transfer makes ready() false and uses the channel's context by default", async () => {
    const { session, control } = makeSession({ context: "public" });
    expect(await session.transfer("2000")).toBe(1);
    expect(control.transfers).toEqual([["2000", "XML", "public"]]);
    expect(await session.ready()).toBe(false);
  });

  it("hangupCause() is the originate cause (NONE on the inbound leg)", async () => {
    const { session } = makeSession();
    await session.hangup();
    expect(await session.hangupCause()).toBe("NONE");
  });
});

describe("streamFile and input callbacks", () => {
  it("without a callback digits do not interrupt and stay queued for getDigits", async () => {
    const { session, press } = makeSession();
    press("123#", 20);
    expect(await session.streamFile("silence_stream://300")).toBe(1);
    const t0 = performance.now();
    expect(await session.getDigits(4, "#", 3000)).toBe("123");
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it("a callback that returns break stops playback: streamFile returns 0", async () => {
    const { session, press, media } = makeSession();
    const got: DtmfInput[] = [];
    await session.setInputCallback((_s, type, input) => {
      if (type === "dtmf") got.push(input as DtmfInput);
      return "break";
    });
    press("5", 50);
    const t0 = performance.now();
    expect(await session.streamFile("silence_stream://2000")).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(got).toEqual([{ digit: "5", duration: 1600 }]);
    expect(media.played).toEqual(["silence_stream://2000"]);
    expect(Number(await session.getVariable("playback_ms"))).toBeLessThan(1000);
  });

  it("a callback returning '' or undefined continues to the end", async () => {
    const { session, press } = makeSession();
    let calls = 0;
    await session.setInputCallback(() => {
      calls++;
      return "";
    });
    press("12", 20);
    expect(await session.streamFile("silence_stream://200")).toBe(1);
    expect(calls).toBe(2);
  });

  it("a not-found file returns 0", async () => {
    const { session } = makeSession();
    expect(await session.streamFile("missing.wav")).toBe(0);
  });

  it("interprets callback results like switch_ivr_process_fh", () => {
    expect(interpretCallbackResult(undefined, true)).toEqual({ kind: "continue" });
    expect(interpretCallbackResult(true, true)).toEqual({ kind: "continue" });
    expect(interpretCallbackResult("undefined", false)).toEqual({ kind: "continue" });
    expect(interpretCallbackResult("break", true)).toEqual({ kind: "stop" });
    expect(interpretCallbackResult("pause", true)).toEqual({ kind: "pause" });
    expect(interpretCallbackResult("pause", false)).toEqual({ kind: "stop" });
    expect(interpretCallbackResult("seek:+", true)).toEqual({ kind: "seek", ms: 1000, relative: true });
    expect(interpretCallbackResult("seek:2500", true)).toEqual({ kind: "seek", ms: 2500, relative: false });
    expect(interpretCallbackResult("volume:-2", true)).toEqual({ kind: "volume", value: -2, relative: true });
    expect(interpretCallbackResult("hangup", true)).toEqual({ kind: "stop" });
  });

  it("sleep: a digit with no callback stays queued; with a break callback the sleep ends with 0", async () => {
    const a = makeSession();
    a.press("7", 20);
    expect(await a.session.sleep(150)).toBe(1);
    expect(await a.session.getDigits(1, "", 10)).toBe("7");
    const b = makeSession();
    await b.session.setInputCallback(() => "break");
    b.press("7", 20);
    expect(await b.session.sleep(2000)).toBe(0);
  });
});

describe("digit collection", () => {
  it("playAndGetDigits(2,5,3,3000,'#',...,'\\\\d+') returns 123 for 1 2 3 # (terminator not included)", async () => {
    const { session, press } = makeSession();
    press("123#", 30);
    expect(await session.playAndGetDigits(2, 5, 3, 3000, "#", "silence_stream://500", "invalid.wav", "\\d+")).toBe("123");
  });

  it("the single-digit [134] menu sets its variable", async () => {
    const { session, press } = makeSession();
    press("1", 30);
    const r = await session.playAndGetDigits(1, 1, 3, 3000, "", "prompt.wav", "error.wav", "[134]", "digits_received", 3);
    expect(r).toBe("1");
    expect(await session.getVariable("digits_received")).toBe("1");
  });

  it("no input: prompt + invalid prompt on every try, then ''", async () => {
    const { session, media } = makeSession();
    const r = await session.playAndGetDigits(1, 4, 3, 60, "#", "p@20ms.wav", "inv@10ms.wav", "\\d+", "v");
    expect(r).toBe("");
    expect(media.played).toEqual(["p@20ms.wav", "inv@10ms.wav", "p@20ms.wav", "inv@10ms.wav", "p@20ms.wav", "inv@10ms.wav"]);
    expect(await session.getVariable("v")).toBeUndefined();
  });

  it("a wrong entry then a right one: <var>_invalid holds the rejected digits", async () => {
    const { session, press, media } = makeSession();
    press("9", 30);
    press("2", 400);
    const r = await session.playAndGetDigits(1, 1, 3, 1000, "#", "p@100ms.wav", "inv@50ms.wav", "^[12]$", "choice");
    expect(r).toBe("2");
    expect(await session.getVariable("choice")).toBe("2");
    expect(await session.getVariable("choice_invalid")).toBe("9");
    expect(media.played.filter((p) => p.startsWith("inv"))).toHaveLength(1);
  });

  it("transfer_on_failure transfers after the last try; ready() turns false", async () => {
    const { session, control } = makeSession();
    const r = await session.playAndGetDigits(1, 1, 1, 30, "", "p@10ms.wav", "", "[134]", "d", 30, "operator XML default");
    expect(r).toBe("");
    expect(control.transfers).toEqual([["operator", "XML", "default"]]);
    expect(await session.ready()).toBe(false);
  });

  it("read(5,10,prompt,3000,'*#') with 1 2 3 # returns 123, read_terminator_used #, read_result failure", async () => {
    const { session, press } = makeSession();
    press("123#", 30);
    expect(await session.read(5, 10, "silence_stream://1000", 3000, "*#")).toBe("123");
    expect(await session.getVariable("read_terminator_used")).toBe("#");
    expect(await session.getVariable("read_result")).toBe("failure");
  });

  it("read: the first digit barges into the prompt and is kept", async () => {
    const { session, press } = makeSession();
    press("42", 30, 20);
    const t0 = performance.now();
    expect(await session.read(2, 2, "silence_stream://3000", 2000, "#")).toBe("42");
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(await session.getVariable("read_result")).toBe("success");
  });

  it("read with no input times out", async () => {
    const { session } = makeSession();
    expect(await session.read(1, 4, "", 80, "#")).toBe("");
    expect(await session.getVariable("read_result")).toBe("timeout");
  });

  it("getDigits: first-digit timeout, inter-digit timeout and overall cap", async () => {
    const a = makeSession();
    a.press("12", 30, 30);
    a.press("3", 400);
    expect(await a.session.getDigits(10, "#", 200, 100)).toBe("12");
    const b = makeSession();
    b.press("1234", 10, 60);
    // Digits at 10, 70, 130, 190 ms; the 150 ms cap ends collection after the third.
    expect(await b.session.getDigits(10, "", 1000, 1000, 150)).toBe("123");
  });
});

describe("recording", () => {
  it("returns 1 when silence ends it and sets silence_hits_exhausted and record_ms", async () => {
    const { session, media } = makeSession();
    media.recordEnd = { ms: 120, reason: "silence" };
    expect(await session.recordFile("/tmp/x.wav", 30, 200)).toBe(1);
    expect(media.recorded[0].options).toEqual({ maxSeconds: 30, silenceThreshold: 200, silenceSeconds: 3 });
    expect(await session.getVariable("silence_hits_exhausted")).toBe("true");
    expect(Number(await session.getVariable("record_ms"))).toBeGreaterThan(50);
  });

  it("an input callback returning break stops it: 0", async () => {
    const { session, media, press } = makeSession();
    media.recordEnd = { ms: 5000, reason: "limit" };
    await session.setInputCallback(() => "break");
    press("1", 50);
    expect(await session.recordFile("/tmp/x.wav", 30, 30, 5)).toBe(0);
  });

  it("DTMF without a callback does not stop recording", async () => {
    const { session, media, press } = makeSession();
    media.recordEnd = { ms: 150, reason: "limit" };
    press("1", 20);
    expect(await session.recordFile("/tmp/x.wav", 1)).toBe(1);
  });
});

describe("hangup hook", () => {
  it("runs at the next session call with 'hangup'; 'exit' ends the script", async () => {
    const { session, hangupAfter } = makeSession();
    const seen: string[] = [];
    await session.setHangupHook((_s, status, arg) => {
      seen.push(`${status}:${arg}`);
      return "exit";
    }, "blah");
    hangupAfter(50);
    await expect(session.streamFile("silence_stream://1000")).rejects.toBeInstanceOf(ScriptExit);
    expect(seen).toEqual(["hangup:blah"]);
    expect(await session.getVariable("lua_hangup_hook_return_val")).toBe("exit");
    // Fires at most once.
    expect(await session.ready()).toBe(false);
  });

  it("a transfer fires it with 'transfer'; other return values let the script go on", async () => {
    const { session } = makeSession();
    const seen: string[] = [];
    await session.setHangupHook((_s, status) => {
      seen.push(status);
      return "ok";
    });
    expect(await session.transfer("3000", "XML", "default")).toBe(1);
    expect(seen).toEqual(["transfer"]);
    expect(await session.ready()).toBe(false);
  });
});

describe("speech, say, logging, execute", () => {
  it("speak without set_tts_params logs and returns 1 (SWITCH_STATUS_FALSE)", async () => {
    const { session, logs } = makeSession();
    expect(await session.speak("hello")).toBe(1);
    expect(logs.some(([l, m]) => l === "err" && /TTS/.test(m))).toBe(true);
  });

  it("speak with flite plays synthesized audio; an unknown engine logs Invalid TTS module", async () => {
    const a = makeSession();
    await a.session.set_tts_params("flite", "kal");
    expect(await a.session.speak("hello world")).toBe(1);
    expect(a.media.played[0]).toMatch(/^tts\/kal\//);
    const b = makeSession();
    await b.session.set_tts_params("cepstral", "x");
    expect(await b.session.speak("hi")).toBe(0);
    expect(b.logs.some(([, m]) => m === "Invalid TTS module cepstral[x]!")).toBe(true);
  });

  it("sayPhrase of a macro nobody defined logs it and returns without pre-answering", async () => {
    const { session, logs, control } = makeSession();
    await session.sayPhrase("voicemail_menu", "1:2:3:#");
    expect(logs.filter(([l]) => l === "err")).toEqual([["err", "Can't find macro voicemail_menu."]]);
    expect(control.preAnswers).toBe(0);
  });

  it("consoleLog maps 'error' to debug and keeps known levels", async () => {
    const { session, logs } = makeSession();
    await session.consoleLog("err", "a\n");
    await session.consoleLog("error", "b\n");
    await session.consoleLog("3", "c\n");
    expect(logs).toEqual([
      ["err", "a\n"],
      ["debug", "b\n"],
      ["err", "c\n"],
    ]);
  });

  it("execute: set/unset expand variables, bridge fails with NO_ROUTE_DESTINATION, unknown apps log", async () => {
    const { session, logs, media } = makeSession();
    await session.execute("set", "greeting=hello ${caller_id_number}");
    expect(await session.getVariable("greeting")).toBe("hello sipp");
    await session.execute("unset", "greeting");
    expect(await session.getVariable("greeting")).toBeUndefined();
    await session.execute("bridge", "user/1001");
    expect(await session.getVariable("originate_disposition")).toBe("NO_ROUTE_DESTINATION");
    expect(await session.getVariable("last_bridge_hangup_cause")).toBe("NO_ROUTE_DESTINATION");
    await session.execute("start_dtmf");
    expect(media.inband).toBe(true);
    await session.execute("frobnicate", "x");
    expect(logs.some(([, m]) => m === "Invalid Application frobnicate")).toBe(true);
  });

  it("execute read uses the dialplan argument order", async () => {
    const { session, press } = makeSession();
    press("42#", 20);
    await session.execute("read", "1 4 silence_stream://100 my_var 1000 #");
    expect(await session.getVariable("my_var")).toBe("42");
  });
});

describe("call log", () => {
  it("records node, method, args and result; masks digits when sensitive_dtmf is set", async () => {
    const { session, trace, press } = makeSession();
    await session.setVariable("ivr_node", "ask_pin");
    await session.setVariable("sensitive_dtmf", "true");
    press("1234", 10);
    expect(await session.getDigits(4, "#", 1000)).toBe("1234");
    await session.setVariable("pin", "1234");
    const g = trace.find((r) => r.method === "getDigits")!;
    expect(g).toMatchObject({ node: "ask_pin", args: [4, "#", 1000], result: "***" });
    expect(trace.find((r) => r.method === "setVariable" && r.args[0] === "pin")!.args).toEqual(["pin", "***"]);
    // Later reads of that variable stay masked, after sensitive_dtmf is switched off.
    await session.setVariable("sensitive_dtmf", undefined);
    expect(await session.getVariable("pin")).toBe("1234");
    expect(trace.filter((r) => r.method === "getVariable" && r.args[0] === "pin").map((r) => r.result)).toEqual(["***"]);
    await session.getVariable("caller_id_number");
    expect(trace[trace.length - 1].result).toBe("sipp");
  });
});

describe("helpers", () => {
  it("separateString groups single quotes and honours backslashes", () => {
    expect(separateString("ivr.lua a 'two words' c\\ d")).toEqual(["ivr.lua", "a", "two words", "c d"]);
  });
  it("expandVariables replaces ${x} and $${g}", () => {
    expect(expandVariables("${a}-$${g}-${missing}", (n) => (n === "a" ? "1" : undefined), () => "G")).toBe("1-G-");
  });
});
