// What a Session needs from the rest of the runtime. The SIP layer implements CallControl,
// the media engine implements MediaPort; tests implement both in memory.
import type { HangupCause } from "../../flow/hangup-causes";
import type { FsSession } from "./session";

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
  /** switch_ivr_insert_file: splice `insert` into `file` at `samplePoint`; undefined when done, else why not. */
  insertFile?(file: string, insert: string, samplePoint: number): Promise<string | undefined>;
}

export interface CallControl {
  /** Send 200 OK; resolves true when answered. */
  answer(): Promise<boolean>;
  /** Send 183 with SDP (early media). */
  preAnswer(): Promise<boolean>;
  /** Send 180 Ringing without media (ring_ready while an outbound leg rings); optional. */
  ring?(): Promise<boolean>;
  /** Hang the call up with a FreeSWITCH cause name. */
  hangup(cause: HangupCause): void;
  /** Route the call to another number of this runtime after the script ends; false if impossible. */
  transfer(extension: string, dialplan: string, context: string): boolean;
  /**
   * Blind transfer out (mod_sofia's deflect on an answered call): REFER the caller's side to
   * `target` (a SIP URI, or a user at our address) and wait for the outcome (the REFER's answer,
   * then the final NOTIFY, at most 10 s). refused: the toll-fraud guard said no (nothing sent).
   */
  refer?(target: string): Promise<ReferOutcome>;
}

export interface ReferOutcome {
  /** The REFER's final status (0: refused before sending). */
  status: number;
  /** The final sipfrag status from NOTIFY, and its text, when one came. */
  targetStatus?: number;
  reply?: string;
  refused?: string;
}

export type LogSink = (level: string, message: string, callId?: string) => void;

export interface OriginateRequest {
  /** The dial string, already variable-expanded where FreeSWITCH expands it. */
  dial: string;
  /** The A leg: hears ringback, is answered when a leg answers, gets originate_* variables. */
  caller?: FsSession;
  /** Seconds to wait for an answer; 0 = the caller's call_timeout, else 60 (originate_timeout in {..} wins). */
  timeoutSec: number;
  /** The session whose script asked (for refusal logs and the legs it owns). */
  requestedBy?: FsSession;
}

export type OriginateOutcome = { ok: true; leg: FsSession } | { ok: false; cause: HangupCause };

export interface BridgeOptions {
  /** freeswitch.bridge(a, b): a's input callback sees a's digits; a non-continue result ends the bridge. */
  inputCallback?: boolean;
}

/** Outbound calling (runtime/outbound implements it): switch_ivr_originate and the bridge. */
export interface OutboundPort {
  originate(request: OriginateRequest): Promise<OriginateOutcome>;
  /** Connect two sessions until one of them ends or leaves; then FreeSWITCH's after-bridge rules. */
  bridge(a: FsSession, b: FsSession, options?: BridgeOptions): Promise<void>;
  /** Why a blind transfer out to `target` is refused by the toll-fraud guard (refer.ts), or undefined. */
  referRefusal?(target: string, ours: { hosts: string[]; port: number }): string | undefined;
  /** switch_channel_handle_cause: continue_on_fail / failure_causes, else hang the caller up. */
  handleCause(session: FsSession, cause: HangupCause): void;
}
