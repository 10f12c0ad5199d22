// Test audio for SIPp's rtp_stream: A-law WAV files (format 6, 8 kHz mono) with DTMF digits
// or a steady tone, generated here so the test knows exactly what was sent.
import { writeFileSync } from "node:fs";
import { encodeG711 } from "../../../runtime/media/g711";

const ROWS: Record<string, number> = { "1": 697, "2": 697, "3": 697, A: 697, "4": 770, "5": 770, "6": 770, B: 770, "7": 852, "8": 852, "9": 852, C: 852, "*": 941, "0": 941, "#": 941, D: 941 };
const COLS: Record<string, number> = { "1": 1209, "4": 1209, "7": 1209, "*": 1209, "2": 1336, "5": 1336, "8": 1336, "0": 1336, "3": 1477, "6": 1477, "9": 1477, "#": 1477, A: 1633, B: 1633, C: 1633, D: 1633 };

function sines(freqs: number[], ms: number, amplitude: number): Int16Array {
  const n = Math.round(ms * 8);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const f of freqs) v += Math.sin((2 * Math.PI * f * i) / 8000);
    out[i] = Math.round(v * amplitude);
  }
  return out;
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function alawWav(pcm: Int16Array): Buffer {
  const data = Buffer.from(encodeG711("PCMA", pcm));
  const h = Buffer.alloc(44);
  h.write("RIFF", 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write("WAVE", 8);
  h.write("fmt ", 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(6, 20); // WAVE_FORMAT_ALAW
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(8000, 28);
  h.writeUInt16LE(1, 32);
  h.writeUInt16LE(8, 34);
  h.write("data", 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** Leading silence, then each digit as a 120 ms dual tone (-10 dBm0-ish) with 200 ms gaps. */
export function writeDtmfWav(file: string, digits: string, { leadMs = 300, toneMs = 120, gapMs = 200 } = {}): number {
  const parts = [sines([], leadMs, 0)];
  for (const d of digits) {
    const row = ROWS[d.toUpperCase()];
    const col = COLS[d.toUpperCase()];
    if (!row || !col) throw new Error(`not a DTMF digit: ${d}`);
    parts.push(sines([row, col], toneMs, 5000), sines([], gapMs, 0));
  }
  const pcm = concat(parts);
  writeFileSync(file, alawWav(pcm));
  return pcm.length / 8;
}

/** A steady sine tone; returns its length in ms. */
export function writeToneWav(file: string, freq: number, ms: number, amplitude = 8000): number {
  const pcm = sines([freq], ms, amplitude);
  writeFileSync(file, alawWav(pcm));
  return ms;
}
