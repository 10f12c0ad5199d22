import { readFileSync, utimesSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Transcoder } from "../../runtime/media/transcode";
import { readWav } from "../../runtime/media/wav";
import { tonePower } from "../../runtime/media/dtmf-goertzel";
import { ffmpeg, ffprobe, makeTempDir } from "./support/tools";

const tmp = makeTempDir();
const cacheDir = join(tmp.dir, "cache");
const src = (n: string) => join(tmp.dir, n);

beforeAll(() => {
  ffmpeg(["-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100:duration=1.5", "-ac", "2", src("stereo44k.wav")]);
  ffmpeg(["-f", "lavfi", "-i", "sine=frequency=600:sample_rate=22050:duration=2", "-c:a", "libmp3lame", "-b:a", "32k", src("tone.mp3")]);
  ffmpeg(["-f", "lavfi", "-i", "sine=frequency=800:sample_rate=8000:duration=0.5", "-c:a", "pcm_s16le", src("ready8k.wav")]);
  writeFileSync(src("garbage.mp3"), "this is not audio at all");
});
afterAll(() => tmp.cleanup());

function loadPcm(path: string): Int16Array {
  const r = readWav(readFileSync(path));
  if (!r.ok || !r.samples) throw new Error("not 8k mono s16");
  return r.samples;
}

describe("Transcoder", () => {
  it("converts a 44.1 kHz stereo wav to 8 kHz mono s16, keeping duration and pitch", async () => {
    const t = new Transcoder({ cacheDir });
    const r = await t.transcode(src("stereo44k.wav"));
    if (!r.ok) throw new Error(r.reason);
    expect(r.path.startsWith(cacheDir)).toBe(true);
    const p = ffprobe(r.path);
    expect(p).toMatchObject({ sampleRate: 8000, channels: 1, codec: "pcm_s16le" });
    expect(p.durationSec).toBeCloseTo(1.5, 1);
    const pcm = loadPcm(r.path);
    expect(tonePower(pcm, 1000)).toBeGreaterThan(100 * tonePower(pcm, 1200));
  });

  it("converts an mp3", async () => {
    const t = new Transcoder({ cacheDir });
    const r = await t.transcode(src("tone.mp3"));
    if (!r.ok) throw new Error(r.reason);
    const p = ffprobe(r.path);
    expect(p.sampleRate).toBe(8000);
    expect(Math.abs(p.durationSec - 2)).toBeLessThan(0.1);
  });

  it("shares one ffmpeg run between concurrent requests and hits the disk cache afterwards", async () => {
    const t = new Transcoder({ cacheDir: join(tmp.dir, "cache2") });
    const results = await Promise.all(Array.from({ length: 6 }, () => t.transcode(src("stereo44k.wav"))));
    expect(new Set(results.map((r) => (r.ok ? r.path : r.reason))).size).toBe(1);
    expect(t.toJSON().ffmpegRuns).toBe(1);
    const again = await t.transcode(src("stereo44k.wav"));
    expect(again.ok && again.cached).toBe(true);
    // A second transcoder (e.g. after a restart) finds the cached file too.
    const t2 = new Transcoder({ cacheDir: join(tmp.dir, "cache2") });
    expect((await t2.transcode(src("stereo44k.wav"))).ok).toBe(true);
    expect(t2.toJSON()).toMatchObject({ ffmpegRuns: 0, cacheHits: 1 });
    expect(readdirSync(join(tmp.dir, "cache2")).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("re-converts when the source changes (mtime is part of the key)", async () => {
    const t = new Transcoder({ cacheDir: join(tmp.dir, "cache3") });
    const a = await t.transcode(src("tone.mp3"));
    utimesSync(src("tone.mp3"), new Date(), new Date(Date.now() + 5000));
    const b = await t.transcode(src("tone.mp3"));
    expect(a.ok && b.ok && a.path !== b.path).toBe(true);
    expect(t.toJSON().ffmpegRuns).toBe(2);
  });

  it("passes an 8 kHz mono s16 wav through untouched", async () => {
    const t = new Transcoder({ cacheDir });
    const r = await t.transcode(src("ready8k.wav"));
    expect(r).toEqual({ ok: true, path: src("ready8k.wav"), cached: false });
    expect(t.toJSON().ffmpegRuns).toBe(0);
  });

  it("reports NOTFOUND for a missing file and ERROR for an undecodable one", async () => {
    const t = new Transcoder({ cacheDir });
    const missing = await t.transcode(src("nope.wav"));
    expect(missing).toMatchObject({ ok: false, code: "NOTFOUND" });
    expect(await t.transcode(tmp.dir)).toMatchObject({ ok: false, code: "NOTFOUND" });
    const bad = await t.transcode(src("garbage.mp3"));
    expect(bad).toMatchObject({ ok: false, code: "ERROR" });
    if (!bad.ok) expect(bad.reason).toMatch(/garbage\.mp3/);
  });
});
