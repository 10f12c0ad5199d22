// The prompt library's audio work, with fluent-ffmpeg over Debian's ffmpeg: probe an upload,
// transcode it to the library's 8 and 16 kHz mono 16-bit WAVs (optionally trimming silence at
// both ends and normalising loudness), and read peaks for a waveform picture.
import { readFile } from "node:fs/promises";
import ffmpeg from "fluent-ffmpeg";
import { readWav } from "../../../../runtime/media/wav";

export interface Probe {
  /** "mp3", "ogg/opus", "wav/pcm_s16le"... */
  format: string;
  durationMs: number;
  sampleRate: number;
  channels: number;
  codec: string;
}

export class AudioError extends Error {}

/** ffprobe: undefined when the file has no audio stream ffmpeg can read. */
export function probeAudio(file: string): Promise<Probe | undefined> {
  return new Promise((resolve) => {
    ffmpeg.ffprobe(file, (err, data) => {
      if (err || !data) return resolve(undefined);
      const stream = data.streams.find((s) => s.codec_type === "audio");
      if (!stream) return resolve(undefined);
      const container = String(data.format.format_name ?? "").split(",")[0];
      const codec = String(stream.codec_name ?? "");
      const seconds = Number(data.format.duration ?? stream.duration);
      resolve({
        format: container === codec ? codec : `${container}/${codec}`,
        durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0,
        sampleRate: Number(stream.sample_rate ?? 0),
        channels: Number(stream.channels ?? 0),
        codec,
      });
    });
  });
}

export interface TranscodeOptions {
  /** Cut silence at the start and the end. */
  trim?: boolean;
  /** EBU R128 loudness normalisation (-16 LUFS, as telephony prompts are usually mastered). */
  normalize?: boolean;
  timeoutSec?: number;
}

/** One ffmpeg run writing every output (rate -> file), mono 16-bit PCM WAV. */
export function transcodeTo(input: string, outputs: Array<{ rate: number; file: string }>, o: TranscodeOptions = {}): Promise<void> {
  const filters: string[] = [];
  if (o.trim) {
    filters.push(
      "silenceremove=start_periods=1:start_silence=0.05:start_threshold=-50dB",
      "areverse",
      "silenceremove=start_periods=1:start_silence=0.1:start_threshold=-50dB",
      "areverse",
    );
  }
  if (o.normalize) filters.push("loudnorm=I=-16:TP=-1.5:LRA=11");
  return new Promise((resolve, reject) => {
    const cmd = ffmpeg(input, { timeout: o.timeoutSec ?? 120 }).on("error", (e: Error) => reject(new AudioError(e.message.split("\n")[0])));
    for (const out of outputs) {
      cmd.output(out.file).noVideo().audioChannels(1).audioFrequency(out.rate).audioCodec("pcm_s16le").format("wav");
      if (filters.length) cmd.audioFilters(filters);
      cmd.outputOptions(["-map_metadata", "-1", "-bitexact"]);
    }
    cmd.on("end", () => resolve()).run();
  });
}

/** Peak levels (0..1) of a mono 16-bit WAV in `points` equal slices: the waveform picture. */
export async function wavPeaks(file: string, points: number): Promise<number[]> {
  const r = readWav(await readFile(file));
  if (!r.ok || !r.samples) throw new AudioError(r.ok ? "unexpected WAV layout" : r.reason);
  const s = r.samples;
  const n = Math.max(1, Math.min(points, s.length || 1));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let peak = 0;
    for (let j = Math.floor((i * s.length) / n), end = Math.floor(((i + 1) * s.length) / n); j < end; j++) peak = Math.max(peak, Math.abs(s[j]));
    out.push(Math.round((peak / 32768) * 1000) / 1000);
  }
  return out;
}
