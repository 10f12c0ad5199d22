// Prompts in any format (wav at any rate, mp3, ogg, flac...) are converted once by ffmpeg to
// 8 kHz mono 16-bit PCM WAV and cached on disk, keyed by path + mtime + size.
import { createHash, randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { spawnHere, type SpawnFn } from "./spawn-helper";
import { isPcm16Mono, readWav } from "./wav";

export const MEDIA_SAMPLE_RATE = 8000;

/** Why a prompt could not be played, for the call log: missing, no read permission, ffmpeg failed, a bad tone spec. */
export type LoadFailureKind = "notfound" | "unreadable" | "transcode" | "invalid";

export type TranscodeResult =
  | { ok: true; /** An 8 kHz mono s16 WAV: the cached copy, or the source itself when it already is one. */ path: string; cached: boolean }
  | { ok: false; code: "NOTFOUND" | "ERROR"; reason: string; kind: LoadFailureKind };

export interface TranscoderOptions {
  cacheDir: string;
  /** Path of the ffmpeg binary; default FFMPEG_PATH, else `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /** Runs ffmpeg; default from this thread. A media worker passes its SpawnHelper's, so that no fork blocks it. */
  spawn?: SpawnFn;
  /** A run taking longer is killed and reported as an error. */
  timeoutMs?: number;
}

export interface TranscoderStats {
  requests: number;
  ffmpegRuns: number;
  cacheHits: number;
  passthrough: number;
  failures: number;
}

const HEADER_PROBE_BYTES = 4096;

export class Transcoder {
  private readonly inflight = new Map<string, Promise<TranscodeResult>>();
  private readonly stats: TranscoderStats = { requests: 0, ffmpegRuns: 0, cacheHits: 0, passthrough: 0, failures: 0 };

  constructor(private readonly options: TranscoderOptions) {}

  toJSON(): TranscoderStats {
    return { ...this.stats };
  }

  /** Never throws: a missing file is NOTFOUND (FreeSWITCH's streamFile then returns 0), anything else ERROR. */
  async transcode(file: string): Promise<TranscodeResult> {
    this.stats.requests++;
    const source = resolve(file);
    let st;
    try {
      st = await stat(source);
    } catch (e) {
      const errno = (e as NodeJS.ErrnoException).code;
      if (errno === "ENOENT" || errno === "ENOTDIR") return { ok: false, code: "NOTFOUND", reason: `no such file: ${file}`, kind: "notfound" };
      return { ok: false, code: "ERROR", reason: `cannot read ${file}: ${errno ?? (e as Error).message}`, kind: "unreadable" };
    }
    if (!st.isFile()) return { ok: false, code: "NOTFOUND", reason: `not a file: ${file}`, kind: "notfound" };
    try {
      await access(source, fsConstants.R_OK);
    } catch (e) {
      return { ok: false, code: "ERROR", reason: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, kind: "unreadable" };
    }
    if (await this.isAlreadyMediaFormat(source)) {
      this.stats.passthrough++;
      return { ok: true, path: source, cached: false };
    }
    const key = createHash("sha256").update(`${source}\0${st.mtimeMs}\0${st.size}`).digest("hex");
    const target = join(this.options.cacheDir, `${key}.wav`);
    const running = this.inflight.get(key);
    if (running) return running;
    const job = this.produce(source, target).finally(() => this.inflight.delete(key));
    this.inflight.set(key, job);
    return job;
  }

  private async produce(source: string, target: string): Promise<TranscodeResult> {
    try {
      await stat(target);
      this.stats.cacheHits++;
      return { ok: true, path: target, cached: true };
    } catch {
      // not cached yet
    }
    try {
      await mkdir(this.options.cacheDir, { recursive: true });
    } catch (e) {
      this.stats.failures++;
      return { ok: false, code: "ERROR", reason: `cache dir: ${(e as Error).message}`, kind: "transcode" };
    }
    // Write to a private temp name, then rename: readers never see a half-written file.
    const temp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp.wav`;
    this.stats.ffmpegRuns++;
    try {
      await this.runFfmpeg(source, temp);
      await rename(temp, target);
      return { ok: true, path: target, cached: false };
    } catch (e) {
      this.stats.failures++;
      await unlink(temp).catch(() => undefined);
      return { ok: false, code: "ERROR", reason: `ffmpeg could not convert ${source}: ${(e as Error).message.split("\n")[0]}`, kind: "transcode" };
    }
  }

  private async runFfmpeg(source: string, out: string): Promise<void> {
    const bin = this.options.ffmpegPath ?? process.env.FFMPEG_PATH ?? "ffmpeg";
    // Both paths are absolute and given as file: URLs, so nothing in a name reads as an option or a protocol.
    const args = [
      "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", `file:${source}`,
      "-vn", "-ac", "1", "-ar", String(MEDIA_SAMPLE_RATE), "-acodec", "pcm_s16le", "-f", "wav", "-map_metadata", "-1", "-bitexact", `file:${out}`,
    ];
    const r = await (this.options.spawn ?? spawnHere)(bin, args, this.options.timeoutMs ?? 60_000);
    if (r.code !== 0) {
      const why = r.signal ? `killed (${r.signal}${r.signal === "SIGKILL" ? ", timeout?" : ""})` : `exit code ${r.code}`;
      throw new Error(`${why}: ${r.stderr.trim().split("\n").pop() ?? ""}`);
    }
  }

  private async isAlreadyMediaFormat(path: string): Promise<boolean> {
    if (!/\.wav$/i.test(path)) return false;
    const fh = await open(path, "r").catch(() => undefined);
    if (!fh) return false;
    try {
      const buf = Buffer.alloc(HEADER_PROBE_BYTES);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const r = readWav(buf.subarray(0, bytesRead));
      return r.ok && isPcm16Mono(r.info, MEDIA_SAMPLE_RATE);
    } finally {
      await fh.close();
    }
  }
}
