// MediaPort over one call's RTP stream in the media worker: what the Session plays and
// records goes through here. Relative prompt paths resolve against sound_prefix or the
// runtime's sounds folder, as FreeSWITCH resolves them against its sounds directory. Every
// file is checked against the route's FilePolicy here, the one place both script hosts pass.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { insertFile as spliceInto } from "./media/splice";
import { FilePolicy, type FileAccess } from "./file-policy";
import type { MediaStreamHandle, PlayControl, PlayDone, RecordDone } from "./media/engine";
import type { Channel } from "./session/channel";
import type { MediaPort, PlaybackFailure, PlayHandle, PlayResult, RecordHandle, RecordOptions, RecordResult } from "./session/ports";
import type { FliteTts } from "./speech/tts";

const PLAY_REASONS: Record<PlayDone["reason"], PlayResult["reason"]> = {
  eof: "done",
  stopped: "stopped",
  closed: "hangup",
  notfound: "notfound",
  error: "error",
};

const FAILURE_KINDS: Record<NonNullable<PlayDone["failure"]>, PlaybackFailure["kind"]> = {
  notfound: "not found",
  unreadable: "unreadable",
  transcode: "transcode failed",
  invalid: "invalid source",
};

const RECORD_REASONS: Record<RecordDone["reason"], RecordResult["reason"]> = {
  "time-limit": "limit",
  silence: "silence",
  stopped: "stopped",
  break: "stopped",
  hangup: "hangup",
  error: "error",
};

/** A source the engine opens as it is: generated audio, not a file. */
const GENERATED = /^(tone_stream|silence_stream):\/\//i;
const FILE_STRING = /^file_string:\/\//i;
const URL_LIKE = /^[a-z_]+:\/\//i;

type Resolved = { ok: true; source: string } | { ok: false; file: string; rule: string };

export class CallMedia implements MediaPort {
  /** Files this call's TTS produced: playable whatever the roots. */
  private readonly produced = new Set<string>();
  private files: FilePolicy;

  constructor(
    /** The call's RTP stream (a bridge relays between two of them). */
    readonly stream: MediaStreamHandle,
    private readonly channel: Channel,
    private readonly soundsDir: string,
    private readonly tts: FliteTts,
    private readonly log: (level: string, msg: string) => void,
    private readonly recordingsDir: string = path.resolve("recordings"),
  ) {
    // Confined until the call's route says otherwise (setFileAccess).
    this.files = new FilePolicy("confined", { sounds: [soundsDir], recordings: recordingsDir }, this.produced);
  }

  /** The running route's file access: a transfer can move the call to a route with other rights. */
  setFileAccess(access: FileAccess): void {
    if (access !== this.files.access) this.files = new FilePolicy(access, this.files.roots, this.produced);
  }

  get fileAccess(): FileAccess {
    return this.files.access;
  }

  /** A path as FreeSWITCH would find it: absolute, a URL-like source, or under sound_prefix. */
  resolve(spec: string): string {
    const r = this.resolveSource(spec);
    return r.ok ? r.source : r.file;
  }

  /** The source the engine opens, or the file the route may not play and why. */
  private resolveSource(spec: string): Resolved {
    if (FILE_STRING.test(spec)) {
      const parts: string[] = [];
      for (const part of spec.replace(FILE_STRING, "").split("!")) {
        const r = this.resolvePart(part.trim());
        if (!r.ok) return r;
        parts.push(r.source);
      }
      return { ok: true, source: `file_string://${parts.join("!")}` };
    }
    return this.resolvePart(spec);
  }

  private resolvePart(spec: string): Resolved {
    if (spec === "" || GENERATED.test(spec.trim())) return { ok: true, source: spec };
    if (URL_LIKE.test(spec)) {
      // Trusted scripts pass any source on; a flow's URL is not a file under its roots.
      const v = this.files.canRead(spec);
      return v.ok ? { ok: true, source: spec } : { ok: false, file: spec, rule: v.rule };
    }
    const file = path.isAbsolute(spec) ? spec : path.join(this.channel.getVar("sound_prefix") || this.soundsDir, spec);
    const verdict = this.files.canRead(file);
    return verdict.ok ? { ok: true, source: file } : { ok: false, file, rule: verdict.rule };
  }

  /** Recordings: absolute paths as given, relative ones under the recordings folder. */
  private resolveRecording(file: string): string {
    return path.isAbsolute(file) || URL_LIKE.test(file) ? file : path.join(this.recordingsDir, file);
  }

