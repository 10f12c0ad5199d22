// The call-log record of a method carries why its playbacks failed; a method run by an input
// callback meanwhile keeps its own failures.
import { describe, expect, it } from "vitest";
import { makeSession } from "./fakes";

describe("playback failures on method records", () => {
  it("streamFile, read and playAndGetDigits record the prompt that could not be played", async () => {
    const { session, trace } = makeSession();
    await session.streamFile("missing-hello.wav");
    await session.read(1, 1, "missing-prompt.wav", 50, "#");
    await session.playAndGetDigits(1, 1, 1, 50, "#", "silence_stream://10", "missing-invalid.wav", "\\d");
    await session.streamFile("silence_stream://10");
    const errors = Object.fromEntries(trace.map((r) => [`${r.method}:${r.args[0]}`, r.error]));
    expect(errors["streamFile:missing-hello.wav"]).toBe("not found: missing-hello.wav (no such file: missing-hello.wav)");
    expect(errors["read:1"]).toBe("not found: missing-prompt.wav (no such file: missing-prompt.wav)");
    expect(errors["playAndGetDigits:1"]).toBe("not found: missing-invalid.wav (no such file: missing-invalid.wav)");
    expect(errors["streamFile:silence_stream://10"]).toBeUndefined();
  });

  it("a method the input callback runs during a playback keeps its own failures", async () => {
    const { session, trace, press } = makeSession();
    await session.setInputCallback(async (s) => {
      await s.streamFile("missing-in-callback.wav");
      return "";
    });
    press("1", 30);
    await session.streamFile("silence_stream://150");
    const outer = trace.find((r) => r.method === "streamFile" && r.args[0] === "silence_stream://150");
    const inner = trace.find((r) => r.method === "streamFile" && r.args[0] === "missing-in-callback.wav");
    expect(inner?.error).toMatch(/^not found: missing-in-callback\.wav/);
    expect(outer?.error).toBeUndefined();
  });
});
