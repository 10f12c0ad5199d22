// Prompt files for the benchmarks: 8 kHz 16-bit mono WAVs (tones and "music" chords).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { wavHeader } from "../../runtime/media/wav";

function wav(file: string, seconds: number, freqs: number[]): void {
  const n = Math.round(8000 * seconds);
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const f of freqs) v += Math.sin((2 * Math.PI * f * i) / 8000);
    pcm.writeInt16LE(Math.round((6000 * v) / freqs.length), i * 2);
  }
  writeFileSync(file, Buffer.concat([wavHeader(8000, pcm.length), pcm]));
}

/** prompt.wav (10.0 s, the load bench's prompt), menu.wav (2 s), hold.wav (30 s) and short.wav (0.3 s) in dir. */
export function writeBenchPrompts(dir: string): void {
  mkdirSync(dir, { recursive: true });
  wav(path.join(dir, "prompt.wav"), 10, [349, 440, 523]);
  wav(path.join(dir, "menu.wav"), 2, [440]);
  wav(path.join(dir, "hold.wav"), 30, [262, 330, 392]);
  wav(path.join(dir, "short.wav"), 0.3, [440]);
}
