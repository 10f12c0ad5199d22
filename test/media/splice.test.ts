// insertFile's splice with the real ffmpeg: the insert lands at the sample point, the result is
// 8 kHz mono 16-bit WAV over the original, any input format works, and a failure leaves the
// original byte for byte as it was.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { insertFile } from "../../runtime/media/splice";
import { readWav } from "../../runtime/media/wav";
import { ffmpeg, ffprobe, makeTempDir } from "./support/tools";
import { makeSession } from "../session/fakes";

const tmp = makeTempDir("ivr-splice-");
afterAll(() => tmp.cleanup());

const tone = (file: string, hz: number, sec: number, rate = 8000, codec = "pcm_s16le") =>
  ffmpeg(["-f", "lavfi", "-i", `sine=frequency=${hz}:sample_rate=${rate}:duration=${sec}`, "-c:a", codec, file]);

/** Power of `hz` in pcm (Goertzel). */
function power(pcm: Int16Array, hz: number): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / 8000);
  let s1 = 0;
  let s2 = 0;
  for (const x of pcm) {
    const s = x + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

describe("insertFile splice", () => {
  it("puts the insert at the sample point, rewrites orig as 8 kHz mono 16-bit WAV", async () => {
    const orig = path.join(tmp.dir, "orig.wav");
    const ins = path.join(tmp.dir, "insert.mp3");
    tone(orig, 400, 1, 16000);
    tone(ins, 1200, 0.5, 44100, "libmp3lame");
    await insertFile(orig, ins, 4000);
    const p = ffprobe(orig);
    expect(p).toMatchObject({ sampleRate: 8000, channels: 1, codec: "pcm_s16le" });
    expect(p.durationSec).toBeGreaterThan(1.45);
    expect(p.durationSec).toBeLessThan(1.6); // mp3 encoder padding
    const w = readWav(readFileSync(orig));
    if (!w.ok || !w.samples) throw new Error("not a 16-bit mono WAV");
    const before = w.samples.subarray(400, 3600);
    const inserted = w.samples.subarray(4400, 7600);
    const after = w.samples.subarray(w.samples.length - 3600, w.samples.length - 400);
    expect(power(before, 400)).toBeGreaterThan(100 * power(before, 1200));
    expect(power(inserted, 1200)).toBeGreaterThan(100 * power(inserted, 400));
    expect(power(after, 400)).toBeGreaterThan(100 * power(after, 1200));
  });

  it("a sample point past the end appends; an unreadable insert leaves orig untouched", async () => {
    const orig = path.join(tmp.dir, "o2.wav");
    tone(orig, 400, 0.25);
    await insertFile(orig, orig, 10_000_000);
    expect(ffprobe(orig).durationSec).toBeCloseTo(0.5, 2);
    const bytes = readFileSync(orig);
    await expect(insertFile(orig, path.join(tmp.dir, "missing.wav"), 100)).rejects.toThrow(/cannot read/);
    expect(readFileSync(orig).equals(bytes)).toBe(true);
  });
});

describe("session.insertFile", () => {
  it("returns 1 when the media port did it, 0 and a log line when it refused", async () => {
    const { session, media, logs } = makeSession();
    const calls: unknown[][] = [];
    let answer: string | undefined;
    Object.assign(media, { insertFile: async (...a: unknown[]) => (calls.push(a), answer) });
    expect(await session.insertFile("rec/a.wav", "beep.wav", 800)).toBe(1);
    expect(calls).toEqual([["rec/a.wav", "beep.wav", 800]]);
    answer = "insertFile into \"/etc/x.wav\" refused: a flow records only under the recordings folder";
    expect(await session.insertFile("/etc/x.wav", "beep.wav", 0)).toBe(0);
    expect(logs).toContainEqual(["err", answer]);
  });
});
