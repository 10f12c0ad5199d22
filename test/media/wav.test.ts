import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isPcm16Mono, readWav, WavWriter, wavHeader } from "../../runtime/media/wav";
import { ffmpeg, ffprobe, makeTempDir, s16leToInt16 } from "./support/tools";

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

function ramp(n: number, start = 0): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => ((start + i) * 37) % 30000 - 15000);
}

describe("readWav", () => {
  it("reads ffmpeg's 16-bit mono wav (with a LIST chunk) sample for sample", () => {
    const f = join(tmp.dir, "sine.wav");
    ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=0.5", "-ac", "1", "-c:a", "pcm_s16le", f]);
    const raw = s16leToInt16(ffmpeg(["-i", f, "-f", "s16le", "pipe:1"]));
    const r = readWav(readFileSync(f));
    if (!r.ok) throw new Error(r.reason);
    expect(r.info).toMatchObject({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 });
    expect(isPcm16Mono(r.info, 8000)).toBe(true);
    expect(r.samples!.length).toBe(4000);
    expect(Array.from(r.samples!)).toEqual(Array.from(raw));
  });

  it("describes but does not decode other layouts (stereo 44.1 kHz, mu-law)", () => {
    const st = join(tmp.dir, "stereo.wav");
    ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=0.2", "-ac", "2", st]);
    const r = readWav(readFileSync(st));
    expect(r.ok && r.info.channels === 2 && r.info.sampleRate === 44100 && r.samples === undefined).toBe(true);
    const mu = join(tmp.dir, "mulaw.wav");
    ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=0.2", "-c:a", "pcm_mulaw", mu]);
    const m = readWav(readFileSync(mu));
    expect(m.ok && m.info.formatTag === 7 && m.info.bitsPerSample === 8).toBe(true);
  });

  it("copes with cut files and rejects garbage without throwing", () => {
    const whole = Buffer.concat([wavHeader(8000, 2000), Buffer.alloc(2000, 1)]);
    const cut = whole.subarray(0, 44 + 1001);
    const r = readWav(cut);
    expect(r.ok && r.samples!.length === 500).toBe(true);
    expect(readWav(Buffer.from("hello world, not a wav")).ok).toBe(false);
    expect(readWav(Buffer.alloc(0)).ok).toBe(false);
    expect(readWav(whole.subarray(0, 30)).ok).toBe(false);
    const noData = Buffer.from(whole.subarray(0, 36));
    expect(readWav(noData)).toEqual({ ok: false, reason: "no data chunk" });
  });
});

describe("WavWriter", () => {
  it("writes a file ffprobe and readWav agree on", async () => {
    const f = join(tmp.dir, "rec.wav");
    const w = await WavWriter.open(f);
    const audio = ramp(12000);
    for (let i = 0; i < audio.length; i += 160) w.write(audio.subarray(i, i + 160));
    await w.close();
    await w.close();
    const p = ffprobe(f);
    expect(p).toMatchObject({ sampleRate: 8000, channels: 1, codec: "pcm_s16le" });
    expect(p.durationSec).toBeCloseTo(1.5, 2);
    const r = readWav(readFileSync(f));
    expect(r.ok && Array.from(r.samples!)).toEqual(Array.from(audio));
    expect(() => w.write(audio)).toThrow(/after close/);
  });

  it("is valid after a crash: the header covers everything flushed (auto flush every second)", async () => {
    const f = join(tmp.dir, "crash.wav");
    const w = await WavWriter.open(f, { flushEveryMs: 1000 });
    // 2.5 s in 20 ms frames; the auto flushes at 1 s and 2 s reach the disk, the last 0.5 s does not.
    for (let i = 0; i < 125; i++) w.write(ramp(160, i * 160));
    await w.settled(); // the background flushes have landed
    expect(w.flushedSamples).toBe(16000);
    // "crash": read the file as it is, the writer never closed
    const snapshot = join(tmp.dir, "crash-copy.wav");
    writeFileSync(snapshot, readFileSync(f));
    const p = ffprobe(snapshot);
    expect(p.sampleRate).toBe(8000);
    expect(p.durationSec).toBeCloseTo(2.0, 2);
    const r = readWav(readFileSync(snapshot));
    expect(r.ok && r.samples!.length).toBe(16000);
    await w.close();
    expect(ffprobe(f).durationSec).toBeCloseTo(2.5, 2);
  });

  it("reports an unwritable path as a rejected open", async () => {
    await expect(WavWriter.open(join(tmp.dir, "no/such/dir/x.wav"))).rejects.toThrow();
  });
});
