// Audio sources for playback, as FreeSWITCH's streamFile understands them, producing 8 kHz PCM:
//   /path/file.ext                 a file (through the transcoder cache)
//   silence_stream://MS[,NOISE]    MS of silence; MS <= 0 or missing: endless until stopped
//   tone_stream://SPEC[;loops=N]   libteletone syntax (below); loops=N plays N+1 times, -1 forever
//   file_string://a!b!c            the parts back to back, as one stream
// Sources are pure and pull-based: read(out, offset, count) fills samples and says how many it had.
import { readFile } from "node:fs/promises";
import { g711SilenceByte, type G711Codec } from "./g711";
import { readWav } from "./wav";
import type { LoadFailureKind, TranscodeResult } from "./transcode";

export const SAMPLE_RATE = 8000;

/** A pull source of 8 kHz PCM. read() returns fewer than `count` samples only at its end. */
export interface PcmSource {
  read(out: Int16Array, offset: number, count: number): number;
  /**
   * The same samples already G.711-encoded (one byte each), when the source has them ready (a cached
   * prompt, silence): what a playback copies into packets instead of encoding. Same contract as read().
   */
  readEncoded?(codec: G711Codec, out: Uint8Array, offset: number, count: number): number;
}

/** A prompt's samples encoded to a codec, computed once and cached (see PromptCache). */
export type EncodedSamples = (codec: G711Codec) => Uint8Array;

// --- spec parsing --------------------------------------------------------------------------------

export type SourceSpec =
  | { kind: "file"; path: string }
  | { kind: "silence"; samples: number | undefined }
  | { kind: "tone"; spec: string }
  | { kind: "sequence"; parts: SourceSpec[] };

export function parseSourceSpec(spec: string): SourceSpec {
  const s = spec.trim();
  const lower = s.toLowerCase();
  if (lower.startsWith("silence_stream://")) {
    const ms = parseInt(s.slice("silence_stream://".length), 10);
    return { kind: "silence", samples: Number.isFinite(ms) && ms > 0 ? (ms * SAMPLE_RATE) / 1000 : undefined };
  }
  if (lower.startsWith("tone_stream://")) return { kind: "tone", spec: s.slice("tone_stream://".length) };
  if (lower.startsWith("file_string://")) {
    const parts = s
      .slice("file_string://".length)
      .split("!")
      .map((p) => p.trim())
      .filter((p) => p.length > 0)
      .map(parseSourceSpec);
    return { kind: "sequence", parts };
  }
  return { kind: "file", path: s };
}

// --- simple sources ------------------------------------------------------------------------------

export class BufferSource implements PcmSource {
  private pos: number;
  readonly readEncoded?: (codec: G711Codec, out: Uint8Array, offset: number, count: number) => number;

  constructor(
    private readonly samples: Int16Array,
    startSample = 0,
    /** Extra passes after the first; -1 = forever (tone_stream's ;loops=). */
    private loopsLeft = 0,
    /** The same samples encoded (cached prompts): enables readEncoded. */
    encoded?: EncodedSamples,
  ) {
    this.pos = Math.min(Math.max(0, Math.floor(startSample)), samples.length);
    if (encoded) {
      // one lookup per playback, not per frame
      let codecOf: G711Codec | undefined;
      let bytes: Uint8Array | undefined;
      this.readEncoded = (codec, out, offset, count) => {
        if (codec !== codecOf) {
          bytes = encoded(codec);
          codecOf = codec;
        }
        return this.pull(bytes!, out, offset, count);
      };
    }
  }

  read(out: Int16Array, offset: number, count: number): number {
    return this.pull(this.samples, out, offset, count);
  }

  private pull<T extends Int16Array | Uint8Array>(from: T, out: T, offset: number, count: number): number {
    let done = 0;
    while (done < count) {
      if (this.pos >= from.length) {
        if (this.loopsLeft === 0 || from.length === 0) break;
        if (this.loopsLeft > 0) this.loopsLeft--;
        this.pos = 0;
      }
      const n = Math.min(count - done, from.length - this.pos);
      out.set(from.subarray(this.pos, this.pos + n), offset + done);
      this.pos += n;
      done += n;
    }
    return done;
  }
}

export class SilenceSource implements PcmSource {
  private left: number;
  /** `samples` undefined = endless. */
  constructor(samples: number | undefined) {
    this.left = samples === undefined ? Infinity : Math.max(0, Math.round(samples));
  }
  read(out: Int16Array, offset: number, count: number): number {
    const n = Math.min(count, this.left);
    out.fill(0, offset, offset + n);
    this.left -= n;
    return n;
  }
  readEncoded(codec: G711Codec, out: Uint8Array, offset: number, count: number): number {
    const n = Math.min(count, this.left);
    out.fill(g711SilenceByte(codec), offset, offset + n);
    this.left -= n;
    return n;
  }
}

