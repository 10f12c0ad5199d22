import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { dtmfFrequencies, GoertzelDtmfDetector, tonePower } from "../../runtime/media/dtmf-goertzel";
import { addNoise, concat, dbm0ToAmplitude, silence, tones, toInt16 } from "./support/signals";
import { ffmpeg, makeTempDir, run, s16leToInt16 } from "./support/tools";

const ALL = "0123456789*#ABCD";

function dtmf(digit: string, ms: number, opts: { devPct?: number; rowDbm0?: number; colDbm0?: number; phase?: number } = {}): Float64Array {
  const [r, c] = dtmfFrequencies(digit)!;
  const k = 1 + (opts.devPct ?? 0) / 100;
  return tones(
    [
      { freq: r * k, amplitude: dbm0ToAmplitude(opts.rowDbm0 ?? -10) },
      { freq: c * k, amplitude: dbm0ToAmplitude(opts.colDbm0 ?? -10) },
    ],
    ms,
    8000,
    opts.phase ?? 0,
  );
}

/** All 16 digits, each `ms` long, separated by `pauseMs` of silence, starting at an odd offset. */
function sequence(ms: number, pauseMs: number, opts: Parameters<typeof dtmf>[2] = {}, lead = 37): Float64Array {
  return concat(silence(lead), ...Array.from(ALL, (d) => concat(dtmf(d, ms, opts), silence(pauseMs))));
}

function detect(signal: Float64Array | Int16Array, chunk = 160): string {
  const pcm = signal instanceof Int16Array ? signal : toInt16(signal);
  const det = new GoertzelDtmfDetector();
  const digits: string[] = [];
  for (let i = 0; i < pcm.length; i += chunk) digits.push(...det.processInput(pcm.subarray(i, i + chunk)).map((e) => e.digit));
  digits.push(...det.flush().map((e) => e.digit));
  return digits.join("");
}

describe("Goertzel DTMF detector on generated tones", () => {
  it("detects all 16 digits, clean, 100 ms tones", () => {
    expect(detect(sequence(100, 60))).toBe(ALL);
  });

  it("detects all 16 digits at the 40 ms minimum duration and 40 ms pauses, for any alignment", () => {
    for (const lead of [0, 13, 37, 51, 77, 101]) expect(detect(sequence(40, 40, {}, lead)), `lead ${lead}`).toBe(ALL);
  });

  for (const snr of [20, 15, 12]) {
    it(`detects all 16 digits in white noise at ${snr} dB SNR (3 noise seeds)`, () => {
      for (const seed of [1, 2, 3]) expect(detect(addNoise(sequence(40, 40), snr, seed))).toBe(ALL);
    });
  }

  for (const dev of [-1.5, 1.5]) {
    it(`accepts frequencies off by ${dev}% (with 15 dB SNR)`, () => {
      expect(detect(addNoise(sequence(60, 50, { devPct: dev }), 15, 7))).toBe(ALL);
    });
  }

  for (const dev of [-3.5, 3.5]) {
    it(`rejects frequencies off by ${dev}% (ITU-T Q.24 must-reject)`, () => {
      expect(detect(sequence(100, 50, { devPct: dev }))).toBe("");
    });
  }

  it("twist: accepts 6 dB normal and 3 dB reverse, rejects 12 dB normal and 8 dB reverse", () => {
    expect(detect(sequence(60, 50, { rowDbm0: -8, colDbm0: -14 }))).toBe(ALL);
    expect(detect(sequence(60, 50, { rowDbm0: -13, colDbm0: -10 }))).toBe(ALL);
    expect(detect(sequence(60, 50, { rowDbm0: -6, colDbm0: -18 }))).toBe("");
    expect(detect(sequence(60, 50, { rowDbm0: -18, colDbm0: -10 }))).toBe("");
  });

  it("level: -30 dBm0 per tone detected, -45 dBm0 ignored", () => {
    expect(detect(sequence(60, 50, { rowDbm0: -30, colDbm0: -30 }))).toBe(ALL);
    expect(detect(sequence(60, 50, { rowDbm0: -45, colDbm0: -45 }))).toBe("");
  });

  it("rejects 20 ms blips, whatever the alignment", () => {
    for (const lead of [0, 25, 50, 75]) expect(detect(sequence(20, 60, {}, lead))).toBe("");
  });

  it("single-tone (only a row or only a column) is not a digit", () => {
    const rowOnly = tones([{ freq: 770, amplitude: dbm0ToAmplitude(-6) }], 300);
    const colOnly = tones([{ freq: 1477, amplitude: dbm0ToAmplitude(-6) }], 300);
    expect(detect(concat(rowOnly, silence(50), colOnly))).toBe("");
  });

  it("the same digit twice: two digits after a 40 ms pause, one digit across a 5 ms drop-out", () => {
    expect(detect(concat(dtmf("5", 80), silence(40), dtmf("5", 80), silence(60)))).toBe("55");
    expect(detect(concat(dtmf("5", 80), silence(5), dtmf("5", 80), silence(60)))).toBe("5");
  });

  it("reports durations and start positions close to the truth, independent of chunking", () => {
    const signal = toInt16(concat(silence(200), dtmf("9", 120), silence(100), dtmf("#", 300), silence(100)));
    let first: unknown;
    for (const chunk of [1, 77, 160, 4096]) {
      const det = new GoertzelDtmfDetector();
      const ev = [];
      for (let i = 0; i < signal.length; i += chunk) ev.push(...det.processInput(signal.subarray(i, i + chunk)));
      expect(ev.map((e) => e.digit)).toEqual(["9", "#"]);
      expect(Math.abs(ev[0].durationMs - 120)).toBeLessThanOrEqual(15);
      expect(Math.abs(ev[1].durationMs - 300)).toBeLessThanOrEqual(15);
      expect(Math.abs(ev[0].startSample - 1600)).toBeLessThanOrEqual(102);
      expect(Math.abs(ev[0].durationSamples - ev[0].durationMs * 8)).toBeLessThanOrEqual(4);
      first ??= ev;
      expect(ev).toEqual(first);
    }
  });

  it("silence and low noise give nothing", () => {
    expect(detect(silence(2000))).toBe("");
    expect(detect(addNoise(concat(silence(10), tones([{ freq: 1000, amplitude: 300 }], 2000)), -10, 3))).toBe("");
  });

  it("a held key is reported by flush()", () => {
    const det = new GoertzelDtmfDetector();
    expect(det.processInput(toInt16(dtmf("7", 200)))).toEqual([]);
    expect(det.flush().map((e) => e.digit)).toEqual(["7"]);
    expect(det.flush()).toEqual([]);
  });

  it("tonePower measures a tone's mean power", () => {
    const pcm = toInt16(tones([{ freq: 1000, amplitude: 10000 }], 100));
    expect(tonePower(pcm, 1000) / 50_000_000).toBeCloseTo(1, 1);
    expect(tonePower(pcm, 1400)).toBeLessThan(50_000_000 / 1000);
  });
});

