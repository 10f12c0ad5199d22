// The designer's "Test call": the generated script runs on the runtime's own host over a real
// FsSession and the runtime's CallMedia (prompt paths, file policy, TTS, playback failures as on
// calls), but the call has no SIP or RTP: its media stream is the browser. Prompts are decoded to
// 8 kHz PCM as for RTP and sent out in real time (100 ms chunks, a little ahead); digits come in
// from the dial pad; every Session method is reported with its arguments and result. Time of day
// and HTTP replies are the run's own (no request leaves the machine). A Bridge dials through the
// runtime's own originate engine with a scripted far end: the simulator's user says what each
// dial does (asked per dial, or one setting), an answered party sounds as a tone while bridged.
// One call per process: the fetch stub is process-wide (simulator-child.ts is that process).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BridgeStub, HttpStub } from "../../flow/test-cases";
import { CallMedia } from "../call-media";
import { createClock, type ClockSetting } from "../clock";
import type { MediaStreamHandle, PlayControl, PlayDone, RecordArgs, RecordDone } from "../media/engine";
import { openSource, SAMPLE_RATE, transcodingLoader, type PcmSource } from "../media/sources";
import { Transcoder } from "../media/transcode";
import { SESSION_METHODS } from "../host/sandbox/session-methods";
import { Channel } from "../session/channel";
import { FsSession, type MethodRecord } from "../session/session";
import { FliteTts } from "../speech/tts";
import { ANY_HOST, DEFAULT_TEST_CLOCK, stubFetch } from "./flow-tests";
import { startScript, type ScriptLanguage, type ScriptRun } from "./script-run";
import { NOMINAL_RECORDING_MS, VirtualControl } from "./virtual-call";
import { virtualOutbound, type FarEndChooser } from "./virtual-outbound";

export type DialOutcome = BridgeStub["outcome"];

/** What a dial does in the simulator: asked each time, or always the same outcome. */
export interface SimulatorDials {
  mode: "ask" | DialOutcome;
  /** How long the party rings before the set outcome (ask: it rings until the user chooses). Default 1 s. */
  ringMs?: number;
  /** How long an answered party stays on the line. Default 10 s. */
  talkMs?: number;
}

/** What the caller hears while bridged to an answered party (there is no one there): a soft double beep. */
export const ANSWERED_PARTY_SOUND = "tone_stream://%(200,100,620);%(200,1500,620);loops=-1";
const DEFAULT_SIM_RING_MS = 1000;
const DEFAULT_SIM_TALK_MS = 10_000;

export interface SimulatorStart {
  language: ScriptLanguage;
  code: string;
  /** The instant and zone the script sees (default: now, UTC). */
  clock?: ClockSetting;
  http?: HttpStub[];
  variables?: Record<string, string>;
  /** Default: ask. */
  dials?: SimulatorDials;
  soundsDir: string;
  /** Transcoded prompts and TTS output. */
  cacheDir: string;
  /** The call is hung up (ALLOTTED_TIMEOUT) past this. */
  maxCallMs: number;
}

export type SimulatorEvent =
  | { type: "node"; node: string }
  | { type: "method"; method: string; args: unknown[]; result: unknown; ms: number; node?: string; error?: string }
  | { type: "play"; source: string }
  /** 16-bit little-endian PCM, 8 kHz mono. */
  | { type: "audio"; pcm: Uint8Array }
  | { type: "log"; level: string; message: string }
  /**
   * A dial's progress: `asking` (answer with dialChoice(id, outcome)), `cancelled` (the flow gave
   * up before a choice: the ring timeout, the caller hung up), `outcome` (what the party does),
   * `bridged` / `unbridged` (the caller is connected to the answered party, then no more).
   */
  | { type: "dial"; id: number; to: string; state: "asking" | "cancelled" | "outcome" | "bridged" | "unbridged"; outcome?: DialOutcome; chosenBy?: "you" | "setting" }
  | { type: "end"; hangupCause?: string; hungUpBy: "caller" | "flow"; transferTo?: string; scriptEnd?: string };

const CHUNK_MS = 100;
const CHUNK_SAMPLES = (SAMPLE_RATE * CHUNK_MS) / 1000;
/** Audio sent ahead of real time, so the browser's playback never runs dry. */
const LEAD_CHUNKS = 2;

const DEFAULT_VARIABLES: Readonly<Record<string, string>> = {
  caller_id_number: "15551230001",
  caller_id_name: "Simulator",
  ani: "15551230001",
  destination_number: "5000",
  network_addr: "127.0.0.1",
  context: "default",
  direction: "inbound",
};

/** The media stream CallMedia plays into: PCM chunks to the browser, paced in real time. */
class BrowserStream {
  private playing: { stop: () => void } | undefined;
  private recording: { stop: () => void } | undefined;

  constructor(
    private readonly loader: ReturnType<typeof transcodingLoader>,
    private readonly emit: (e: SimulatorEvent) => void,
  ) {}

