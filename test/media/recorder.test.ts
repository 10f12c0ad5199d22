import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { frameEnergy, Recorder, type RecordResult } from "../../runtime/media/recorder";
import { readWav, WavWriter } from "../../runtime/media/wav";
import { ffprobe, makeTempDir } from "./support/tools";

const FRAME = 160;
const loud = (amp = 2000) => Int16Array.from({ length: FRAME }, (_, i) => (i % 2 ? amp : -amp));
const quiet = () => new Int16Array(FRAME).fill(10);

/** Feeds frames from `make(i)` until the recorder ends or maxFrames; returns the result and frame count. */
function drive(rec: Recorder, make: (i: number) => Int16Array, maxFrames = 10_000): { result?: RecordResult; frames: number } {
  for (let i = 0; i < maxFrames; i++) {
    const r = rec.processInput(make(i));
    if (r) return { result: r, frames: i + 1 };
  }
  return { frames: maxFrames };
}

class Sink {
  samples: number[] = [];
  write(pcm: Int16Array) {
    this.samples.push(...pcm);
  }
}

describe("frameEnergy", () => {
  it("is the mean absolute sample value", () => {
    expect(frameEnergy(loud(2000))).toBe(2000);
    expect(frameEnergy(Int16Array.from([100, -300, 0, 200]))).toBe(150);
    expect(frameEnergy(new Int16Array(0))).toBe(0);
  });
});

describe("Recorder", () => {
  it("ends at the time limit with exactly max_len seconds recorded (return 1)", () => {
    const sink = new Sink();
    const rec = new Recorder(sink, { maxLenSecs: 2 });
    const { result, frames } = drive(rec, () => loud());
    expect(frames).toBe(100);
    expect(result).toEqual({ reason: "time-limit", returnValue: 1, recordSamples: 16000, recordMs: 2000, recordSeconds: 2, silenceHitsExhausted: false });
    expect(sink.samples.length).toBe(16000);
    expect(rec.processInput(loud())).toBeUndefined(); // ended: ignores further audio
    expect(sink.samples.length).toBe(16000);
  });

  it("ends after silence_secs of continuous silence and sets silence_hits_exhausted", () => {
    const rec = new Recorder(undefined, { silenceThreshold: 200, silenceSecs: 1 });
    // 1 s talking, 0.5 s pause, 0.5 s talking, then silence
    const { result, frames } = drive(rec, (i) => (i < 50 || (i >= 75 && i < 100) ? loud() : quiet()));
    expect(frames).toBe(100 + 50);
    expect(result).toMatchObject({ reason: "silence", returnValue: 1, silenceHitsExhausted: true, recordMs: 3000 });
  });

  it("uses 3 seconds of silence when a threshold is given without seconds", () => {
    const { frames } = drive(new Recorder(undefined, { silenceThreshold: 500 }), () => quiet());
    expect(frames).toBe(150);
  });

  it("no threshold: silence never ends it; no limit: it runs until stopped", () => {
    const rec = new Recorder(undefined, {});
    expect(drive(rec, () => quiet(), 1000).result).toBeUndefined();
    expect(rec.stop("stopped")).toMatchObject({ reason: "stopped", returnValue: 1, recordMs: 20_000, recordSeconds: 20 });
    expect(rec.stop("hangup").reason).toBe("stopped"); // the first end wins
  });

  it("hangup and break return 0", () => {
    const a = new Recorder(undefined, { maxLenSecs: 10 });
    drive(a, () => loud(), 25);
    expect(a.stop("hangup")).toMatchObject({ reason: "hangup", returnValue: 0, recordMs: 500 });
    const b = new Recorder(undefined, {});
    expect(b.stop("break")).toMatchObject({ returnValue: 0, recordSamples: 0 });
  });

  it("restartTimeLimit (record_restart_limit_on_dtmf) gives a fresh max_len", () => {
    const rec = new Recorder(undefined, { maxLenSecs: 1 });
    drive(rec, () => loud(), 40);
    rec.restartTimeLimit();
    const { frames, result } = drive(rec, () => loud());
    expect(frames).toBe(50);
    expect(result?.recordMs).toBe(1800);
  });

  it("writes a WAV whose content and length match what was recorded", async () => {
    const tmp = makeTempDir();
    try {
      const path = join(tmp.dir, "msg.wav");
      const writer = await WavWriter.open(path);
      const rec = new Recorder(writer, { maxLenSecs: 1.5 });
      const { result } = drive(rec, (i) => loud(100 + i));
      await writer.close();
      expect(result?.recordSamples).toBe(12000);
      expect(ffprobe(path).durationSec).toBeCloseTo(1.5, 2);
      const r = readWav(readFileSync(path));
      expect(r.ok && r.samples![FRAME * 10 + 1]).toBe(110);
    } finally {
      tmp.cleanup();
    }
  });
});