describe("Goertzel DTMF detector on speech (false positives)", () => {
  const speech: Record<string, Int16Array> = {};
  const text =
    "Please enter your account number, followed by the pound key. Your balance is one thousand two hundred and thirty four dollars " +
    "and fifty six cents. Press one for sales, two for support, or nine nine nine for the operator. Call five five five, one two one two.";

  beforeAll(() => {
    const { dir, cleanup } = makeTempDir();
    try {
      for (const voice of ["en", "en-us+f3", "en+m7", "de"]) {
        const wav = join(dir, `${voice}.wav`);
        run("espeak-ng", ["-v", voice, "-w", wav, text]);
        speech[`espeak ${voice}`] = s16leToInt16(ffmpeg(["-i", wav, "-ar", "8000", "-ac", "1", "-f", "s16le", "pipe:1"]));
      }
      const fl = join(dir, "flite.wav");
      run("flite", ["-t", text, "-o", fl]);
      speech.flite = s16leToInt16(readFileSync(fl).subarray(44));
    } finally {
      cleanup();
    }
  });

  it("finds zero digits in ~70 s of synthetic speech with numbers, at normal and 3x gain", () => {
    let seconds = 0;
    for (const [name, pcm] of Object.entries(speech)) {
      seconds += pcm.length / 8000;
      expect(detect(pcm), name).toBe("");
      const loud = Int16Array.from(pcm, (v) => Math.max(-32768, Math.min(32767, v * 3)));
      expect(detect(loud), `${name} x3`).toBe("");
    }
    expect(seconds).toBeGreaterThan(40);
  });

  it("still finds digits mixed into speech", () => {
    const pcm = speech["espeak en"];
    const mixed = new Float64Array(pcm);
    const tone = dtmf("8", 100, { rowDbm0: -6, colDbm0: -6 });
    const at = 8000 * 3;
    for (let i = 0; i < tone.length; i++) mixed[at + i] = tone[i] + pcm[at + i] * 0.1;
    expect(detect(mixed)).toBe("8");
  });
});