  async play(spec: string): Promise<PlayDone> {
    const opened = await openSource(spec, this.loader);
    if (!opened.ok) return { reason: opened.code === "NOTFOUND" ? "notfound" : "error", ms: 0, samples: 0, detail: opened.reason, failure: opened.kind };
    return this.stream(opened.source, opened.skipped.length ? opened.skipped.join("; ") : undefined);
  }

  private stream(source: PcmSource, detail: string | undefined): Promise<PlayDone> {
    return new Promise((resolve) => {
      let samples = 0;
      let timer: NodeJS.Timeout | undefined;
      const t0 = performance.now();
      const finish = (reason: PlayDone["reason"]) => {
        clearTimeout(timer);
        this.playing = undefined;
        resolve({ reason, ms: Math.round((samples * 1000) / SAMPLE_RATE), samples, ...(detail ? { detail } : {}) });
      };
      this.playing?.stop();
      this.playing = { stop: () => finish("stopped") };
      let sent = 0;
      const tick = () => {
        // Chunk n goes out at t0 + (n - LEAD_CHUNKS) * 100 ms; the playback ends when its audio has played.
        while (sent <= LEAD_CHUNKS + Math.floor((performance.now() - t0) / CHUNK_MS)) {
          const buf = new Int16Array(CHUNK_SAMPLES);
          const n = source.read(buf, 0, CHUNK_SAMPLES);
          if (n === 0) {
            const left = (samples * 1000) / SAMPLE_RATE - (performance.now() - t0);
            timer = setTimeout(() => finish("eof"), Math.max(0, left));
            return;
          }
          samples += n;
          sent++;
          this.emit({ type: "audio", pcm: new Uint8Array(buf.buffer, 0, n * 2) });
        }
        timer = setTimeout(tick, CHUNK_MS);
      };
      tick();
    });
  }

  async stopPlay(): Promise<void> {
    this.playing?.stop();
  }

  async controlPlay(_c: PlayControl): Promise<void> {}

  /** No microphone: a recording hears silence and ends on it after a nominal time; nothing is written. */
  record(args: RecordArgs): Promise<RecordDone> {
    return new Promise((resolve) => {
      const t0 = performance.now();
      const finish = (reason: "silence" | "stopped") => {
        clearTimeout(timer);
        this.recording = undefined;
        const ms = Math.round(performance.now() - t0);
        resolve({ path: args.path, reason, returnValue: 1, recordMs: ms, recordSamples: ms * 8, recordSeconds: Math.floor(ms / 1000), silenceHitsExhausted: reason === "silence" });
      };
      const timer = setTimeout(() => finish("silence"), Math.min(NOMINAL_RECORDING_MS, (args.maxLenSecs || 3) * 1000));
      this.recording = { stop: () => finish("stopped") };
    });
  }

  async stopRecord(): Promise<void> {
    this.recording?.stop();
  }

  async startInbandDtmf(): Promise<void> {}
  async stopInbandDtmf(): Promise<void> {}

  close(): void {
    this.playing?.stop();
    this.recording?.stop();
  }
}

const sessionMethodNames = new Set<string>(SESSION_METHODS);

export class SimulatedCall {
  private channel: Channel | undefined;
  private session: FsSession | undefined;
  private hungUpBy: "caller" | "flow" | undefined;
  /** How to end each dial's leg from the far end, by id (dropped when the leg ends). */
  private readonly parties = new Map<number, () => void>();
  /** Dials waiting for the user's choice, by id. */
  private readonly asking = new Map<number, (outcome: DialOutcome) => void>();
  private dials = 0;
  /** The party the next bridge connects to (the last answered dial). */
  private answered: { id: number; to: string } | undefined;

  constructor(private readonly emit: (e: SimulatorEvent) => void) {}

