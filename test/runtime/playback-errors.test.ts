// A playback that fails says why in the call log (the CallEvent's `error`): not found, transcode
// failed (ffmpeg cannot read it), invalid source; a file_string that skipped a part says so.
// Over real SIP with SIPp as the caller; `say` finds its files in FreeSWITCH's rate folders.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIvr, type IvrFixture } from "./support/ivr-fixture";
import { explain, hasSipp, sipp } from "./support/sipp";
import { writeScenario } from "./support/uac-scenario";

let ivr: IvrFixture;
beforeAll(async () => {
  ivr = await startIvr({
    rtpPorts: [45300, 45399],
    prompts: ["ok.wav", "digits/8000/20.wav", "digits/8000/1.wav"],
    routes: { "3100": "playback-errors.ts" },
  });
  writeFileSync(path.join(ivr.dir, "sounds", "corrupt.wav"), "RIFF this is not audio at all".repeat(20));
});
afterAll(async () => {
  await ivr?.stop();
});

describe.skipIf(!hasSipp)("playback failures in the call log", () => {
  it("records why each playback failed on its event", async () => {
    const r = await sipp(writeScenario(ivr.dir, "errors", { hangup: "ivr" }), ivr.port, "3100");
    expect(r.code, explain(r)).toBe(0);
    const call = await ivr.callTo("3100");
    const byArgs = (method: string, arg0: unknown) => call.methods.find((m) => m.method === method && m.args[0] === arg0);

    const missing = byArgs("streamFile", "missing.wav");
    expect(missing?.result).toBe(0);
    expect(missing?.error).toMatch(/^not found: missing\.wav \(no such file: .*missing\.wav\)$/);

    const corrupt = byArgs("streamFile", "corrupt.wav");
    expect(corrupt?.result).toBe(0);
    expect(corrupt?.error).toMatch(/^transcode failed: corrupt\.wav \(ffmpeg could not convert /);

    const tone = byArgs("streamFile", "tone_stream://%(100,0)");
    expect(tone?.result).toBe(0);
    expect(tone?.error).toMatch(/^invalid source: tone_stream:\/\/%\(100,0\) \(.*frequency/);

    const partial = byArgs("streamFile", "file_string://gone.wav!ok.wav");
    expect(partial?.result).toBe(1);
    expect(partial?.error).toMatch(/^not found: file_string:\/\/gone\.wav!ok\.wav \(skipped: no such file: .*gone\.wav\)$/);

    const said = byArgs("say", "21");
    expect(said).toBeDefined();
    expect(said?.error).toBeUndefined();

    const menu = call.methods.find((m) => m.method === "playAndGetDigits");
    expect(menu?.error).toMatch(/^not found: missing-menu\.wav/);

    for (const m of call.methods.filter((x) => ["answer", "hangup"].includes(x.method))) expect(m.error).toBeUndefined();
  });
});
