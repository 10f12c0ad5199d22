import { describe, expect, it } from "vitest";
import {
  alawToLinear,
  decodeG711,
  encodeG711,
  linearToAlaw,
  linearToUlaw,
  ulawToLinear,
} from "../../runtime/media/g711";
import { ffmpeg, int16ToS16le, s16leToInt16 } from "./support/tools";

describe("G.711 reference points (ITU-T G.711 tables, spandsp formulas)", () => {
  it("mu-law encodes known values", () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToUlaw(-1)).toBe(0x7f);
    expect(linearToUlaw(32767)).toBe(0x80);
    expect(linearToUlaw(-32768)).toBe(0x00);
    expect(linearToUlaw(1000)).toBe(0xce);
    expect(linearToUlaw(-1000)).toBe(0x4e);
  });
  it("mu-law decodes known values", () => {
    expect(ulawToLinear(0xff)).toBe(0);
    expect(ulawToLinear(0x7f)).toBe(0);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(ulawToLinear(0x00)).toBe(-32124);
    expect(ulawToLinear(0xce)).toBe(988);
    expect(ulawToLinear(0xfe)).toBe(8);
  });
  it("A-law encodes and decodes known values", () => {
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32256);
    expect(alawToLinear(0x2a)).toBe(-32256);
  });
});

describe("G.711 properties", () => {
  it("decode then encode gives the same code (except mu-law's negative zero)", () => {
    for (let b = 0; b < 256; b++) {
      expect(linearToAlaw(alawToLinear(b))).toBe(b);
      if (b !== 0x7f) expect(linearToUlaw(ulawToLinear(b))).toBe(b);
    }
  });

  it("round-trip error is at most half a quantisation step (ITU decision intervals)", () => {
    const ulawStep = (code: number) => 8 << ((~code & 0x70) >> 4);
    const alawStep = (code: number) => {
      const seg = ((code ^ 0x55) & 0x70) >> 4;
      return seg === 0 ? 16 : 16 << (seg - 1);
    };
    for (let s = -32768; s < 32768; s++) {
      const u = linearToUlaw(s);
      const a = linearToAlaw(s);
      // mu-law clips above 32635 (its largest code decodes to 32124).
      if (Math.abs(s) <= 32635) expect(Math.abs(ulawToLinear(u) - s)).toBeLessThanOrEqual(ulawStep(u) / 2);
      expect(Math.abs(alawToLinear(a) - s)).toBeLessThanOrEqual(alawStep(a) / 2);
    }
  });

  it("monotonic: a bigger sample never decodes smaller", () => {
    let prevU = -Infinity;
    let prevA = -Infinity;
    for (let s = -32768; s < 32768; s++) {
      const u = ulawToLinear(linearToUlaw(s));
      const a = alawToLinear(linearToAlaw(s));
      expect(u >= prevU).toBe(true);
      expect(a >= prevA).toBe(true);
      prevU = u;
      prevA = a;
    }
  });

  it("array encode/decode matches the scalar functions and honours output buffers", () => {
    const pcm = Int16Array.from([0, 1, -1, 1234, -1234, 32767, -32768]);
    const mu = encodeG711("PCMU", pcm);
    expect(Array.from(mu)).toEqual(Array.from(pcm, linearToUlaw));
    const out = new Int16Array(16);
    const dec = decodeG711("PCMA", encodeG711("PCMA", pcm), out);
    expect(dec.length).toBe(pcm.length);
    expect(dec.buffer).toBe(out.buffer);
    expect(() => encodeG711("PCMU", pcm, new Uint8Array(2))).toThrow(RangeError);
  });
});

describe("G.711 against ffmpeg's codecs", () => {
  it("decodes all 256 codes exactly like ffmpeg (pcm_mulaw, pcm_alaw)", () => {
    const codes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const u = s16leToInt16(ffmpeg(["-f", "mulaw", "-ar", "8000", "-ac", "1", "-i", "pipe:0", "-f", "s16le", "pipe:1"], codes));
    const a = s16leToInt16(ffmpeg(["-f", "alaw", "-ar", "8000", "-ac", "1", "-i", "pipe:0", "-f", "s16le", "pipe:1"], codes));
    expect(Array.from(decodeG711("PCMU", codes))).toEqual(Array.from(u));
    expect(Array.from(decodeG711("PCMA", codes))).toEqual(Array.from(a));
  });

  it("encodes like ffmpeg except near decision thresholds (ffmpeg rounds to the nearest level, ITU truncates)", () => {
    const pcm = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
    const raw = int16ToS16le(pcm);
    const u = ffmpeg(["-f", "s16le", "-ar", "8000", "-ac", "1", "-i", "pipe:0", "-f", "mulaw", "pipe:1"], raw);
    const a = ffmpeg(["-f", "s16le", "-ar", "8000", "-ac", "1", "-i", "pipe:0", "-f", "alaw", "pipe:1"], raw);
    const ours = { u: encodeG711("PCMU", pcm), a: encodeG711("PCMA", pcm) };
    let diffs = 0;
    for (let i = 0; i < 65536; i++) {
      for (const [mine, theirs, dec] of [
        [ours.u[i], u[i], ulawToLinear],
        [ours.a[i], a[i], alawToLinear],
      ] as const) {
        if (mine === theirs) continue;
        diffs++;
        // Adjacent quantisation levels only: the decoded values are neighbours around the sample.
        const s = pcm[i];
        expect(Math.abs(dec(mine) - s)).toBeLessThanOrEqual(1024);
        expect(Math.abs(dec(theirs) - s)).toBeLessThanOrEqual(1024);
      }
    }
    expect(diffs).toBeGreaterThan(0);
    expect(diffs).toBeLessThan(2 * 65536 * 0.02);
  });
});
