// Small helpers for media tests: temp dirs and running the real ffmpeg/ffprobe/espeak-ng.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function makeTempDir(prefix = "ivr-media-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function run(cmd: string, args: string[], input?: Buffer): Buffer {
  const r = spawnSync(cmd, args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr?.toString()}`);
  return r.stdout;
}

export function ffmpeg(args: string[], input?: Buffer): Buffer {
  return run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args], input);
}

export interface ProbeInfo {
  durationSec: number;
  sampleRate: number;
  channels: number;
  codec: string;
}

export function ffprobe(file: string): ProbeInfo {
  const out = run("ffprobe", ["-v", "error", "-show_entries", "stream=sample_rate,channels,codec_name:format=duration", "-of", "json", file]);
  const j = JSON.parse(out.toString()) as { streams: { sample_rate: string; channels: number; codec_name: string }[]; format: { duration: string } };
  const s = j.streams[0];
  return { durationSec: Number(j.format.duration), sampleRate: Number(s.sample_rate), channels: s.channels, codec: s.codec_name };
}

/** Raw s16le bytes -> Int16Array (copy, so alignment is never an issue). */
export function s16leToInt16(buf: Buffer): Int16Array {
  const out = new Int16Array(buf.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2);
  return out;
}

export function int16ToS16le(pcm: Int16Array): Buffer {
  const b = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) b.writeInt16LE(pcm[i], i * 2);
  return b;
}
