// What a Session needs from the rest of the runtime. The SIP layer implements CallControl,
// the media engine implements MediaPort; tests implement both in memory.
import type { HangupCause } from "../../flow/hangup-causes";

export type PlayEndReason = "done" | "stopped" | "notfound" | "error" | "hangup";

/** Why a playback (or part of a file_string) could not be played: what the call log records. */
export interface PlaybackFailure {
  kind: "not found" | "unreadable" | "transcode failed" | "invalid source";
  /** The source as the script gave it. */
  source: string;
  /** The media layer's message (e.g. "no such file: /srv/sounds/ivr/x.wav"). */
  detail: string;
}

export interface PlayResult {
  reason: PlayEndReason;
  /** Audio actually played. */
  ms: number;
  samples: number;
  /** Set when it could not play (reason notfound/error), or when parts of a file_string were skipped. */
  failure?: PlaybackFailure;
}

/** A playback in progress: the session steers it from input-callback results. */
export interface PlayHandle {
  readonly done: Promise<PlayResult>;
  stop(): void;
  /** Toggle pause. */
  pause(): void;
  /** Seek to `ms` (absolute) or by `ms` (relative, may be negative). */
  seek(ms: number, relative: boolean): void;
  restart(): void;
  /** speed/volume steps: accepted, may be ignored by the engine. */
  adjust(kind: "speed" | "volume", value: number, relative: boolean): void;
}

export type RecordEndReason = "limit" | "silence" | "stopped" | "hangup" | "error";

export interface RecordResult {
  reason: RecordEndReason;
  ms: number;
  samples: number;
}

export interface RecordOptions {
  maxSeconds: number;
  silenceThreshold: number;
  silenceSeconds: number;
}

export interface RecordHandle {
  readonly done: Promise<RecordResult>;
  stop(): void;
  /** Truncate what was recorded so far, then stop. */
  truncate(): void;
}

export interface MediaPort {
  /** Play a file path, silence_stream://, tone_stream://, file_string://... */
  play(source: string): PlayHandle;
  record(file: string, options: RecordOptions): RecordHandle;
  /** Text to speech: a playable source (e.g. a cached WAV path); throws if the engine is unknown. */
  synthesize(engine: string, voice: string, text: string): Promise<string>;
  /** In-band (Goertzel) DTMF detection, as execute("start_dtmf") / ("stop_dtmf"). */
  setInbandDtmf(on: boolean): void;
}

export interface CallControl {
  /** Send 200 OK; resolves true when answered. */
  answer(): Promise<boolean>;
  /** Send 183 with SDP (early media). */
  preAnswer(): Promise<boolean>;
  /** Hang the call up with a FreeSWITCH cause name. */
  hangup(cause: HangupCause): void;
  /** Route the call to another number of this runtime after the script ends; false if impossible. */
  transfer(extension: string, dialplan: string, context: string): boolean;
}

export type LogSink = (level: string, message: string, callId?: string) => void;