export class SequenceSource implements PcmSource {
  private index = 0;
  readonly readEncoded?: (codec: G711Codec, out: Uint8Array, offset: number, count: number) => number;
  constructor(private readonly parts: PcmSource[]) {
    if (parts.every((p) => p.readEncoded)) {
      this.readEncoded = (codec, out, offset, count) => {
        let done = 0;
        while (done < count && this.index < this.parts.length) {
          done += this.parts[this.index].readEncoded!(codec, out, offset + done, count - done);
          if (done < count) this.index++;
        }
        return done;
      };
    }
  }
  read(out: Int16Array, offset: number, count: number): number {
    let done = 0;
    while (done < count && this.index < this.parts.length) {
      const n = this.parts[this.index].read(out, offset + done, count - done);
      done += n;
      if (done < count) this.index++;
    }
    return done;
  }
}

// --- tone_stream (libteletone syntax) ------------------------------------------------------------

/** DTMF keys as bare characters in a tone spec (standard frequencies; libteletone has 859 Hz for 7/8/9/C). */
const TONE_MAP: Record<string, number[]> = {
  "1": [697, 1209], "2": [697, 1336], "3": [697, 1477], A: [697, 1633],
  "4": [770, 1209], "5": [770, 1336], "6": [770, 1477], B: [770, 1633],
  "7": [852, 1209], "8": [852, 1336], "9": [852, 1477], C: [852, 1633],
  "*": [941, 1209], "0": [941, 1336], "#": [941, 1477], D: [941, 1633],
};
const MAX_TONE_SAMPLES = SAMPLE_RATE * 600; // a tone program renders to at most 10 minutes
const DBM0_MAX_POWER = 3.14 + 3.02;

export type ToneResult = { ok: true; samples: Int16Array; loops: number } | { ok: false; reason: string };

/**
 * Renders a tone_stream spec like libteletone: `;`-separated parts, each either a setting
 * (`v=` dB, `d=`/`w=` default on/off ms, `l=N` repeat the next tone, `L=N` repeat the whole spec,
 * `c=`/`r=`/`>=`/`<=`/`+=` accepted and ignored) or a run of tones: `%(on,off,f1[,f2...])`,
 * a DTMF key, or a key with timing `1(on,off)`. Tones are summed and divided by their count.
 */
