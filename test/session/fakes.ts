// In-memory ports for Session tests: playback lasts as long as the source says
// (silence_stream://MS, or "NAME.wav" = 200 ms), missing*.wav is not found.
import { createClock } from "../../runtime/clock";
import { Channel } from "../../runtime/session/channel";
import type { CallControl, MediaPort, PlayHandle, PlayResult, RecordHandle, RecordOptions, RecordResult } from "../../runtime/session/ports";
import { FsSession, type MethodRecord, type SessionOptions } from "../../runtime/session/session";

export function durationOf(source: string): number {
  const m = /^silence_stream:\/\/(\d+)/.exec(source);
  if (m) return Number(m[1]);
  const d = /@(\d+)ms/.exec(source);
  return d ? Number(d[1]) : 200;
}

export class FakeMedia implements MediaPort {
  played: string[] = [];
  recorded: Array<{ file: string; options: RecordOptions }> = [];
  inband = false;
  /** How the next recording ends unless stopped: after `ms` with `reason`. */
  recordEnd: { ms: number; reason: RecordResult["reason"] } = { ms: 300, reason: "silence" };

  play(source: string): PlayHandle {
    this.played.push(source);
    const start = performance.now();
    let resolve!: (r: PlayResult) => void;
    const done = new Promise<PlayResult>((r) => (resolve = r));
    let finished = false;
    const finish = (reason: PlayResult["reason"]) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const ms = reason === "notfound" ? 0 : Math.round(performance.now() - start);
      const failure = reason === "notfound" ? { kind: "not found" as const, source, detail: `no such file: ${source}` } : undefined;
      resolve({ reason, ms, samples: ms * 8, ...(failure ? { failure } : {}) });
    };
    const timer = setTimeout(() => finish(source.includes("missing") ? "notfound" : "done"), source.includes("missing") ? 0 : durationOf(source));
    return {
      done,
      stop: () => finish("stopped"),
      pause: () => {},
      seek: () => {},
      restart: () => {},
      adjust: () => {},
    };
  }

  record(file: string, options: RecordOptions): RecordHandle {
    this.recorded.push({ file, options });
    const start = performance.now();
    let resolve!: (r: RecordResult) => void;
    const done = new Promise<RecordResult>((r) => (resolve = r));
    let finished = false;
    const finish = (reason: RecordResult["reason"]) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const ms = Math.round(performance.now() - start);
      resolve({ reason, ms, samples: ms * 8 });
    };
    const timer = setTimeout(() => finish(this.recordEnd.reason), this.recordEnd.ms);
    return { done, stop: () => finish("stopped"), truncate: () => finish("stopped") };
  }

  async synthesize(engine: string, voice: string, text: string): Promise<string> {
    if (engine !== "flite") throw new Error(`unknown TTS engine ${engine}`);
    return `tts/${voice}/${text.length * 10}@${Math.min(300, text.length * 10)}ms.wav`;
  }

  setInbandDtmf(on: boolean): void {
    this.inband = on;
  }
}

export class FakeControl implements CallControl {
  answers = 0;
  preAnswers = 0;
  hangups: string[] = [];
  transfers: Array<[string, string, string]> = [];
  async answer() {
    this.answers++;
    return true;
  }
  async preAnswer() {
    this.preAnswers++;
    return true;
  }
  hangup(cause: string) {
    this.hangups.push(cause);
  }
  transfer(ext: string, dp: string, ctx: string) {
    this.transfers.push([ext, dp, ctx]);
    return true;
  }
}

export function makeSession(vars: Record<string, string> = {}, options: Pick<SessionOptions, "clock" | "phrases"> = {}) {
  const channel = new Channel("0a1b2c3d-0000-4000-8000-000000000001", {
    destination_number: "1000",
    caller_id_number: "sipp",
    caller_id_name: "sipp",
    context: "default",
    ...vars,
  });
  const media = new FakeMedia();
  const control = new FakeControl();
  const logs: Array<[string, string]> = [];
  const trace: MethodRecord[] = [];
  const session = new FsSession({
    channel,
    control,
    media,
    log: (level, msg) => logs.push([level, msg]),
    onMethod: (r) => trace.push(r),
    // A pinned clock and zone: no test reads the real date or the machine's zone.
    clock: options.clock ?? createClock({ at: "2026-01-01T12:00:00Z", zone: "UTC" }),
    phrases: options.phrases,
  });
  /** Caller presses digits `after` ms from now, `gap` ms apart. */
  const press = (digits: string, after = 0, gap = 20) => {
    [...digits].forEach((d, i) => setTimeout(() => channel.pushDtmf(d, 1600), after + i * gap));
  };
  const hangupAfter = (ms: number, cause = "NORMAL_CLEARING") => setTimeout(() => channel.markHangup(cause), ms);
  return { session, channel, media, control, logs, trace, press, hangupAfter };
}
