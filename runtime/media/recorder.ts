// recordFile's logic (freeswitch-session-api.md 2.4), pure over frames of 8 kHz PCM:
// time limit, silence detection (mean absolute sample value per frame below the threshold for
// silence_secs in a row; 3 s when a threshold is set without seconds), and why it ended.

export type RecordEndReason = "time-limit" | "silence" | "stopped" | "hangup" | "break" | "error";

export interface RecorderOptions {
  /** 0 = unlimited. */
  maxLenSecs?: number;
  /** Mean absolute sample value below which a frame is silent; 0 disables silence detection. */
  silenceThreshold?: number;
  /** Seconds of continuous silence that end the recording; 0 with a threshold means 3. */
  silenceSecs?: number;
  sampleRate?: number;
  /** Samples per frame (ptime); silence is counted in frames like FreeSWITCH does. */
  frameSamples?: number;
}

export interface RecordResult {
  reason: RecordEndReason;
  /** recordFile's return value: 1 for time limit, silence or a normal stop; 0 for hangup, break or error. */
  returnValue: 0 | 1;
  /** Channel variables FreeSWITCH sets afterwards. */
  recordSamples: number;
  recordMs: number;
  recordSeconds: number;
  silenceHitsExhausted: boolean;
}

export interface PcmSink {
  write(pcm: Int16Array): void;
}

/** FreeSWITCH's silence score: mean absolute sample value, scaled to 8 kHz. */
export function frameEnergy(frame: Int16Array, sampleRate = 8000): number {
  if (frame.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += Math.abs(frame[i]);
  return sum / (frame.length / (sampleRate / 8000));
}

export class Recorder {
  private readonly sampleRate: number;
  private readonly maxSamples: number;
  private readonly threshold: number;
  private readonly silenceFrames: number;
  private silenceLeft: number;
  private samples = 0;
  private limitStart = 0;
  private ended: RecordResult | undefined;

  constructor(
    private readonly sink: PcmSink | undefined,
    options: RecorderOptions = {},
  ) {
    this.sampleRate = options.sampleRate ?? 8000;
    const frameSamples = options.frameSamples ?? this.sampleRate / 50;
    const maxLen = Math.max(0, options.maxLenSecs ?? 0);
    this.maxSamples = maxLen > 0 ? Math.round(maxLen * this.sampleRate) : Infinity;
    this.threshold = Math.max(0, options.silenceThreshold ?? 0);
    const secs = this.threshold > 0 ? options.silenceSecs || 3 : 0;
    this.silenceFrames = Math.max(1, Math.round((this.sampleRate * secs) / frameSamples));
    this.silenceLeft = this.silenceFrames;
  }

  get result(): RecordResult | undefined {
    return this.ended;
  }

  /** Records one frame; returns the result when this frame ended the recording. */
  processInput(frame: Int16Array): RecordResult | undefined {
    if (this.ended) return undefined;
    let pcm = frame;
    const room = this.maxSamples - (this.samples - this.limitStart);
    if (pcm.length > room) pcm = pcm.subarray(0, Math.max(0, room));
    if (pcm.length > 0) {
      this.sink?.write(pcm);
      this.samples += pcm.length;
    }
    if (this.samples - this.limitStart >= this.maxSamples) return this.finish("time-limit");
    if (this.threshold > 0) {
      if (frameEnergy(frame, this.sampleRate) < this.threshold) {
        if (--this.silenceLeft <= 0) return this.finish("silence");
      } else {
        this.silenceLeft = this.silenceFrames;
      }
    }
    return undefined;
  }

  /** record_restart_limit_on_dtmf: the time limit counts again from now. */
  restartTimeLimit(): void {
    this.limitStart = this.samples;
  }

  /** Ends from outside: "stopped" (normal stop), "hangup", "break" (input callback), "error". */
  stop(reason: Exclude<RecordEndReason, "time-limit" | "silence">): RecordResult {
    return this.ended ?? this.finish(reason);
  }

  private finish(reason: RecordEndReason): RecordResult {
    const recordMs = Math.round((this.samples * 1000) / this.sampleRate);
    this.ended = {
      reason,
      returnValue: reason === "time-limit" || reason === "silence" || reason === "stopped" ? 1 : 0,
      recordSamples: this.samples,
      recordMs,
      recordSeconds: Math.floor(this.samples / this.sampleRate),
      silenceHitsExhausted: reason === "silence",
    };
    return this.ended;
  }
}