export function renderToneStream(spec: string): ToneResult {
  let body = spec;
  let loops = 0;
  const m = /;loops=(-?\d+)/i.exec(body);
  if (m) {
    loops = parseInt(m[1], 10);
    body = body.slice(0, m.index);
  }
  const ms = (v: string) => Math.max(0, Math.floor(parseInt(v, 10) || 0)) * (SAMPLE_RATE / 1000);
  let volume = -7;
  let duration = 2000;
  let wait = 500;
  let toneLoops = 0;
  let wholeLoops = 0;
  const chunks: Int16Array[] = [];
  let total = 0;

  const emit = (freqs: number[], on: number, off: number): string | undefined => {
    const n = on + off;
    if (total + n > MAX_TONE_SAMPLES) return "tone program longer than 10 minutes";
    const buf = new Int16Array(n);
    const amp = 10 ** ((volume - DBM0_MAX_POWER) / 20) * 32767 * Math.SQRT2;
    for (let i = 0; i < on; i++) {
      let s = 0;
      for (const f of freqs) s += amp * Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE);
      buf[i] = Math.max(-32768, Math.min(32767, Math.round(s / freqs.length)));
    }
    chunks.push(buf);
    total += n;
    return undefined;
  };

  const parts = body.split(";");
  for (let pass = 0; ; pass++) {
    for (const raw of parts) {
      const part = raw.trim();
      if (!part) continue;
      if (part[1] === "=") {
        const value = part.slice(2);
        switch (part[0]) {
          case "v": {
            const v = parseFloat(value);
            if (Number.isFinite(v) && v <= 0 && v >= -63) volume = v;
            break;
          }
          case "d": duration = ms(value); break;
          case "w": wait = ms(value); break;
          case "l": toneLoops = parseInt(value, 10) || 0; break;
          case "L": if (pass === 0 && wholeLoops === 0) wholeLoops = Math.max(0, parseInt(value, 10) || 0); break;
          default: break; // c=, r=, >=, <=, += : not supported, ignored
        }
        continue;
      }
      // A run of tones: %(...), K(...), or bare keys.
      let i = 0;
      while (i < part.length) {
        const ch = part[i];
        if (/\s/.test(ch)) {
          i++;
          continue;
        }
        let freqs: number[] | undefined;
        let on = duration;
        let off = wait;
        if (part[i + 1] === "(") {
          const close = part.indexOf(")", i + 2);
          const args = part.slice(i + 2, close < 0 ? undefined : close).split(",").map((a) => a.trim());
          i = close < 0 ? part.length : close + 1;
          if (args.length < 2) return { ok: false, reason: `tone_stream syntax error near "${ch}("` };
          on = ms(args[0]);
          off = ms(args[1]);
          if (ch === "%") {
            freqs = args.slice(2).map(Number).filter((f) => Number.isFinite(f) && f > 0);
            if (freqs.length === 0) return { ok: false, reason: "tone_stream %(on,off,freq...) needs a frequency" };
          } else {
            if (args.length !== 2) return { ok: false, reason: `tone_stream syntax error near "${ch}("` };
            freqs = TONE_MAP[ch.toUpperCase()];
          }
        } else {
          freqs = TONE_MAP[ch.toUpperCase()];
          i++;
        }
        if (!freqs) continue; // unknown key: ignored, like libteletone
        if (toneLoops < 0) return { ok: false, reason: "tone_stream l=-1 would never end" };
        const times = Math.max(1, toneLoops);
        toneLoops = 0;
        for (let t = 0; t < times; t++) {
          const err = emit(freqs, on, off);
          if (err) return { ok: false, reason: err };
        }
      }
    }
    if (pass + 1 >= Math.max(1, wholeLoops)) break;
  }
  const samples = new Int16Array(total);
  let o = 0;
  for (const c of chunks) (samples.set(c, o), (o += c.length));
  return { ok: true, samples, loops };
}

// --- opening a spec ------------------------------------------------------------------------------

/** A source that could not be opened: FreeSWITCH's status code, the message, and the kind of failure. */
export interface SourceFailure {
  code: "NOTFOUND" | "ERROR";
  reason: string;
  kind: LoadFailureKind;
}

export type PcmLoadResult = { ok: true; samples: Int16Array; /** Cached encodings (PromptCache). */ encoded?: EncodedSamples } | ({ ok: false } & SourceFailure);
export type PcmLoader = (path: string) => Promise<PcmLoadResult>;

/** Where FreeSWITCH's sound packs keep a file for a rate: a/b/c.wav -> a/b/8000/c.wav. */
export function rateFolderPath(file: string, rate: number): string {
  const slash = file.lastIndexOf("/");
  return slash < 0 ? `${rate}/${file}` : `${file.slice(0, slash)}/${rate}/${file.slice(slash + 1)}`;
}

/** The files transcodingLoader tries for a path, in order: the rate folder's copy, then the path itself. */
export function loaderCandidates(path: string): string[] {
  return /(^|\/)\d+\/[^/]+$/.test(path) ? [path] : [rateFolderPath(path, SAMPLE_RATE), path];
}

/**
 * Loads files through a transcoder (anything -> cached 8 kHz mono s16 WAV). Like FreeSWITCH's
 * file modules it first tries the file in the rate folder beside it (ivr/8000/ivr-welcome.wav
 * for ivr/ivr-welcome.wav: the sound packs' layout), then the path as given.
 */
export function transcodingLoader(transcode: (path: string) => Promise<TranscodeResult>): PcmLoader {
  return async (path) => {
    const [first, second] = loaderCandidates(path);
    let t = await transcode(first);
    if (second !== undefined && !t.ok && t.code === "NOTFOUND") t = await transcode(second);
    if (!t.ok) return t;
    try {
      const r = readWav(await readFile(t.path));
      if (!r.ok || !r.samples) return { ok: false, code: "ERROR", reason: r.ok ? `${path}: unexpected WAV layout` : r.reason, kind: "transcode" };
      return { ok: true, samples: r.samples };
    } catch (e) {
      return { ok: false, code: "ERROR", reason: (e as Error).message, kind: "transcode" };
    }
  };
}

export type OpenSourceResult =
  | { ok: true; source: PcmSource; /** Parts of a file_string that could not be opened (skipped). */ skipped: string[] }
  | ({ ok: false } & SourceFailure);

export interface OpenSourceOptions {
  /** streamFile's start_sample: skip this many samples of the stream first. */
  startSample?: number;
}

