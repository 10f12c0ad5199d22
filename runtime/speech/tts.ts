// Text to speech with Debian's flite, FreeSWITCH mod_flite's voices (kal, slt, rms, awb).
// Each text+voice is synthesized once and cached as a WAV file (the media layer transcodes
// it to 8 kHz like any prompt). Concurrent requests for the same text share one run.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { FLITE_VOICES } from "../../flow/catalog/media";


export class TtsError extends Error {}

export interface TtsOptions {
  cacheDir?: string;
  fliteBinary?: string;
}

export class FliteTts {
  private readonly cacheDir: string;
  private readonly bin: string;
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(options: TtsOptions = {}) {
    this.cacheDir = options.cacheDir ?? path.join(os.tmpdir(), "ivr-studio-tts");
    this.bin = options.fliteBinary ?? "flite";
  }

  /** Path of a WAV file speaking `text` with `voice`; throws TtsError for an unknown engine/voice. */
  async synthesize(engine: string, voice: string, text: string): Promise<string> {
    if (engine !== "flite") throw new TtsError(`Invalid TTS module ${engine}[${voice}]!`);
    const v = voice || "kal";
    if (!(FLITE_VOICES as readonly string[]).includes(v)) throw new TtsError(`Invalid TTS module ${engine}[${voice}]!`);
    const key = createHash("sha256").update(`${v}\0${text}`).digest("hex").slice(0, 32);
    const file = path.join(this.cacheDir, `${v}-${key}.wav`);
    if (existsSync(file)) return file;
    let p = this.inflight.get(file);
    if (!p) {
      p = this.run(v, text, file).finally(() => this.inflight.delete(file));
      this.inflight.set(file, p);
    }
    return p;
  }

  private async run(voice: string, text: string, file: string): Promise<string> {
    await mkdir(this.cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp.wav`;
    await new Promise<void>((resolve, reject) => {
      // Text goes as an argument (no shell): hostile text cannot inject anything.
      execFile(this.bin, ["-voice", voice, "-t", text, "-o", tmp], { timeout: 30_000 }, (err) =>
        err ? reject(new TtsError(`flite failed: ${err.message}`)) : resolve(),
      );
    });
    await rename(tmp, file);
    return file;
  }
}
