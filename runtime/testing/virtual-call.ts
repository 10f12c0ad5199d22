// A call without SIP or RTP: the channel, call control and media ports a FsSession needs,
// in memory. Prompts "play" for a nominal time on the timers (which the flow-test runner
// makes virtual), recordings end on silence, nothing is dialled. Shared by `ivr test` and
// anything else that runs a flow on the runtime's session semantics without a phone.
import type { HangupCause } from "../../flow/hangup-causes";
import type { CallControl, MediaPort, PlayHandle, PlayResult, RecordHandle, RecordOptions, RecordResult } from "../session/ports";

/** How long a prompt file plays (the runner has no audio files): one second. */
export const NOMINAL_PROMPT_MS = 1000;
/** How long a caller speaks into a recording before the silence ends it. */
export const NOMINAL_RECORDING_MS = 3000;

/** Play time of a source: silence_stream://N is N ms, a tone half a second, anything else a prompt. */
export function playMs(source: string): number {
  const silence = /^silence_stream:\/\/(\d+)/.exec(source);
  if (silence) return Number(silence[1]);
  if (source.startsWith("tone_stream://")) return 500;
  return NOMINAL_PROMPT_MS;
}

function timedHandle<R extends { reason: string; ms: number; samples: number }>(
  ms: number,
  endReason: R["reason"],
  make: (reason: R["reason"], ms: number) => R,
  now: () => number,
) {
  const start = now();
  let resolve!: (r: R) => void;
  const done = new Promise<R>((r) => (resolve = r));
  let finished = false;
  const finish = (reason: R["reason"]) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    resolve(make(reason, Math.max(0, now() - start)));
  };
  const timer = setTimeout(() => finish(endReason), ms);
  return { done, finish };
}

export class VirtualMedia implements MediaPort {
  /** Sources in the order they started playing. */
  readonly played: string[] = [];
  readonly recorded: string[] = [];
  /** Told of each playback as it starts (the runner counts a menu's tries by them). */
  onPlay?: (source: string) => void;

  play(source: string): PlayHandle {
    this.played.push(source);
    this.onPlay?.(source);
    const h = timedHandle<PlayResult>(playMs(source), "done", (reason, ms) => ({ reason, ms, samples: ms * 8 }), Date.now);
    return { done: h.done, stop: () => h.finish("stopped"), pause: () => {}, seek: () => {}, restart: () => {}, adjust: () => {} };
  }

  record(file: string, _options: RecordOptions): RecordHandle {
    this.recorded.push(file);
    const h = timedHandle<RecordResult>(NOMINAL_RECORDING_MS, "silence", (reason, ms) => ({ reason, ms, samples: ms * 8 }), Date.now);
    return { done: h.done, stop: () => h.finish("stopped"), truncate: () => h.finish("stopped") };
  }

  async synthesize(_engine: string, voice: string, text: string): Promise<string> {
    return `tts://${voice}/${encodeURIComponent(text.slice(0, 40))}`;
  }

  setInbandDtmf(): void {}
}

export class VirtualControl implements CallControl {
  answered = false;
  /** The cause the flow hung up with (session.hangup), if it did. */
  hangupCause: HangupCause | undefined;
  transfers: Array<{ extension: string; dialplan: string; context: string }> = [];

  async answer(): Promise<boolean> {
    this.answered = true;
    return true;
  }

  async preAnswer(): Promise<boolean> {
    return true;
  }

  hangup(cause: HangupCause): void {
    this.hangupCause ??= cause;
  }

  transfer(extension: string, dialplan: string, context: string): boolean {
    this.transfers.push({ extension, dialplan, context });
    return true;
  }
}