/** Resolves a spec to a playable source. A file_string skips parts that fail; it fails only if all do. */
export async function openSource(spec: string | SourceSpec, loader: PcmLoader, options: OpenSourceOptions = {}): Promise<OpenSourceResult> {
  const parsed = typeof spec === "string" ? parseSourceSpec(spec) : spec;
  const skipped: string[] = [];
  const build = async (s: SourceSpec): Promise<PcmSource | SourceFailure> => {
    switch (s.kind) {
      case "silence":
        return new SilenceSource(s.samples);
      case "tone": {
        const t = renderToneStream(s.spec);
        return t.ok ? new BufferSource(t.samples, 0, t.loops) : { code: "ERROR", reason: t.reason, kind: "invalid" };
      }
      case "file": {
        const r = await loader(s.path);
        return r.ok ? new BufferSource(r.samples, 0, 0, r.encoded) : { code: r.code, reason: r.reason, kind: r.kind };
      }
      case "sequence": {
        const parts: PcmSource[] = [];
        let lastError: SourceFailure = { code: "NOTFOUND", reason: "file_string:// with no parts", kind: "notfound" };
        for (const p of s.parts) {
          const b = await build(p);
          if ("read" in b) parts.push(b);
          else {
            skipped.push(b.reason);
            lastError = b;
          }
        }
        return parts.length > 0 ? new SequenceSource(parts) : lastError;
      }
    }
  };
  const built = await build(parsed);
  if (!("read" in built)) return { ok: false, ...built };
  const start = Math.max(0, Math.floor(options.startSample ?? 0));
  if (start > 0) {
    const scratch = new Int16Array(Math.min(start, 8000));
    for (let left = start; left > 0; ) {
      const n = built.read(scratch, 0, Math.min(left, scratch.length));
      if (n === 0) break;
      left -= n;
    }
  }
  return { ok: true, source: built, skipped };
}

// --- frames ----------------------------------------------------------------------------------------

/** Cuts a source into fixed frames (ptime); the last frame is zero-padded. */
export class FramePlayer {
  private ended = false;
  /** Real samples delivered (not counting the padding of the last frame): FreeSWITCH's playback_samples. */
  samplesPlayed = 0;
  /** While paused the frames are silence and the source does not advance (input callback "pause"). */
  paused = false;
  /** Volume step as FreeSWITCH's "volume:N" (-4..4, about 3 dB a step). */
  private volumeStep = 0;
  private gain = 1;

  constructor(
    private readonly source: PcmSource,
    /** Where this source starts within the whole prompt (after a seek), in samples. */
    startSample = 0,
  ) {
    this.samplesPlayed = startSample;
  }

  setVolume(step: number): void {
    this.volumeStep = Math.max(-4, Math.min(4, Math.round(step)));
    this.gain = 10 ** ((this.volumeStep * 3) / 20);
  }

  get volume(): number {
    return this.volumeStep;
  }

  /** Whether nextFrameEncoded can serve this codec: the source has encoded samples and no gain applies. */
  canEncode(): boolean {
    return this.gain === 1 && typeof this.source.readEncoded === "function";
  }

  /**
   * nextFrame, but straight into G.711 bytes from the source's cached encoding (only when canEncode()):
   * `out` is the packet's payload. False when the source had nothing left.
   */
  nextFrameEncoded(codec: G711Codec, out: Uint8Array): boolean {
    if (this.ended) return false;
    if (this.paused) {
      out.fill(g711SilenceByte(codec));
      return true;
    }
    const n = this.source.readEncoded!(codec, out, 0, out.length);
    if (n < out.length) {
      this.ended = true;
      if (n === 0) return false;
      out.fill(g711SilenceByte(codec), n);
    }
    this.samplesPlayed += n;
    return true;
  }

  /** Fills `out` with the next frame; false when the source had nothing left (out untouched). */
  nextFrame(out: Int16Array): boolean {
    if (this.ended) return false;
    if (this.paused) {
      out.fill(0);
      return true;
    }
    const n = this.source.read(out, 0, out.length);
    if (n < out.length) {
      this.ended = true;
      if (n === 0) return false;
      out.fill(0, n);
    }
    if (this.gain !== 1) {
      for (let i = 0; i < n; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(out[i] * this.gain)));
    }
    this.samplesPlayed += n;
    return true;
  }

  get done(): boolean {
    return this.ended;
  }

  get msPlayed(): number {
    return Math.round((this.samplesPlayed * 1000) / SAMPLE_RATE);
  }
}
