import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GoertzelDtmfDetector, tonePower } from "../../runtime/media/dtmf-goertzel";
import {
  FramePlayer,
  openSource,
  parseSourceSpec,
  renderToneStream,
  transcodingLoader,
  type PcmLoader,
  type PcmSource,
} from "../../runtime/media/sources";
import { Transcoder } from "../../runtime/media/transcode";
import { ffmpeg, makeTempDir } from "./support/tools";

const FRAME = 160;
const ramp = (n: number, base: number) => Int16Array.from({ length: n }, (_, i) => base + (i % 100));

const files: Record<string, Int16Array> = { "a.wav": ramp(400, 1000), "b.wav": ramp(250, 2000), "short.wav": ramp(10, 3000) };
const fakeLoader: PcmLoader = async (path) =>
  files[path] ? { ok: true, samples: files[path] } : { ok: false, code: "NOTFOUND", reason: `no such file: ${path}`, kind: "notfound" };

async function open(spec: string, startSample?: number): Promise<PcmSource> {
  const r = await openSource(spec, fakeLoader, { startSample });
  if (!r.ok) throw new Error(r.reason);
  return r.source;
}

/** Plays up to maxFrames frames; returns the frames and whether the source ended. */
function play(src: PcmSource, maxFrames = 100_000): { frames: Int16Array[]; player: FramePlayer } {
  const player = new FramePlayer(src);
  const frames: Int16Array[] = [];
  for (let i = 0; i < maxFrames; i++) {
    const f = new Int16Array(FRAME);
    if (!player.nextFrame(f)) break;
    frames.push(f);
  }
  return { frames, player };
}

const joinFrames = (frames: Int16Array[]) => {
  const out = new Int16Array(frames.length * FRAME);
  frames.forEach((f, i) => out.set(f, i * FRAME));
  return out;
};

describe("parseSourceSpec", () => {
  it("recognises the four kinds", () => {
    expect(parseSourceSpec("/tmp/x.wav")).toEqual({ kind: "file", path: "/tmp/x.wav" });
    expect(parseSourceSpec("silence_stream://500")).toEqual({ kind: "silence", samples: 4000 });
    expect(parseSourceSpec("silence_stream://-1")).toEqual({ kind: "silence", samples: undefined });
    expect(parseSourceSpec("silence_stream://")).toEqual({ kind: "silence", samples: undefined });
    expect(parseSourceSpec("silence_stream://250,1400")).toEqual({ kind: "silence", samples: 2000 });
    expect(parseSourceSpec("tone_stream://%(100,0,440)")).toEqual({ kind: "tone", spec: "%(100,0,440)" });
    expect(parseSourceSpec("file_string://a.wav!silence_stream://20!b.wav")).toEqual({
      kind: "sequence",
      parts: [{ kind: "file", path: "a.wav" }, { kind: "silence", samples: 160 }, { kind: "file", path: "b.wav" }],
    });
  });
});

describe("sources, frame by frame", () => {
  it("silence_stream://1000 is exactly 50 frames of zeros", async () => {
    const { frames, player } = play(await open("silence_stream://1000"));
    expect(frames.length).toBe(50);
    expect(frames.every((f) => f.every((s) => s === 0))).toBe(true);
    expect(player.msPlayed).toBe(1000);
    expect(player.done).toBe(true);
  });

  it("silence_stream://30 ends with a zero-padded partial frame", async () => {
    const { frames, player } = play(await open("silence_stream://30"));
    expect(frames.length).toBe(2);
    expect(player.samplesPlayed).toBe(240);
  });

  it("silence_stream with no length is endless until stopped", async () => {
    const { frames, player } = play(await open("silence_stream://0"), 500);
    expect(frames.length).toBe(500);
    expect(player.done).toBe(false);
  });

  it("a file plays all its samples, last frame padded", async () => {
    const { frames, player } = play(await open("a.wav"));
    expect(frames.length).toBe(3);
    const all = joinFrames(frames);
    expect(Array.from(all.subarray(0, 400))).toEqual(Array.from(files["a.wav"]));
    expect(all.subarray(400).every((s) => s === 0)).toBe(true);
    expect(player.samplesPlayed).toBe(400);
  });

  it("start_sample skips into the stream", async () => {
    const { player, frames } = play(await open("a.wav", 100));
    expect(player.samplesPlayed).toBe(300);
    expect(frames[0][0]).toBe(files["a.wav"][100]);
  });

  it("file_string joins parts seamlessly and skips a missing part", async () => {
    const r = await openSource("file_string://a.wav!missing.wav!silence_stream://20!b.wav", fakeLoader);
    if (!r.ok) throw new Error(r.reason);
    expect(r.skipped).toEqual(["no such file: missing.wav"]);
    const { frames, player } = play(r.source);
    expect(player.samplesPlayed).toBe(400 + 160 + 250);
    expect(frames.length).toBe(Math.ceil(810 / FRAME));
    const all = joinFrames(frames);
    expect(Array.from(all.subarray(0, 400))).toEqual(Array.from(files["a.wav"]));
    expect(all.subarray(400, 560).every((s) => s === 0)).toBe(true);
    expect(Array.from(all.subarray(560, 810))).toEqual(Array.from(files["b.wav"]));
  });

  it("NOTFOUND when the file (or every part) is missing", async () => {
    expect(await openSource("nope.wav", fakeLoader)).toMatchObject({ ok: false, code: "NOTFOUND" });
    expect(await openSource("file_string://x.wav!y.wav", fakeLoader)).toMatchObject({ ok: false, code: "NOTFOUND" });
    expect(await openSource("file_string://", fakeLoader)).toMatchObject({ ok: false });
  });
});

