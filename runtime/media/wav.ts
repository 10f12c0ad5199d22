// WAV (RIFF) reading for prompts and writing for recordings.
// The writer keeps the file valid at all times: the header goes in at open, and the RIFF and data
// sizes are patched at every flush, so a recording cut short by a dropped call is still playable.
import { open, type FileHandle } from "node:fs/promises";

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const HEADER_SIZE = 44;

export interface WavInfo {
  /** 1 = PCM, 3 = float, 6 = A-law, 7 = mu-law (resolved through WAVE_FORMAT_EXTENSIBLE). */
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Byte range of the audio in the file. */
  dataOffset: number;
  dataLength: number;
}

export type WavReadResult = { ok: true; info: WavInfo; /** Set only for 16-bit PCM mono. */ samples?: Int16Array } | { ok: false; reason: string };

function fourcc(buf: Uint8Array, o: number): string {
  return String.fromCharCode(buf[o], buf[o + 1], buf[o + 2], buf[o + 3]);
}

/** Parses a WAV file's bytes. Other layouts than 16-bit PCM mono are described but not decoded (use the transcoder). */
export function readWav(buf: Uint8Array): WavReadResult {
  if (buf.length < 12 || fourcc(buf, 0) !== "RIFF" || fourcc(buf, 8) !== "WAVE") return { ok: false, reason: "not a RIFF/WAVE file" };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let offset = 12;
  let fmt: Omit<WavInfo, "dataOffset" | "dataLength"> | undefined;
  while (offset + 8 <= buf.length) {
    const id = fourcc(buf, offset);
    let size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > buf.length) return { ok: false, reason: "truncated fmt chunk" };
      let formatTag = view.getUint16(body, true);
      if (formatTag === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= buf.length) formatTag = view.getUint16(body + 24, true);
      fmt = {
        formatTag,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (!fmt) return { ok: false, reason: "data chunk before fmt chunk" };
      // Streaming writers leave 0 or 0xFFFFFFFF; a cut file is shorter than announced: take what is there.
      if (size === 0 || size === 0xffffffff || body + size > buf.length) size = buf.length - body;
      const info: WavInfo = { ...fmt, dataOffset: body, dataLength: size };
      if (fmt.formatTag === WAVE_FORMAT_PCM && fmt.bitsPerSample === 16 && fmt.channels === 1) {
        const count = Math.floor(size / 2);
        const samples = new Int16Array(count);
        for (let i = 0; i < count; i++) samples[i] = view.getInt16(body + i * 2, true);
        return { ok: true, info, samples };
      }
      return { ok: true, info };
    }
    offset = body + size + (size & 1); // chunks are word aligned
  }
  return { ok: false, reason: fmt ? "no data chunk" : "no fmt chunk" };
}

export function isPcm16Mono(info: WavInfo, sampleRate?: number): boolean {
  return info.formatTag === WAVE_FORMAT_PCM && info.bitsPerSample === 16 && info.channels === 1 && (sampleRate === undefined || info.sampleRate === sampleRate);
}

export { WAVE_FORMAT_ALAW, WAVE_FORMAT_MULAW, WAVE_FORMAT_PCM };

/** A canonical 44-byte header for 16-bit PCM mono with `dataBytes` of audio. */
export function wavHeader(sampleRate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.write("RIFF", 0, "ascii");
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write("WAVE", 8, "ascii");
  h.write("fmt ", 12, "ascii");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "ascii");
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export interface WavWriterOptions {
  sampleRate?: number;
  /** Pending audio is written and the header patched once this much has accumulated. */
  flushEveryMs?: number;
}

/** Appends 16-bit mono PCM to a WAV file; all disk work is asynchronous and serialised. */
export class WavWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly sampleRate: number,
    private readonly flushEveryBytes: number,
  ) {}

  /** Creates (truncates) the file and writes a header announcing no audio yet. */
  static async open(path: string, options: WavWriterOptions = {}): Promise<WavWriter> {
    const sampleRate = options.sampleRate ?? 8000;
    const fh = await open(path, "w");
    try {
      await fh.write(wavHeader(sampleRate, 0), 0, HEADER_SIZE, 0);
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
    const flushEveryBytes = Math.max(2, Math.round(((options.flushEveryMs ?? 1000) * sampleRate) / 1000) * 2);
    return new WavWriter(path, fh, sampleRate, flushEveryBytes);
  }

  /** Samples accepted so far (written or pending). */
  get samples(): number {
    return (this.written + this.pendingBytes) / 2;
  }

  /** Samples on disk with a header that covers them. */
  get flushedSamples(): number {
    return this.written / 2;
  }

  /** Resolves when every flush started so far has reached the disk. */
  settled(): Promise<void> {
    return this.chain.catch(() => undefined);
  }

  write(pcm: Int16Array): void {
    if (this.closed) throw new Error(`WavWriter(${this.path}): write after close`);
    if (pcm.length === 0) return;
    const b = Buffer.allocUnsafe(pcm.length * 2);
    for (let i = 0; i < pcm.length; i++) b.writeInt16LE(pcm[i], i * 2);
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= this.flushEveryBytes) void this.flush().catch(() => undefined);
  }

  /** Writes pending audio and patches the header sizes. */
  flush(): Promise<void> {
    const chunks = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.chain = this.chain.then(async () => {
      if (this.failure) throw this.failure;
      try {
        if (bytes > 0) {
          const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes);
          await this.fh.write(data, 0, data.length, HEADER_SIZE + this.written);
          this.written += bytes;
        }
        const sizes = Buffer.alloc(4);
        sizes.writeUInt32LE(36 + this.written, 0);
        await this.fh.write(sizes, 0, 4, 4);
        sizes.writeUInt32LE(this.written, 0);
        await this.fh.write(sizes, 0, 4, 40);
      } catch (e) {
        this.failure = e as Error;
        throw e;
      }
    });
    return this.chain;
  }

  /** Flushes and closes; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      await this.fh.close().catch(() => undefined);
    }
  }
}
