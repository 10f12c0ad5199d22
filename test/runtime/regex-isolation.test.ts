// A script's regex cannot stall other calls (runtime/safe-regex.ts). "^(1+)+$" against sixty ones
// and a non-one takes ~2^60 steps on a backtracking engine: before RE2 it froze the SIP thread for
// good, so neither call below would ever have been answered. Now both end normally, side by side.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIvr, type IvrFixture } from "./support/ivr-fixture";
import { explain, hasSipp, sipp } from "./support/sipp";
import { writeScenario, type Step } from "./support/uac-scenario";

let ivr: IvrFixture;

beforeAll(async () => {
  ivr = await startIvr({ routes: { "8300": "regex-evil.lua", "8301": "regex-evil.ts", "8310": "steady-audio.ts" }, rtpPorts: [44700, 44739] });
});
afterAll(async () => {
  await ivr?.stop();
});

/** Server log lines without the trailing newline consoleLog keeps. */
const logged = () => ivr.lines.map((l) => l.trimEnd());

/** Sixty 1s, a 2 and # as SIP INFO digits. */
const EVIL_KEYS: Step[] = [{ pause: 200 }, ...[..."1".repeat(60), "2", "#"].map((k) => ({ info: k, durationMs: 40 }))];

/** The evil call (the IVR hangs up) beside a steady call (the caller hangs up after 1.5 s). */
async function evilBeside(number: string) {
  const [evil, steady] = await Promise.all([
    sipp(writeScenario(ivr.dir, `evil-${number}`, { steps: EVIL_KEYS, hangup: "ivr" }), ivr.port, number, [], 20_000),
    sipp(writeScenario(ivr.dir, `steady-${number}`, { steps: [{ pause: 1500 }] }), ivr.port, "8310", [], 20_000),
  ]);
  expect(evil.code, explain(evil)).toBe(0);
  expect(steady.code, explain(steady)).toBe(0);
}

describe.skipIf(!hasSipp)("a script's catastrophic regex does not stall other calls", () => {
  it("Lua: the regex API and playAndGetDigits answer at once; a backreference is refused in the log", async () => {
    await evilBeside("8300");
    const evil = await ivr.callTo("8300");
    expect(evil.results("playAndGetDigits")).toEqual([""]);
    expect(evil.end.cause).toBe("NORMAL_CLEARING");
    expect(logged()).toContain("info api regex: false");
    expect(logged()).toContain("info api regex backreference: -ERR");
    expect(ivr.lines.some((l) => l.startsWith("err COMPILE ERROR: [(a)\\1]: backreferences"))).toBe(true);
    expect(logged()).toContain(`info lua pagd: '' invalid ${"1".repeat(60)}2`);
  }, 30_000);

  it("TS: playAndGetDigits with ^(1+)+$ answers at once", async () => {
    await evilBeside("8301");
    const evil = await ivr.callTo("8301");
    expect(evil.results("playAndGetDigits")).toEqual([""]);
    expect(evil.end.cause).toBe("NORMAL_CLEARING");
    expect(logged()).toContain(`info ts pagd: '' invalid ${"1".repeat(60)}2`);
    expect((await ivr.callTo("8310")).end.cause).toBe("NORMAL_CLEARING");
  }, 30_000);
});
