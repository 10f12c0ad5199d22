// MediaPort over one call's RTP stream in the media worker: what the Session plays and
// records goes through here. Relative prompt paths resolve against sound_prefix or the
// runtime's sounds folder, as FreeSWITCH resolves them against its sounds directory.
import { mkdir } from "node:fs/promises";
import path from "node:path";
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

export class CallMedia implements MediaPort {
  constructor(
    /** The call's RTP stream (a bridge relays between two of them). */
    readonly stream: MediaStreamHandle,
    private readonly channel: Channel,
    private readonly soundsDir: string,
    private readonly tts: FliteTts,
    private readonly log: (level: string, msg: string) => void,
    private readonly recordingsDir: string = path.resolve("recordings"),
  ) {}

  /** A path as FreeSWITCH would find it: absolute, a URL-like source, or under sound_prefix. */
  resolve(spec: string): string {
    if (spec.startsWith("file_string://")) {
      return `file_string://${spec
        .slice("file_string://".length)
        .split("!")
        .map((p) => this.resolve(p))
        .join("!")}`;
    }
    if (/^[a-z_]+:\/\//i.test(spec) || path.isAbsolute(spec) || spec === "") return spec;
    const prefix = this.channel.getVar("sound_prefix") || this.soundsDir;
    return path.join(prefix, spec);
  }

  /** Recordings: absolute paths as given, relative ones under the recordings folder. */
  private resolveRecording(file: string): string {
    return path.isAbsolute(file) ? file : path.join(this.recordingsDir, file);
  }

  play(source: string): PlayHandle {
    const p = this.stream.play(this.resolve(source));
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

  record(file: string, options: RecordOptions): RecordHandle {
    const target = this.resolveRecording(file);
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
    return this.tts.synthesize(engine, voice, text);
  }

  setInbandDtmf(on: boolean): void {
    void (on ? this.stream.startInbandDtmf() : this.stream.stopInbandDtmf()).catch(() => undefined);
  }
}