  /** Run the call to its end; resolves once the end event was emitted. */
  async run(start: SimulatorStart): Promise<void> {
    const log = (level: string, message: string) => this.emit({ type: "log", level, message: message.trimEnd() });
    const realFetch = globalThis.fetch;
    globalThis.fetch = stubFetch(start.http ?? [], (line) => log("info", line));
    const work = await mkdtemp(path.join(tmpdir(), "ivr-sim-"));
    const clockSetting = start.clock ?? { at: new Date().toISOString(), zone: DEFAULT_TEST_CLOCK.zone };
    const clock = createClock(clockSetting);
    const channel = (this.channel = new Channel(crypto.randomUUID(), { ...DEFAULT_VARIABLES, ...start.variables }));
    const control = new VirtualControl();
    const transcoder = new Transcoder({ cacheDir: path.join(start.cacheDir, "prompts") });
    const stream = new BrowserStream(
      transcodingLoader((p) => transcoder.transcode(p)),
      this.emit,
    );
    const media = new CallMedia(stream as unknown as MediaStreamHandle, channel, start.soundsDir, new FliteTts({ cacheDir: path.join(start.cacheDir, "tts") }), log, path.join(work, "recordings"));
    media.setFileAccess("confined");
    const globals = new Map<string, string>();
    const onMethod = (r: MethodRecord) =>
      this.emit({ type: "method", method: r.method, args: r.args, result: r.result, ms: Math.round(r.ms), ...(r.node ? { node: r.node } : {}), ...(r.error ? { error: r.error } : {}) });
    const outbound = virtualOutbound(this.farEnds(start.dials ?? { mode: "ask" }), {
      log,
      logLine: (line) => log("info", line),
      globals,
      relay: {
        // The answered party is a tone in the caller's ear while the bridge lasts.
        connect: async (a) => {
          const party = this.answered ?? { id: 0, to: "" };
          const sound = a.media.play(ANSWERED_PARTY_SOUND);
          this.emit({ type: "dial", ...party, state: "bridged" });
          return async () => {
            sound.stop();
            this.emit({ type: "dial", ...party, state: "unbridged" });
          };
        },
      },
    });
    const session = (this.session = new FsSession({ channel, control, media, log, globals, clock, onMethod, outbound }));
    const watched = new Proxy(session, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (typeof prop !== "string" || typeof value !== "function" || prop === "constructor") return value;
        if (!sessionMethodNames.has(prop)) return value.bind(target);
        return (...args: unknown[]) => {
          if (prop === "setVariable" && args[0] === "ivr_node" && typeof args[1] === "string") this.emit({ type: "node", node: args[1] });
          if (prop === "streamFile" || prop === "playAndGetDigits" || prop === "read") this.emit({ type: "play", source: String(args[prop === "streamFile" ? 0 : prop === "read" ? 2 : 4] ?? "") });
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const limit = setTimeout(() => {
      this.hungUpBy ??= "flow";
      session.doHangup("ALLOTTED_TIMEOUT");
    }, start.maxCallMs);
    let script: ScriptRun | undefined;
    try {
      script = startScript(start.language, start.code, watched, { clock, clockSetting, globals, log, httpAllowList: ANY_HOST });
      const end = await script.done.catch((e: Error) => ({ kind: "error" as const, message: e?.message ?? String(e) }));
      const scriptEnd =
        end.kind === "returned" ? undefined : end.kind === "exit" ? `exit (${end.how})` : end.kind === "error" ? `error: ${end.message.split("\n")[0]}` : `killed: ${end.reason}`;
      if (channel.up && !channel.transferPending) session.doHangup(end.kind === "killed" ? "NORMAL_TEMPORARY_FAILURE" : "NORMAL_CLEARING");
      channel.finishHangupState();
      this.emit({
        type: "end",
        hangupCause: channel.hangupCause,
        hungUpBy: this.hungUpBy ?? "flow",
        ...(channel.transferPending ? { transferTo: channel.transferPending.extension } : {}),
        ...(scriptEnd ? { scriptEnd } : {}),
      });
    } finally {
      clearTimeout(limit);
      stream.close();
      await script?.close();
      globalThis.fetch = realFetch;
      await rm(work, { recursive: true, force: true });
    }
  }

  /** The far ends: each dial asks the user (and rings meanwhile) or follows the setting. */
  private farEnds(dials: SimulatorDials): FarEndChooser {
    const ringMs = dials.ringMs ?? DEFAULT_SIM_RING_MS;
    const talkMs = dials.talkMs ?? DEFAULT_SIM_TALK_MS;
    return (to, signal, party) => {
      const id = ++this.dials;
      this.parties.set(id, party.hangUp);
      signal.addEventListener("abort", () => this.parties.delete(id));
      const chosen = (outcome: DialOutcome, chosenBy: "you" | "setting", rang: number): BridgeStub => {
        if (outcome === "answer") this.answered = { id, to };
        this.emit({ type: "dial", id, to, state: "outcome", outcome, chosenBy });
        return { outcome, ringMs: rang, talkMs };
      };
      if (dials.mode !== "ask") return chosen(dials.mode, "setting", ringMs);
      this.emit({ type: "dial", id, to, state: "asking" });
      return new Promise<BridgeStub | undefined>((resolve) => {
        const settle = (outcome: DialOutcome) => {
          this.asking.delete(id);
          resolve(chosen(outcome, "you", 0));
        };
        this.asking.set(id, settle);
        signal.addEventListener("abort", () => {
          if (!this.asking.delete(id)) return;
          this.emit({ type: "dial", id, to, state: "cancelled" });
          resolve(undefined);
        });
      });
    };
  }

  /** The user's answer to a dial's `asking` event (ignored when that dial is no longer waiting). */
  dialChoice(id: number, outcome: DialOutcome): void {
    this.asking.get(id)?.(outcome);
  }

  /** The dialled party `id` hangs up (ignored once that leg is over). */
  farEndHangup(id: number): void {
    this.parties.get(id)?.();
  }

  /** A digit from the dial pad (0-9 * # A-D). */
  dtmf(digit: string): void {
    if (!/^[0-9*#A-Da-d]$/.test(digit) || !this.channel?.up) return;
    this.channel.pushDtmf(digit.toUpperCase(), 1600);
  }

  /** The caller hangs up. */
  hangup(): void {
    if (!this.channel?.up) return;
    this.hungUpBy ??= "caller";
    this.channel.markHangup("NORMAL_CLEARING");
  }
}