describe("tone_stream", () => {
  it("%(1000,0,440) is one second of 440 Hz: 50 frames", async () => {
    const { frames } = play(await open("tone_stream://%(1000,0,440)"));
    expect(frames.length).toBe(50);
    const pcm = joinFrames(frames);
    expect(tonePower(pcm, 440)).toBeGreaterThan(1000 * tonePower(pcm, 620));
  });

  it("on/off cadence with two frequencies, loops=N plays N+1 times", async () => {
    const r = renderToneStream("%(100,100,350,440);loops=2");
    if (!r.ok) throw new Error(r.reason);
    expect(r.samples.length).toBe(1600);
    expect(r.loops).toBe(2);
    const { frames } = play(await open("tone_stream://%(100,100,350,440);loops=2"));
    expect(frames.length).toBe(30); // 3 x 200 ms
    const pcm = joinFrames(frames);
    const on = pcm.subarray(0, 800);
    const off = pcm.subarray(800, 1600);
    expect(tonePower(on, 350)).toBeGreaterThan(100 * tonePower(on, 600));
    expect(tonePower(on, 440)).toBeGreaterThan(100 * tonePower(on, 600));
    expect(off.every((s) => s === 0)).toBe(true);
    expect(tonePower(pcm.subarray(1600, 2400), 440)).toBeCloseTo(tonePower(on, 440), -3);
  });

  it("loops=-1 is endless", async () => {
    const { frames, player } = play(await open("tone_stream://%(50,50,1000);loops=-1"), 400);
    expect(frames.length).toBe(400);
    expect(player.done).toBe(false);
  });

  it("segments separated by ';', L=N repeats the whole spec, l=N the next tone", () => {
    const r1 = renderToneStream("%(100,0,400);%(200,50,800)");
    expect(r1.ok && r1.samples.length).toBe(8 * 350);
    const r2 = renderToneStream("L=3;%(100,0,400);%(200,50,800)");
    expect(r2.ok && r2.samples.length).toBe(3 * 8 * 350);
    const r3 = renderToneStream("l=4;%(100,0,400);%(200,50,800)");
    expect(r3.ok && r3.samples.length).toBe(8 * (400 + 250));
    // v= sets the level: -20 dB is 13 dB quieter than the default -7
    const loud = renderToneStream("%(500,0,1000)");
    const soft = renderToneStream("v=-20;%(500,0,1000)");
    if (!loud.ok || !soft.ok) throw new Error("render");
    const ratioDb = 10 * Math.log10(tonePower(loud.samples, 1000) / tonePower(soft.samples, 1000));
    expect(ratioDb).toBeCloseTo(13, 0);
  });

  it("DTMF keys as characters, with d=/w= or per-key timing, are DTMF our detector hears", async () => {
    const det = new GoertzelDtmfDetector();
    const digits = (spec: string) => {
      const r = renderToneStream(spec);
      if (!r.ok) throw new Error(r.reason);
      return [...det.processInput(r.samples), ...det.flush()].map((e) => e.digit).join("");
    };
    expect(digits("d=100;w=100;1234567890*#ABCD")).toBe("1234567890*#ABCD");
    expect(digits("9(80,60)8(80,60)")).toBe("98");
    const r = renderToneStream("5");
    expect(r.ok && r.samples.length).toBe(2000 + 500); // libteletone defaults: 250 ms on, 62.5 ms off
  });

  it("reports syntax errors and runaway programs", () => {
    expect(renderToneStream("%(100,100)").ok).toBe(false);
    expect(renderToneStream("%(100)").ok).toBe(false);
    expect(renderToneStream("l=-1;%(100,0,440)").ok).toBe(false);
    expect(renderToneStream("L=100000;%(1000,0,440)").ok).toBe(false);
  });
});

describe("file sources through the real transcoder", () => {
  const tmp = makeTempDir();
  afterAll(() => tmp.cleanup());

  it("plays a 44.1 kHz mp3 as 8 kHz frames at the right pitch", async () => {
    const mp3 = join(tmp.dir, "p.mp3");
    ffmpeg(["-f", "lavfi", "-i", "sine=frequency=700:sample_rate=44100:duration=1", "-c:a", "libmp3lame", mp3]);
    const loader = transcodingLoader((p) => new Transcoder({ cacheDir: join(tmp.dir, "c") }).transcode(p));
    const r = await openSource(mp3, loader);
    if (!r.ok) throw new Error(r.reason);
    const { frames } = play(r.source);
    expect(Math.abs(frames.length - 50)).toBeLessThanOrEqual(3); // mp3 adds encoder padding
    const pcm = joinFrames(frames).subarray(800, 7200);
    expect(tonePower(pcm, 700)).toBeGreaterThan(100 * tonePower(pcm, 900));
    expect(await openSource(join(tmp.dir, "missing.mp3"), loader)).toMatchObject({ ok: false, code: "NOTFOUND" });
  });
});