  play(source: string): PlayHandle {
    const resolved = this.resolveSource(source);
    if (!resolved.ok) {
      this.log("err", `Playing ${JSON.stringify(resolved.file)} refused: ${resolved.rule}`);
      return refusedPlay();
    }
    const p = this.stream.play(resolved.source);
    const done = p.then(
      (d): PlayResult => {
        const r: PlayResult = { reason: PLAY_REASONS[d.reason], ms: d.ms, samples: d.samples };
        if (d.reason === "notfound" || d.reason === "error") {
          this.log("err", `Can't play ${source}: ${d.detail ?? d.reason}`);
          r.failure = { kind: FAILURE_KINDS[d.failure ?? (d.reason === "notfound" ? "notfound" : "transcode")], source, detail: d.detail ?? d.reason };
        } else if (d.detail) {
          // A file_string that played without some of its parts.
          r.failure = { kind: "not found", source, detail: `skipped: ${d.detail}` };
        }
        return r;
      },
      (e): PlayResult => {
        this.log("err", `playback of ${source} failed: ${(e as Error).message}`);
        return { reason: "error", ms: 0, samples: 0, failure: { kind: "transcode failed", source, detail: (e as Error).message } };
      },
    );
    const stop = () => void this.stream.stopPlay().catch(() => undefined);
    const control = (c: PlayControl) => void this.stream.controlPlay(c).catch(() => undefined);
    return {
      done,
      stop,
      pause: () => control({ action: "pause" }),
      seek: (ms, relative) => control({ action: "seek", ms, relative }),
      restart: () => control({ action: "restart" }),
      adjust: (kind, value, relative) => {
        if (kind === "volume") control({ action: "volume", value, relative });
        else this.log("debug", "speed changes during playback are not supported");
      },
    };
  }

  /** Both paths as recordings are named (relative: under the recordings folder); `file` is rewritten, so it must be writable. */
  async insertFile(file: string, insert: string, samplePoint: number): Promise<string | undefined> {
    const target = this.resolveRecording(file);
    const source = this.resolveRecording(insert);
    const w = this.files.canWrite(target);
    if (!w.ok) return `insertFile into ${JSON.stringify(target)} refused: ${w.rule}`;
    for (const f of [target, source]) {
      const r = this.files.canRead(f);
      if (!r.ok) return `insertFile reading ${JSON.stringify(f)} refused: ${r.rule}`;
    }
    try {
      await spliceInto(target, source, samplePoint);
      return undefined;
    } catch (e) {
      return `insertFile failed, ${target} unchanged: ${(e as Error).message}`;
    }
  }

  record(file: string, options: RecordOptions): RecordHandle {
    const target = this.resolveRecording(file);
    const verdict = this.files.canWrite(target);
    if (!verdict.ok) {
      this.log("err", `Recording to ${JSON.stringify(target)} refused: ${verdict.rule}`);
      return { done: Promise.resolve({ reason: "error", ms: 0, samples: 0 }), stop: () => undefined, truncate: () => undefined };
    }
    // The folder is created as needed, so a recordings path like ${recordings_dir}/${uuid}.wav just works.
    let stopped = false;
    const p = mkdir(path.dirname(target), { recursive: true })
      .catch(() => undefined)
      .then(() =>
        stopped
          ? { path: target, reason: "stopped" as const, returnValue: 1 as const, recordMs: 0, recordSamples: 0, recordSeconds: 0, silenceHitsExhausted: false }
          : this.stream.record({
              path: target,
              maxLenSecs: options.maxSeconds,
              silenceThreshold: options.silenceThreshold,
              silenceSecs: options.silenceSeconds,
            }),
      );
    const done = p.then(
      (d): RecordResult => {
        if (d.reason === "error") this.log("err", `recording ${file} failed: ${d.detail ?? ""}`);
        return { reason: RECORD_REASONS[d.reason], ms: d.recordMs, samples: d.recordSamples };
      },
      (): RecordResult => ({ reason: "error", ms: 0, samples: 0 }),
    );
    const stop = () => {
      stopped = true;
      void this.stream.stopRecord("stopped").catch(() => undefined);
    };
    return { done, stop, truncate: stop };
  }

  async synthesize(engine: string, voice: string, text: string): Promise<string> {
    const file = await this.tts.synthesize(engine, voice, text);
    this.produced.add(file);
    return file;
  }

  setInbandDtmf(on: boolean): void {
    void (on ? this.stream.startInbandDtmf() : this.stream.stopInbandDtmf()).catch(() => undefined);
  }
}

/** A playback that never started: the Session sees a failure (streamFile returns 0). */
function refusedPlay(): PlayHandle {
  const nothing = () => undefined;
  return {
    done: Promise.resolve({ reason: "error", ms: 0, samples: 0 }),
    stop: nothing,
    pause: nothing,
    seek: nothing,
    restart: nothing,
    adjust: nothing,
  };
}
